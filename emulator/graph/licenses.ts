// GET /subscribedSkus and POST /users/{id}/assignLicense. A licence with an Exchange plan
// provisions a mailbox; removing the last one schedules the mailbox's removal after retention.
import { badRequest, json, type EmuRequest, type EmuResponse, type Route } from '../core/http-types.js';
import { beforeChange, findSku, getUser, touch, type AssignedLicense, type DirUser } from '../store/directory-state.js';
import { provisionMailbox, scheduleMailboxRemoval, sweepMailboxRetention } from '../store/exchange-state.js';
import type { TenantState } from '../store/tenant-state.js';
import { bodyObject, collection, contextUrl } from './odata.js';
import { hasArchive, hasExchangePlan } from './licenses-catalogue.js';
import { renderUser } from './users-view.js';
import { notFound } from '../core/http-types.js';

function skuView(t: TenantState, s: ReturnType<typeof findSku> & object): Record<string, unknown> {
  return {
    accountId: t.id,
    accountName: t.name,
    appliesTo: s.appliesTo,
    capabilityStatus: s.capabilityStatus,
    consumedUnits: s.consumedUnits,
    id: s.id,
    skuId: s.skuId,
    skuPartNumber: s.skuPartNumber,
    subscriptionIds: [],
    prepaidUnits: { enabled: s.enabled, suspended: 0, warning: 0, lockedOut: 0 },
    servicePlans: s.servicePlans.map((p) => ({ ...p })),
  };
}

function listSkus(req: EmuRequest): EmuResponse {
  const t = req.tenant;
  return json(200, collection(req, 'subscribedSkus', t.directory.skus.map((s) => skuView(t, s)), { size: 999 }));
}

const mailboxOptions = (t: TenantState, licenses: readonly AssignedLicense[]) => {
  let exchange = false;
  let archive = false;
  for (const l of licenses) {
    const sku = findSku(t, l.skuId);
    if (!sku) continue;
    exchange ||= hasExchangePlan(sku, l.disabledPlans);
    archive ||= hasArchive(sku, l.disabledPlans);
  }
  return { exchange, archive };
};

/** Change a user's licences (validated first: a 400 changes nothing), then (de)provision its mailbox. */
export function assignLicenses(t: TenantState, u: DirUser, add: AssignedLicense[], remove: string[], now: number): void {
  sweepMailboxRetention(t, now);
  const held = new Set(u.assignedLicenses.map((l) => l.skuId));
  if (add.length && !u.usageLocation) throw badRequest('License assignment cannot be done for user with invalid usage location.');
  for (const l of add) {
    const sku = findSku(t, l.skuId);
    if (!sku || sku.skuId !== l.skuId.toLowerCase()) throw badRequest(`License ${l.skuId} does not correspond to a valid company License.`);
    if (!held.has(sku.skuId) && sku.consumedUnits >= sku.enabled) {
      throw badRequest(`Subscription with SKU ${sku.skuId} does not have any available licenses.`);
    }
  }
  for (const id of remove) {
    if (!held.has(id.toLowerCase())) throw badRequest('User does not have a corresponding license.');
  }
  const before = mailboxOptions(t, u.assignedLicenses);
  const previous = beforeChange(u);
  let licenses = u.assignedLicenses.filter((l) => !remove.map((r) => r.toLowerCase()).includes(l.skuId));
  for (const id of remove) findSku(t, id)!.consumedUnits -= 1;
  for (const l of add) {
    const skuId = l.skuId.toLowerCase();
    const existing = licenses.find((x) => x.skuId === skuId);
    if (existing) existing.disabledPlans = [...l.disabledPlans];
    else {
      licenses = [...licenses, { skuId, disabledPlans: [...l.disabledPlans] }];
      if (!held.has(skuId) || remove.map((r) => r.toLowerCase()).includes(skuId)) findSku(t, skuId)!.consumedUnits += 1;
    }
  }
  u.assignedLicenses = licenses;
  touch(t, u, previous);
  const after = mailboxOptions(t, licenses);
  if (after.exchange) provisionMailbox(t, u.id, now, { archive: after.archive });
  else if (before.exchange) scheduleMailboxRemoval(t, u.id, now);
}

/** A deleted user gives its units back. */
export function releaseAllLicenses(t: TenantState, u: DirUser): void {
  for (const l of u.assignedLicenses) {
    const sku = findSku(t, l.skuId);
    if (sku) sku.consumedUnits = Math.max(0, sku.consumedUnits - 1);
  }
  u.assignedLicenses = [];
}

function parseAdd(v: unknown): AssignedLicense[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw badRequest("Invalid value specified for property 'addLicenses' of resource 'User'.");
  return v.map((l: unknown) => {
    const o = l as { skuId?: unknown; disabledPlans?: unknown };
    if (!o || typeof o.skuId !== 'string') throw badRequest("Invalid value specified for property 'skuId' of resource 'AssignedLicense'.");
    const dp = Array.isArray(o.disabledPlans) ? o.disabledPlans.filter((x): x is string => typeof x === 'string') : [];
    return { skuId: o.skuId, disabledPlans: dp };
  });
}

function assignLicense(req: EmuRequest): EmuResponse {
  const t = req.tenant;
  const u = getUser(t, req.params.id!);
  if (!u) throw notFound(req.params.id!);
  const body = bodyObject(req);
  if (body.addLicenses === undefined || body.removeLicenses === undefined) {
    throw badRequest(`Invalid value specified for property '${body.addLicenses === undefined ? 'addLicenses' : 'removeLicenses'}' of resource 'User'.`);
  }
  const remove = Array.isArray(body.removeLicenses) ? body.removeLicenses.filter((x): x is string => typeof x === 'string') : [];
  assignLicenses(t, u, parseAdd(body.addLicenses), remove, req.now);
  return json(200, { '@odata.context': contextUrl(req, 'users/$entity'), ...renderUser(req, u) });
}

export const licenseRoutes: Route[] = [
  { method: 'GET', pattern: '/v1.0/subscribedSkus', roles: ['Organization.Read.All', 'Directory.Read.All', 'Directory.ReadWrite.All', 'User.ReadWrite.All'], budget: 'directory-read', resourceUnits: 3, handler: listSkus },
  { method: 'POST', pattern: '/v1.0/users/{id}/assignLicense', roles: ['User.ReadWrite.All', 'Directory.ReadWrite.All', 'LicenseAssignment.ReadWrite.All'], budget: 'directory-write', resourceUnits: 1, handler: assignLicense },
];
