// /groups: create (optionally with members@odata.bind), read, list with $filter, update (bulk
// members@odata.bind, at most 20 and all or nothing), delete.
import { badRequest, json, notFound, type EmuRequest, type EmuResponse, type Route } from '../core/http-types.js';
import { addGroup, changeMembers, getGroup, getUser, liveGroups, visible, ownerOfAddress, touch, unindex, updateGroup, type DirGroup } from '../store/directory-state.js';
import type { TenantState } from '../store/tenant-state.js';
import { nextSeq } from '../store/tenant-state.js';
import { bodyObject, contextUrl, lazyCollection, idFromODataId, matches, parseFilterParam, parseSelect, applySelect } from './odata.js';

export const GROUP_PROPERTIES = [
  'id', 'displayName', 'description', 'mail', 'mailNickname', 'mailEnabled', 'securityEnabled', 'groupTypes',
  'visibility', 'createdDateTime', 'proxyAddresses',
];
export const MAX_BIND = 20;

export const alreadyMember = () => badRequest("One or more added object references already exist for the following modified properties: 'members'.");
const invalidValue = (p: string) => badRequest(`Invalid value specified for property '${p}' of resource 'Group'.`);

export function groupOr404(t: TenantState, id: string): DirGroup {
  const g = getGroup(t, id);
  if (!g) throw notFound(id);
  return g;
}

export function groupView(g: DirGroup): Record<string, unknown> {
  return {
    id: g.id,
    deletedDateTime: null,
    createdDateTime: g.createdDateTime,
    description: g.description,
    displayName: g.displayName,
    groupTypes: [...g.groupTypes],
    mail: g.mail,
    mailEnabled: g.mailEnabled,
    mailNickname: g.mailNickname,
    proxyAddresses: [...g.proxyAddresses],
    securityEnabled: g.securityEnabled,
    visibility: g.visibility,
  };
}

/** Resolve @odata.bind references to directory objects (users or groups); 404 for any unknown one. */
export function resolveRefs(t: TenantState, refs: unknown): string[] {
  if (!Array.isArray(refs)) throw badRequest("Invalid value specified for property 'members@odata.bind' of resource 'Group'.");
  return refs.map((r) => {
    const id = idFromODataId(r);
    const obj = getUser(t, id) ?? getGroup(t, id);
    if (!obj) throw notFound(id);
    return obj.id;
  });
}

/** Add members after checks on all of them (a failed request adds none). */
export function addMembers(t: TenantState, g: DirGroup, ids: string[]): void {
  if (ids.length > MAX_BIND) throw badRequest(`The request adds ${ids.length} references to 'members'; at most ${MAX_BIND} are allowed in one request.`);
  if (new Set(ids).size !== ids.length || ids.some((id) => g.members[id] && !g.members[id]!.removed)) throw alreadyMember();
  if (ids.includes(g.id)) throw badRequest('A group cannot be a member of itself.');
  if (!ids.length) return;
  changeMembers(t, g, ids, false);
}

function defaultDomain(t: TenantState): string {
  return t.domains.find((d) => d !== t.initialDomain) ?? t.initialDomain;
}

