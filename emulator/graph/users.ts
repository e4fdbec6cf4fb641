// /users: create, read (by id or UPN), list with $filter/$select/$top/$count, update, delete.
import { badRequest, json, notFound, type EmuRequest, type EmuResponse, type Route } from '../core/http-types.js';
import {
  addUser, changeMembers, emptyExtensionAttributes, getUser, ownerOfAddress, touch, unindex, updateUser, usersInOrder, visible,
  type DirUser,
} from '../store/directory-state.js';
import type { TenantState } from '../store/tenant-state.js';
import { recipientOfUser, removeRecipient } from '../store/exchange-state.js';
import { dropMailStore } from '../store/mail-state.js';
import { dropDrive } from '../store/drive-state.js';
import { nextSeq } from '../store/tenant-state.js';
import { bodyObject, contextUrl, eventual, lazyCollection, parseFilterParam, type FilterExpr } from './odata.js';
import { evalFilter } from './odata-filter.js';
import { USER_PROPERTIES, fullUser, renderUser, selectOf } from './users-view.js';
import { releaseAllLicenses } from './licenses.js';

const STRING_PROPS = [
  'displayName', 'givenName', 'surname', 'jobTitle', 'department', 'companyName', 'employeeId', 'officeLocation',
  'usageLocation', 'mailNickname', 'mail',
] as const;
const READ_ONLY = ['id', 'proxyAddresses', 'creationType', 'createdDateTime', 'assignedLicenses', 'externalUserStateChangeDateTime'];
const WRITABLE = new Set<string>([...STRING_PROPS, 'userPrincipalName', 'accountEnabled', 'userType', 'otherMails', 'passwordProfile',
  'onPremisesExtensionAttributes', 'externalUserState', 'businessPhones', 'mobilePhone', 'preferredLanguage', 'passwordPolicies']);

export const invalidValue = (prop: string) => badRequest(`Invalid value specified for property '${prop}' of resource 'User'.`);
export const duplicateValue = (prop: string) => badRequest(`Another object with the same value for property ${prop} already exists.`);

export function userOr404(t: TenantState, idOrUpn: string): DirUser {
  const u = getUser(t, idOrUpn);
  if (!u) throw notFound(idOrUpn);
  return u;
}

/** A user as a READ sees it (replication lag): 404 until a create replicates, the previous
 *  version until an update does. Writes use userOr404 (the primary), so POST then PATCH works. */
export function visibleUserOr404(req: Pick<EmuRequest, 'tenant' | 'now'>, idOrUpn: string): DirUser {
  const u = visible(getUser(req.tenant, idOrUpn), req.now);
  if (!u) throw notFound(idOrUpn);
  return u;
}

/** UPNs must be on a verified domain of the tenant (the initial domain included). */
export function checkUpn(t: TenantState, upn: unknown): string {
  if (typeof upn !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(upn)) throw invalidValue('userPrincipalName');
  const domain = upn.split('@')[1]!.toLowerCase();
  if (!t.domains.includes(domain)) {
    throw badRequest('The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization.');
  }
  return upn;
}

function checkAddressFree(t: TenantState, address: string | null | undefined, selfId?: string): void {
  if (!address) return;
  const owner = ownerOfAddress(t, address);
  if (owner && owner !== selfId) throw duplicateValue('proxyAddresses');
}

