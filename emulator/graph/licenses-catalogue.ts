// The emulator's one SKU catalogue: real SKU ids and part numbers (Microsoft's "Product names and
// service plan identifiers for licensing" table) with the service plans that matter here (which
// Exchange plan a SKU carries), so manifests written for a real tenant work against the emulator.
// The config's `licenses:` (emulator-state applyConfig) and the generator read it.
import type { ServicePlan, Subscription } from '../store/directory-state.js';
import type { TenantState } from '../store/tenant-state.js';
import { deterministicGuid } from '../store/guid.js';

interface CatalogueEntry {
  skuId: string;
  plans: [name: string, id: string][];
}

const EXCHANGE_S_STANDARD: [string, string] = ['EXCHANGE_S_STANDARD', '9aaf7827-d63c-4b61-89c3-182f06f82e5c'];
const EXCHANGE_S_ENTERPRISE: [string, string] = ['EXCHANGE_S_ENTERPRISE', 'efb87545-963c-4e0d-99df-69c6916d9eb0'];
const EXCHANGE_S_DESKLESS: [string, string] = ['EXCHANGE_S_DESKLESS', '4a82b400-a79f-41a4-b4e2-e94f5787b113'];
const EXCHANGE_S_ARCHIVE_ADDON: [string, string] = ['EXCHANGE_S_ARCHIVE_ADDON', '176a09a6-7ec5-4039-ac02-b2791c6ba793'];
const SHAREPOINTSTANDARD: [string, string] = ['SHAREPOINTSTANDARD', 'c7699d2e-19aa-44de-8edf-1736da088ca1'];
const SHAREPOINTENTERPRISE: [string, string] = ['SHAREPOINTENTERPRISE', '5dbe027f-2339-4123-9542-606e4d348a72'];
const TEAMS1: [string, string] = ['TEAMS1', '57ff2da0-773e-42df-b2af-ffb7a2317929'];
const OFFICESUBSCRIPTION: [string, string] = ['OFFICESUBSCRIPTION', '43de0ff5-c92c-492b-9116-175376d08c38'];
const INTUNE_A: [string, string] = ['INTUNE_A', 'c1ec4a95-1f05-45b3-a911-aa3fa01094f5'];
const AAD_PREMIUM: [string, string] = ['AAD_PREMIUM', '41781fb2-bc02-4b7c-bd55-b576c07bb09d'];
const FLOW_P2_VIRAL: [string, string] = ['FLOW_P2_VIRAL', '50e68c76-46c6-4674-81f9-75456511b170'];
const BI_AZURE_P0: [string, string] = ['BI_AZURE_P0', '2049e525-b859-401b-b2a0-e0a31c4b1fe4'];

export const SKU_CATALOGUE: Record<string, CatalogueEntry> = {
  EXCHANGESTANDARD: { skuId: '4b9405b0-7788-4568-add1-99614e613b69', plans: [EXCHANGE_S_STANDARD] },
  EXCHANGEENTERPRISE: { skuId: '19ec0d23-8335-4cbd-94ac-6050e30712fa', plans: [EXCHANGE_S_ENTERPRISE] },
  EXCHANGEARCHIVE_ADDON: { skuId: 'ee02fd1b-340e-4a4b-b355-4a514e4c8943', plans: [EXCHANGE_S_ARCHIVE_ADDON] },
  STANDARDPACK: { skuId: '18181a46-0d4e-45cd-891e-60aabd171b4e', plans: [EXCHANGE_S_STANDARD, SHAREPOINTSTANDARD, TEAMS1] },
  ENTERPRISEPACK: { skuId: '6fd2c87f-b296-42f0-b197-1e91e994b900', plans: [EXCHANGE_S_ENTERPRISE, SHAREPOINTENTERPRISE, OFFICESUBSCRIPTION, TEAMS1] },
  ENTERPRISEPREMIUM: { skuId: 'c7df2760-2c81-4ef7-b578-5b5392b571df', plans: [EXCHANGE_S_ENTERPRISE, SHAREPOINTENTERPRISE, OFFICESUBSCRIPTION, TEAMS1] },
  SPE_E3: { skuId: '05e9a617-0261-4cee-bb44-138d3ef5d965', plans: [EXCHANGE_S_ENTERPRISE, SHAREPOINTENTERPRISE, OFFICESUBSCRIPTION, TEAMS1, INTUNE_A, AAD_PREMIUM] },
  SPE_E5: { skuId: '06ebc4ee-1bb5-47dd-8120-11324bc54e06', plans: [EXCHANGE_S_ENTERPRISE, SHAREPOINTENTERPRISE, OFFICESUBSCRIPTION, TEAMS1, INTUNE_A, AAD_PREMIUM] },
  SPE_F1: { skuId: '66b55226-6b4f-492c-910c-a3b7a3c9d993', plans: [EXCHANGE_S_DESKLESS, TEAMS1] },
  O365_BUSINESS_ESSENTIALS: { skuId: '3b555118-da6a-4418-894f-7df1e2096870', plans: [EXCHANGE_S_STANDARD, SHAREPOINTSTANDARD, TEAMS1] },
  O365_BUSINESS_PREMIUM: { skuId: 'f245ecc8-75af-4f8e-b61f-27d8114de5f3', plans: [EXCHANGE_S_STANDARD, SHAREPOINTSTANDARD, OFFICESUBSCRIPTION, TEAMS1] },
  SPB: { skuId: 'cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46', plans: [EXCHANGE_S_STANDARD, SHAREPOINTSTANDARD, OFFICESUBSCRIPTION, TEAMS1, INTUNE_A] },
  EMS: { skuId: 'efccb6f7-5641-4e0e-bd10-b4976e1bf68e', plans: [INTUNE_A, AAD_PREMIUM] },
  FLOW_FREE: { skuId: 'f30db892-07e9-47e9-837c-80727f46fd3d', plans: [FLOW_P2_VIRAL] },
  POWER_BI_STANDARD: { skuId: 'a403ebcc-fae0-4ca2-8c8c-7a907fd6c235', plans: [BI_AZURE_P0] },
};