function create(req: EmuRequest): EmuResponse {
  const t = req.tenant;
  const body = bodyObject(req);
  if (typeof body.displayName !== 'string' || !body.displayName) throw invalidValue('displayName');
  if (typeof body.mailNickname !== 'string' || !body.mailNickname || /[\s@()<>,;:\\"[\]]/.test(body.mailNickname)) throw invalidValue('mailNickname');
  if (typeof body.mailEnabled !== 'boolean') throw invalidValue('mailEnabled');
  if (typeof body.securityEnabled !== 'boolean') throw invalidValue('securityEnabled');
  const groupTypes = Array.isArray(body.groupTypes) ? body.groupTypes.filter((x): x is string => typeof x === 'string') : [];
  const unified = groupTypes.some((x) => x.toLowerCase() === 'unified');
  if (body.mailEnabled && !unified) {
    throw badRequest('Mail-enabled security groups and distribution lists cannot be created through Microsoft Graph: use Exchange Online.');
  }
  const mail = unified ? `${body.mailNickname}@${defaultDomain(t)}` : null;
  if (mail && ownerOfAddress(t, mail)) throw badRequest('Another object with the same value for property proxyAddresses already exists.');
  const members = body['members@odata.bind'] === undefined ? [] : resolveRefs(t, body['members@odata.bind']);
  const g: DirGroup = {
    id: crypto.randomUUID(),
    displayName: body.displayName,
    description: typeof body.description === 'string' ? body.description : null,
    mail,
    mailNickname: body.mailNickname,
    mailEnabled: body.mailEnabled,
    securityEnabled: body.securityEnabled,
    groupTypes,
    visibility: typeof body.visibility === 'string' ? body.visibility : unified ? 'Public' : null,
    createdDateTime: new Date(req.now).toISOString().replace(/\.\d+Z$/, 'Z'),
    proxyAddresses: mail ? [`SMTP:${mail}`] : [],
    members: {},
    _seq: nextSeq(t),
  };
  addMembers(t, g, members);
  addGroup(t, g);
  return json(201, { '@odata.context': contextUrl(req, 'groups/$entity'), ...groupView(g) });
}

/** A group as a READ sees it (replication lag); writes use groupOr404. */
export function visibleGroupOr404(req: Pick<EmuRequest, 'tenant' | 'now'>, id: string): DirGroup {
  const g = visible(getGroup(req.tenant, id), req.now);
  if (!g) throw notFound(id);
  return g;
}

function getOne(req: EmuRequest): EmuResponse {
  const g = visibleGroupOr404(req, req.params.id!);
  return json(200, { '@odata.context': contextUrl(req, 'groups/$entity'), ...applySelect(groupView(g), parseSelect(req)) });
}

function list(req: EmuRequest): EmuResponse {
  const filter = parseFilterParam(req, 'Group', GROUP_PROPERTIES);
  const select = parseSelect(req);
  // Filter lazily, render only the page (the view is built once per group looked at).
  const keep = (rec: DirGroup) => {
    const g = visible(rec, req.now);
    return !!g && (!filter || matches(filter, groupView(g)));
  };
  const ordered = Object.values(req.tenant.directory.groups);
  return json(200, lazyCollection(req, 'groups', ordered, keep, (g) => applySelect(groupView(visible(g, req.now)!), select), select ? { select } : {}));
}

function patch(req: EmuRequest): EmuResponse {
  const t = req.tenant;
  const g = groupOr404(t, req.params.id!);
  const body = bodyObject(req);
  for (const k of Object.keys(body)) {
    if (k.startsWith('@') || k === 'members@odata.bind' || k === 'owners@odata.bind') continue;
    if (!['displayName', 'description', 'mailNickname', 'visibility'].includes(k)) throw badRequest(`Property '${k}' is read-only and cannot be set.`);
  }
  if ('displayName' in body && (typeof body.displayName !== 'string' || !body.displayName)) throw invalidValue('displayName');
  if ('mailNickname' in body && (typeof body.mailNickname !== 'string' || !body.mailNickname)) throw invalidValue('mailNickname');
  const members = body['members@odata.bind'] === undefined ? undefined : resolveRefs(t, body['members@odata.bind']);
  if (members) addMembers(t, g, members);
  updateGroup(t, g, (x) => {
    if (typeof body.displayName === 'string') x.displayName = body.displayName;
    if ('description' in body) x.description = (body.description as string | null) ?? null;
    if (typeof body.mailNickname === 'string') x.mailNickname = body.mailNickname;
    if (typeof body.visibility === 'string') x.visibility = body.visibility;
  });
  return { status: 204 };
}

function remove(req: EmuRequest): EmuResponse {
  const t = req.tenant;
  const g = groupOr404(t, req.params.id!);
  unindex(t, g);
  for (const other of liveGroups(t)) {
    const m = other.members[g.id];
    if (m && !m.removed) changeMembers(t, other, [g.id], true);
  }
  g._deleted = true;
  touch(t, g);
  return { status: 204 };
}

const W = ['Group.ReadWrite.All', 'Directory.ReadWrite.All'];
const R = ['Group.Read.All', 'Directory.Read.All', 'GroupMember.Read.All', ...W];

export const groupRoutes: Route[] = [
  { method: 'GET', pattern: '/v1.0/groups', roles: R, budget: 'directory-read', resourceUnits: 2, handler: list },
  { method: 'POST', pattern: '/v1.0/groups', roles: W, budget: 'directory-write', resourceUnits: 1, handler: create },
  { method: 'GET', pattern: '/v1.0/groups/{id}', roles: R, budget: 'directory-read', resourceUnits: 1, handler: getOne },
  { method: 'PATCH', pattern: '/v1.0/groups/{id}', roles: W, budget: 'directory-write', resourceUnits: 1, handler: patch },
  { method: 'DELETE', pattern: '/v1.0/groups/{id}', roles: W, budget: 'directory-write', resourceUnits: 1, handler: remove },
];
