// The whole emulator: its tenants (built from the config), apps, licences, clock, and `invoke()`,
// the internal dispatch the generator and scenario builders use to run a route's handler without
// auth, throttling or faults, exactly as a client's request would reach it.
import { createHash, randomUUID } from 'node:crypto';
import { DEFAULT_EXCHANGE, type EmulatorConfig, type TenantConfig } from '../config.js';
import type { EmuRequest, EmuResponse, HttpMethod, Route } from '../core/http-types.js';
import { Router } from '../core/router.js';
import type { PipelineRequest } from '../core/pipeline.js';
import { renderError } from '../core/errors.js';
import type { TokenSigner } from '../auth/jwt.js';
import type { AppRegistration, TenantState } from './tenant-state.js';
import { emptyDirectory, type Subscription } from './directory-state.js';
import { emptyExchange } from './exchange-state.js';
import { emptyMail } from './mail-state.js';
import { emptyDrive } from './drive-state.js';

const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A GUID derived from text: the same inputs always give the same tenant id. */
export function deterministicGuid(text: string): string {
  const h = createHash('sha256').update(text).digest();
  h[6] = (h[6]! & 0x0f) | 0x40;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

export interface InvokeOptions {
  headers?: Record<string, string>;
  /** Roles the handler sees (default: every role of the tenant's first app). */
  roles?: readonly string[];
  appId?: string;
  baseUrl?: string;
}

export class Emulator {
  readonly tenants: TenantState[] = [];
  private aliases = new Map<string, TenantState>();
  readonly router: Router;
  /** Added to the wall clock: tests move time forward with POST /_emulator/clock. */
  clockOffsetMs = 0;
  /** Set by the server once it listens (https://127.0.0.1:PORT). */
  baseUrl = 'https://127.0.0.1';
  /** Set by main: signs access tokens. */
  signer: TokenSigner | undefined;
  /** Called after every successful write (persistence debounces its save on it). */
  onWrite: () => void = () => {};
  /** Set by the server: runs a request through the whole pipeline (auth, roles, faults,
   *  throttling, handler), as $batch does for each of its inner requests. */
  dispatch: ((req: PipelineRequest) => Promise<EmuResponse>) | undefined;

  constructor(readonly config: EmulatorConfig, routes: readonly Route[]) {
    this.router = new Router(routes);
  }

  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  advanceClock(ms: number): number {
    this.clockOffsetMs += ms;
    return this.now();
  }

  /** Find a tenant by GUID, initial domain or any verified domain (case-insensitive). */
  tenant(idOrDomain: string): TenantState | undefined {
    return this.aliases.get(idOrDomain.toLowerCase());
  }

  /** Register a tenant (from the config or loaded from --data) and index its names. */
  addTenant(t: TenantState): void {
    const i = this.tenants.findIndex((x) => x.id === t.id);
    if (i >= 0) this.tenants[i] = t;
    else this.tenants.push(t);
    this.reindex();
  }

  reindex(): void {
    this.aliases.clear();
    for (const t of this.tenants) {
      this.aliases.set(t.id.toLowerCase(), t);
      this.aliases.set(t.initialDomain.toLowerCase(), t);
      for (const d of t.domains) this.aliases.set(d.toLowerCase(), t);
    }
  }

  app(t: TenantState, clientId: string): AppRegistration | undefined {
    const id = clientId.toLowerCase();
    return t.apps.find((a) => a.clientId.toLowerCase() === id);
  }

  /** Run the handler of `method path` for a tenant, without auth, throttling or faults.
   *  Errors come back as the rendered error response (status >= 400), never as exceptions. */
  async invoke(tenant: string | TenantState, method: HttpMethod, pathAndQuery: string, body?: unknown, options: InvokeOptions = {}): Promise<EmuResponse> {
    const t = typeof tenant === 'string' ? this.tenant(tenant) : tenant;
    if (!t) throw new Error(`invoke: unknown tenant '${String(tenant)}'`);
    const q = pathAndQuery.indexOf('?');
    const path = q < 0 ? pathAndQuery : pathAndQuery.slice(0, q);
    const query = new URLSearchParams(q < 0 ? '' : pathAndQuery.slice(q + 1));
    const requestId = randomUUID();
    const now = this.now();
    const match = this.router.match(method, path);
    if (!match) return { status: 404, headers: { 'x-emulator-no-route': '1' }, body: { error: { code: 'BadRequest', message: `Resource not found for the segment '${path}'.` } } };
    const isBuffer = Buffer.isBuffer(body);
    const rawBody = isBuffer ? (body as Buffer) : typeof body === 'string' ? Buffer.from(body) : body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string> = {
      ...(body !== undefined && !isBuffer && typeof body !== 'string' ? { 'content-type': 'application/json' } : {}),
      ...(typeof body === 'string' ? { 'content-type': 'text/plain' } : {}),
      ...lowerKeys(options.headers ?? {}),
    };
    const app = options.appId ? this.app(t, options.appId) : t.apps[0];
    const req: EmuRequest = {
      method,
      path,
      params: match.params,
      query,
      headers,
      body: body !== undefined && !isBuffer && typeof body !== 'string' ? body : undefined,
      rawBody,
      tenant: t,
      appId: app?.clientId ?? 'emulator-internal',
      roles: options.roles ?? app?.roles ?? [],
      requestId,
      now,
      emulator: this,
      baseUrl: options.baseUrl ?? this.baseUrl,
    };
    try {
      const res = await match.route.handler(req);
      if (method !== 'GET' && res.status < 400) this.onWrite();
      return res;
    } catch (e) {
      return renderError(e, { path, requestId, clientRequestId: requestId, now });
    }
  }

  /** True when some route serves this method and path (the generator skips what is not there yet). */
  hasRoute(method: HttpMethod, path: string): boolean {
    return this.router.match(method, path) !== undefined;
  }
}

function lowerKeys(h: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = v;
  return out;
}

/** The initial state of a configured tenant: identity, apps and licences; no users yet. */
export function tenantFromConfig(c: TenantConfig): TenantState {
  const given = c.tenantId?.toLowerCase();
  const id = given && GUID_RE.test(given) ? given : deterministicGuid(`t2t-emulator-tenant:${c.name}:${c.generate?.seed ?? 0}`);
  const initialDomain = given && !GUID_RE.test(given) ? given : `${c.name.toLowerCase()}.onmicrosoft.com`;
  const domains = [...new Set([initialDomain, ...c.domains.map((d) => d.toLowerCase())])];
  const t: TenantState = {
    id,
    name: c.name,
    initialDomain,
    domains,
    apps: [],
    seq: 0,
    directory: emptyDirectory(),
    exchange: emptyExchange(),
    mail: emptyMail(),
    drive: emptyDrive(),
  };
  applyConfig(t, c);
  return t;
}

/** Apply the config's apps and licences to a tenant (also to one loaded from --data: the config
 *  is the authority on apps and licence counts; consumed units stay as the tenant has them). */
export function applyConfig(t: TenantState, c: TenantConfig): void {
  t.apps = c.apps.map((a) => ({ clientId: a.clientId, ...(a.clientSecret ? { clientSecret: a.clientSecret } : {}), ...(a.certificates ? { certificates: a.certificates } : {}), roles: [...a.roles] }));
  for (const d of c.domains) if (!t.domains.includes(d.toLowerCase())) t.domains.push(d.toLowerCase());
  const exchange = c.exchange ?? DEFAULT_EXCHANGE;
  t.exchange.autoForwardingMode = exchange.autoForwardingMode;
  t.exchange.mailboxRetentionDays = exchange.mailboxRetentionDays;
  const skus = t.directory.skus as Subscription[];
  for (const l of c.licenses) {
    const entry = skuCatalogEntry(l.sku);
    const existing = skus.find((s) => s.skuId === entry.skuId);
    if (existing) {
      existing.enabled = l.units;
      continue;
    }
    skus.push({
      id: `${t.id}_${entry.skuId}`,
      skuId: entry.skuId,
      skuPartNumber: entry.skuPartNumber,
      capabilityStatus: 'Enabled',
      appliesTo: 'User',
      enabled: l.units,
      consumedUnits: 0,
      servicePlans: entry.servicePlans.map((p) => ({ ...p, provisioningStatus: 'Success', appliesTo: 'User' })),
    });
  }
}

interface CatalogEntry {
  skuId: string;
  skuPartNumber: string;
  servicePlans: { servicePlanId: string; servicePlanName: string }[];
}

const EXO_STD = { servicePlanId: '9aaf7827-d63c-4b61-89c3-182f06f82e5c', servicePlanName: 'EXCHANGE_S_STANDARD' };
const EXO_ENT = { servicePlanId: 'efb87545-963c-4e0d-99df-69c6916d9eb0', servicePlanName: 'EXCHANGE_S_ENTERPRISE' };
const SPO_STD = { servicePlanId: 'c7699d2e-19aa-44de-8edf-1736da088ca1', servicePlanName: 'SHAREPOINTSTANDARD' };
const SPO_ENT = { servicePlanId: '5dbe027f-2339-4123-9542-606e4d348a72', servicePlanName: 'SHAREPOINTENTERPRISE' };
const ARCHIVE = { servicePlanId: '176a09a6-7ec5-4039-ac02-b2791c6ba793', servicePlanName: 'EXCHANGE_S_ARCHIVE_ADDON' };
const EXO_DESKLESS = { servicePlanId: '4a82b400-a79f-41a4-b4e2-e94f5787b113', servicePlanName: 'EXCHANGE_S_DESKLESS' };
const TEAMS1 = { servicePlanId: '57ff2da0-773e-42df-b2af-ffb7a2317929', servicePlanName: 'TEAMS1' };
const OFFICE = { servicePlanId: '43de0ff5-c92c-492b-9116-175376d08c38', servicePlanName: 'OFFICESUBSCRIPTION' };
const INTUNE = { servicePlanId: 'c1ec4a95-1f05-45b3-a911-aa3fa01094f5', servicePlanName: 'INTUNE_A' };
const AAD_P1 = { servicePlanId: '41781fb2-bc02-4b7c-bd55-b576c07bb09d', servicePlanName: 'AAD_PREMIUM' };

// Microsoft's published SKU ids, so manifests written for a real tenant work against the emulator.
const CATALOG: CatalogEntry[] = [
  { skuId: '4b9405b0-7788-4568-add1-99614e613b69', skuPartNumber: 'EXCHANGESTANDARD', servicePlans: [EXO_STD] },
  { skuId: '19ec0d23-8335-4cbd-94ac-6050e30712fa', skuPartNumber: 'EXCHANGEENTERPRISE', servicePlans: [EXO_ENT] },
  { skuId: 'ee02fd1b-340e-4a4b-b355-4a514e4c8943', skuPartNumber: 'EXCHANGEARCHIVE_ADDON', servicePlans: [ARCHIVE] },
  { skuId: '18181a46-0d4e-45cd-891e-60aabd171b4e', skuPartNumber: 'STANDARDPACK', servicePlans: [EXO_STD, SPO_STD, TEAMS1] },
  { skuId: '6fd2c87f-b296-42f0-b197-1e91e994b900', skuPartNumber: 'ENTERPRISEPACK', servicePlans: [EXO_ENT, SPO_ENT, OFFICE, TEAMS1] },
  { skuId: 'c7df2760-2c81-4ef7-b578-5b5392b571df', skuPartNumber: 'ENTERPRISEPREMIUM', servicePlans: [EXO_ENT, SPO_ENT, OFFICE, TEAMS1] },
  { skuId: '05e9a617-0261-4cee-bb44-138d3ef5d965', skuPartNumber: 'SPE_E3', servicePlans: [EXO_ENT, SPO_ENT, OFFICE, TEAMS1, INTUNE, AAD_P1] },
  { skuId: '06ebc4ee-1bb5-47dd-8120-11324bc54e06', skuPartNumber: 'SPE_E5', servicePlans: [EXO_ENT, SPO_ENT, OFFICE, TEAMS1, INTUNE, AAD_P1] },
  { skuId: '66b55226-6b4f-492c-910c-a3b7a3c9d993', skuPartNumber: 'SPE_F1', servicePlans: [EXO_DESKLESS, TEAMS1] },
  { skuId: '3b555118-da6a-4418-894f-7df1e2096870', skuPartNumber: 'O365_BUSINESS_ESSENTIALS', servicePlans: [EXO_STD, SPO_STD, TEAMS1] },
  { skuId: 'f245ecc8-75af-4f8e-b61f-27d8114de5f3', skuPartNumber: 'O365_BUSINESS_PREMIUM', servicePlans: [EXO_STD, SPO_STD, OFFICE, TEAMS1] },
  { skuId: 'cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46', skuPartNumber: 'SPB', servicePlans: [EXO_STD, SPO_STD, OFFICE, TEAMS1, INTUNE] },
  { skuId: 'efccb6f7-5641-4e0e-bd10-b4976e1bf68e', skuPartNumber: 'EMS', servicePlans: [INTUNE, AAD_P1] },
];

/** A SKU by part number (or id); unknown names get a stable made-up id and an Exchange plan. */
export function skuCatalogEntry(sku: string): CatalogEntry {
  const k = sku.toLowerCase();
  const known = CATALOG.find((c) => c.skuPartNumber.toLowerCase() === k || c.skuId === k);
  if (known) return known;
  return { skuId: deterministicGuid(`t2t-emulator-sku:${sku.toUpperCase()}`), skuPartNumber: sku.toUpperCase(), servicePlans: [EXO_STD] };
}
