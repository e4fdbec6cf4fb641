// GET /domains and /domains/{id}: the tenant's verified domains (GET /organization is the core's).
import { json, notFound, type EmuRequest, type EmuResponse, type Route } from '../core/http-types.js';
import type { TenantState } from '../store/tenant-state.js';
import { applySelect, collection, contextUrl, parseSelect } from './odata.js';

/** The default domain: the first custom domain of the config, else the initial one. */
export function defaultDomainOf(t: TenantState): string {
  return t.domains.find((d) => d !== t.initialDomain) ?? t.initialDomain;
}

function domainView(t: TenantState, name: string): Record<string, unknown> {
  return {
    id: name,
    authenticationType: 'Managed',
    availabilityStatus: null,
    isAdminManaged: true,
    isDefault: name === defaultDomainOf(t),
    isInitial: name === t.initialDomain,
    isRoot: true,
    isVerified: true,
    passwordNotificationWindowInDays: 14,
    passwordValidityPeriodInDays: 2147483647,
    supportedServices: ['Email', 'OfficeCommunicationsOnline'],
    state: null,
  };
}

function listDomains(req: EmuRequest): EmuResponse {
  const t = req.tenant;
  const select = parseSelect(req);
  return json(200, collection(req, 'domains', t.domains.map((d) => domainView(t, d)), select ? { select } : {}));
}

function getDomain(req: EmuRequest): EmuResponse {
  const t = req.tenant;
  const name = req.params.id!.toLowerCase();
  if (!t.domains.includes(name)) throw notFound(req.params.id!);
  return json(200, { '@odata.context': contextUrl(req, 'domains/$entity'), ...applySelect(domainView(t, name), parseSelect(req)) });
}

const R = ['Domain.Read.All', 'Directory.Read.All', 'Directory.ReadWrite.All', 'Organization.Read.All', 'User.Read.All', 'User.ReadWrite.All'];

export const domainRoutes: Route[] = [
  { method: 'GET', pattern: '/v1.0/domains', roles: R, budget: 'directory-read', resourceUnits: 1, handler: listDomains },
  { method: 'GET', pattern: '/v1.0/domains/{id}', roles: R, budget: 'directory-read', resourceUnits: 1, handler: getDomain },
];