const EXCHANGE_PLAN_NAMES = new Set(['EXCHANGE_S_STANDARD', 'EXCHANGE_S_ENTERPRISE', 'EXCHANGE_S_DESKLESS']);

/** Whether the SKU (minus its disabled plans) gives the user a mailbox. */
export function hasExchangePlan(sku: Subscription, disabledPlans: readonly string[] = []): boolean {
  return sku.servicePlans.some((p) => EXCHANGE_PLAN_NAMES.has(p.servicePlanName) && !disabledPlans.includes(p.servicePlanId));
}

/** Archive: Exchange Online plans include an archive mailbox (F3/deskless does not). */
export function hasArchive(sku: Subscription, disabledPlans: readonly string[] = []): boolean {
  return sku.servicePlans.some((p) => ['EXCHANGE_S_STANDARD', 'EXCHANGE_S_ENTERPRISE', 'EXCHANGE_S_ARCHIVE_ADDON'].includes(p.servicePlanName) && !disabledPlans.includes(p.servicePlanId));
}

/** A SKU as the tenant's subscription is built from it. */
export interface SkuEntry {
  skuId: string;
  skuPartNumber: string;
  servicePlans: { servicePlanId: string; servicePlanName: string }[];
}

/** A SKU by part number or id (case-insensitive). Unknown part numbers get a stable made-up id and
 *  an Exchange Online plan, so a config may name a SKU the catalogue lacks and still get mailboxes. */
export function skuCatalogEntry(sku: string): SkuEntry {
  const k = sku.toLowerCase();
  for (const [part, entry] of Object.entries(SKU_CATALOGUE)) {
    if (part.toLowerCase() === k || entry.skuId === k) return { skuId: entry.skuId, skuPartNumber: part, servicePlans: entry.plans.map(([name, id]) => ({ servicePlanId: id, servicePlanName: name })) };
  }
  const [name, id] = EXCHANGE_S_STANDARD;
  return { skuId: deterministicGuid(`t2t-emulator-sku:${sku.toUpperCase()}`), skuPartNumber: sku.toUpperCase(), servicePlans: [{ servicePlanId: id, servicePlanName: name }] };
}

/** The tenant's subscription of a SKU with `units` licences, none consumed. */
export function newSubscription(t: Pick<TenantState, 'id'>, entry: SkuEntry, units: number): Subscription {
  const servicePlans: ServicePlan[] = entry.servicePlans.map((p) => ({ ...p, provisioningStatus: 'Success', appliesTo: 'User' }));
  return {
    id: `${t.id}_${entry.skuId}`,
    skuId: entry.skuId,
    skuPartNumber: entry.skuPartNumber,
    capabilityStatus: 'Enabled',
    appliesTo: 'User',
    enabled: units,
    consumedUnits: 0,
    servicePlans,
  };
}