/** Apply writable properties of a POST/PATCH body to a user (validated first, so a 400 changes nothing). */
function applyProperties(t: TenantState, u: DirUser, body: Record<string, unknown>, creating: boolean): void {
  for (const k of Object.keys(body)) {
    if (k.startsWith('@') || k.endsWith('@odata.bind')) continue;
    if (READ_ONLY.includes(k)) throw badRequest(`Property '${k}' is read-only and cannot be set.`);
    if (!WRITABLE.has(k)) throw badRequest(`Property '${k}' does not exist on type 'microsoft.graph.user'.`, 'Request_BadRequest');
  }
  for (const k of STRING_PROPS) {
    if (k in body && body[k] !== null && typeof body[k] !== 'string') throw invalidValue(k);
  }
  if ('accountEnabled' in body && typeof body.accountEnabled !== 'boolean') throw invalidValue('accountEnabled');
  if ('userType' in body && body.userType !== 'Member' && body.userType !== 'Guest') throw invalidValue('userType');
  if ('usageLocation' in body && body.usageLocation !== null && !/^[A-Za-z]{2}$/.test(String(body.usageLocation))) throw invalidValue('usageLocation');
  if ('mailNickname' in body && (typeof body.mailNickname !== 'string' || !body.mailNickname || /[\s@()<>,;:\\"[\]]/.test(body.mailNickname))) throw invalidValue('mailNickname');
  if ('otherMails' in body && !(Array.isArray(body.otherMails) && body.otherMails.every((x) => typeof x === 'string'))) throw invalidValue('otherMails');
  const ext = body.onPremisesExtensionAttributes;
  if (ext !== undefined && (ext === null || typeof ext !== 'object' || Object.keys(ext).some((k) => !/^extensionAttribute([1-9]|1[0-5])$/.test(k)))) {
    throw invalidValue('onPremisesExtensionAttributes');
  }
  let upn: string | undefined;
  if ('userPrincipalName' in body) {
    upn = checkUpn(t, body.userPrincipalName);
    const owner = t.directory.byUpn[upn.toLowerCase()];
    if (owner && owner !== u.id) throw duplicateValue('userPrincipalName');
  }
  if ('mail' in body) checkAddressFree(t, body.mail as string | null, u.id);

  const assign = (x: DirUser) => {
    for (const k of STRING_PROPS) if (k in body) (x as unknown as Record<string, unknown>)[k] = body[k] ?? null;
    if (upn) x.userPrincipalName = upn;
    if ('accountEnabled' in body) x.accountEnabled = body.accountEnabled as boolean;
    if ('userType' in body) x.userType = body.userType as 'Member' | 'Guest';
    if ('otherMails' in body) x.otherMails = [...(body.otherMails as string[])];
    if ('externalUserState' in body) x.externalUserState = (body.externalUserState as string | null) ?? null;
    if (ext) x.onPremisesExtensionAttributes = { ...x.onPremisesExtensionAttributes, ...(ext as Record<string, string | null>) };
    if ('usageLocation' in body && typeof body.usageLocation === 'string') x.usageLocation = body.usageLocation.toUpperCase();
    if ('mail' in body) {
      // Setting mail on a user makes it its primary SMTP proxy address, as Entra does.
      const mail = (body.mail as string | null) ?? null;
      x.proxyAddresses = x.proxyAddresses.filter((p) => !p.startsWith('SMTP:') && p.toLowerCase() !== `smtp:${(mail ?? '').toLowerCase()}`);
      if (mail) x.proxyAddresses.unshift(`SMTP:${mail}`);
    }
  };
  if (creating) {
    assign(u);
    addUser(t, u);
  } else {
    updateUser(t, u, assign);
  }
}

export function blankUser(t: TenantState, now: number): DirUser {
  return {
    id: crypto.randomUUID(),
    userPrincipalName: '',
    mail: null,
    mailNickname: '',
    displayName: '',
    givenName: null,
    surname: null,
    jobTitle: null,
    department: null,
    companyName: null,
    employeeId: null,
    officeLocation: null,
    usageLocation: null,
    userType: 'Member',
    accountEnabled: true,
    proxyAddresses: [],
    otherMails: [],
    externalUserState: null,
    externalUserStateChangeDateTime: null,
    creationType: null,
    createdDateTime: new Date(now).toISOString().replace(/\.\d+Z$/, 'Z'),
    assignedLicenses: [],
    onPremisesExtensionAttributes: emptyExtensionAttributes(),
    managerId: null,
    extensions: {},
    _seq: nextSeq(t),
  };
}

function createUser(req: EmuRequest): EmuResponse {
  const t = req.tenant;
  const body = bodyObject(req);
  for (const p of ['accountEnabled', 'displayName', 'mailNickname', 'passwordProfile', 'userPrincipalName']) {
    if (body[p] === undefined || body[p] === null || body[p] === '') throw invalidValue(p);
  }
  const pp = body.passwordProfile as { password?: unknown } | null;
  if (!pp || typeof pp !== 'object' || typeof pp.password !== 'string' || !pp.password) throw invalidValue('passwordProfile');
  const u = blankUser(t, req.now);
  applyProperties(t, u, body, true);
  return json(201, { '@odata.context': contextUrl(req, 'users/$entity'), ...renderUser(req, u) });
}

function getOne(req: EmuRequest): EmuResponse {
  const u = visibleUserOr404(req, req.params.id!);
  return json(200, { '@odata.context': contextUrl(req, 'users/$entity', selectOf(req)), ...renderUser(req, u) });
}

/** Candidate ids for the filter from the indexes (eq on id/UPN/mail, proxyAddresses/any eq, in,
 *  or and and): a lookup by address stays cheap in a 100,000-user tenant. undefined = scan all. */
function candidates(t: TenantState, e: FilterExpr): Set<string> | undefined {
  const d = t.directory;
  const byValue = (path: string, v: unknown): string[] | undefined => {
    if (typeof v !== 'string') return undefined;
    const p = path.toLowerCase();
    if (p === 'id') return d.users[v] ? [v] : [];
    if (p === 'userprincipalname') return d.byUpn[v.toLowerCase()] ? [d.byUpn[v.toLowerCase()]!] : [];
    if (p === 'mail') return d.byAddress[v.toLowerCase()] ? [d.byAddress[v.toLowerCase()]!] : [];
    return undefined;
  };
  switch (e.kind) {
    case 'cmp':
      return e.op === 'eq' ? toSet(byValue(e.path, e.value)) : undefined;
    case 'in': {
      const all: string[] = [];
      for (const v of e.values) {
        const c = byValue(e.path, v);
        if (!c) return undefined;
        all.push(...c);
      }
      return new Set(all);
    }
    case 'lambda': {
      const inner = e.expr;
      if (e.quantifier === 'any' && e.path.toLowerCase() === 'proxyaddresses' && inner.kind === 'cmp' && inner.op === 'eq' && inner.path === e.variable && typeof inner.value === 'string') {
        const addr = inner.value.replace(/^smtp:/i, '').toLowerCase();
        if (!/^smtp:/i.test(inner.value)) return undefined;
        const id = d.byAddress[addr];
        return new Set(id ? [id] : []);
      }
      return undefined;
    }
    case 'and': {
      return candidates(t, e.left) ?? candidates(t, e.right);
    }
    case 'or': {
      const a = candidates(t, e.left);
      const b = a && candidates(t, e.right);
      return a && b ? new Set([...a, ...b]) : undefined;
    }
    default:
      return undefined;
  }
}

const toSet = (x: string[] | undefined) => (x ? new Set(x) : undefined);

function listUsers(req: EmuRequest): EmuResponse {
  const t = req.tenant;
  const filter = parseFilterParam(req, 'User', USER_PROPERTIES);
  if (req.query.get('$search') && !eventual(req)) {
    // Code and text as https://learn.microsoft.com/graph/aad-advanced-queries shows them.
    throw badRequest("Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'", 'Request_UnsupportedQuery');
  }
  const select = selectOf(req);
  return json(200, lazyCollection(req, 'users', orderedCandidates(t, filter), userFilter(req, filter), (u) => renderUser(req, visible(u, req.now)!, select), select ? { select } : {}));
}

/** The users a filter can match, in list order: the index hits for an indexed eq (a handful), else
 *  every user record (the filter then runs lazily, page by page). */
function orderedCandidates(t: TenantState, filter: FilterExpr | undefined): readonly DirUser[] {
  const ids = filter ? candidates(t, filter) : undefined;
  if (!ids) return usersInOrder(t);
  return [...ids].map((id) => t.directory.users[id]).filter((u): u is DirUser => !!u);
}

/** Which users the request's $filter and $search keep, on the version a read sees (tombstones
 *  and not yet replicated creates never). */
function userFilter(req: EmuRequest, filter: FilterExpr | undefined): (rec: DirUser) => boolean {
  const search = /^"(?:displayName|mail|userPrincipalName):([^"]*)"$/i.exec(req.query.get('$search') ?? '');
  const term = search ? search[1]!.toLowerCase() : undefined;
  return (rec) => {
    const u = visible(rec, req.now);
    return !!u &&
    (!filter || evalFilter(filter, fullUser(u))) &&
    (term === undefined || [u.displayName, u.mail ?? '', u.userPrincipalName].some((v) => v.toLowerCase().includes(term)));
  };
}

function countUsers(req: EmuRequest): EmuResponse {
  // The /$count segment without ConsistencyLevel: eventual, as the advanced-queries page shows it.
  if (!eventual(req)) throw badRequest('$count is not currently supported.');
  const filter = parseFilterParam(req, 'User', USER_PROPERTIES);
  const keep = userFilter(req, filter);
  let n = 0;
  for (const u of orderedCandidates(req.tenant, filter)) if (keep(u)) n++;
  return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: String(n) };
}

function patchUser(req: EmuRequest): EmuResponse {
  const u = userOr404(req.tenant, req.params.id!);
  applyProperties(req.tenant, u, bodyObject(req), false);
  return { status: 204 };
}

/** Delete: a tombstone for delta; memberships, licences, manager links, the mailbox and the
 *  OneDrive go with it (the emulator has no deleted-items container: deletion is permanent). */
export function deleteUser(t: TenantState, u: DirUser, now: number): void {
  for (const g of Object.values(t.directory.groups)) {
    const m = g.members[u.id];
    if (!g._deleted && m && !m.removed) changeMembers(t, g, [u.id], true);
  }
  for (const other of Object.values(t.directory.users)) {
    if (other.managerId === u.id) other.managerId = null;
  }
  releaseAllLicenses(t, u);
  const r = recipientOfUser(t, u.id);
  if (r) {
    removeRecipient(t, r);
    dropMailStore(t, u.id);
  }
  dropDrive(t, u.id);
  void now;
  unindex(t, u);
  u._deleted = true;
  touch(t, u);
}

function removeUser(req: EmuRequest): EmuResponse {
  deleteUser(req.tenant, userOr404(req.tenant, req.params.id!), req.now);
  return { status: 204 };
}

const R = ['User.ReadWrite.All', 'Directory.ReadWrite.All'];
const READ = ['User.Read.All', 'User.ReadBasic.All', 'Directory.Read.All', ...R];

export const userRoutes: Route[] = [
  { method: 'GET', pattern: '/v1.0/users/$count', roles: READ, budget: 'directory-read', resourceUnits: 1, handler: countUsers },
  { method: 'GET', pattern: '/v1.0/users', roles: READ, budget: 'directory-read', resourceUnits: 2, handler: listUsers },
  { method: 'POST', pattern: '/v1.0/users', roles: R, budget: 'directory-write', resourceUnits: 1, handler: createUser },
  { method: 'GET', pattern: '/v1.0/users/{id}', roles: READ, budget: 'directory-read', resourceUnits: 2, handler: getOne },
  { method: 'PATCH', pattern: '/v1.0/users/{id}', roles: R, budget: 'directory-write', resourceUnits: 1, handler: patchUser },
  { method: 'DELETE', pattern: '/v1.0/users/{id}', roles: R, budget: 'directory-write', resourceUnits: 1, handler: removeUser },
];
