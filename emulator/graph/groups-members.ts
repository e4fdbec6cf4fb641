// Group membership: GET /groups/{id}/members, POST /groups/{id}/members/$ref,
// DELETE /groups/{id}/members/{memberId}/$ref, GET /users/{id}/memberOf.
import { json, notFound, type EmuRequest, type EmuResponse, type Route } from '../core/http-types.js';
import { changeMembers, getGroup, getUser, liveGroups, memberIds, visible } from '../store/directory-state.js';
import { applySelect, bodyObject, collection, idFromODataId, parseSelect } from './odata.js';
import { addMembers, groupOr404, groupView, visibleGroupOr404 } from './groups.js';
import { fullUser, renderUser } from './users-view.js';
import { visibleUserOr404 } from './users.js';

function listMembers(req: EmuRequest): EmuResponse {
  const t = req.tenant;
  const g = visibleGroupOr404(req, req.params.id!);
  const select = parseSelect(req);
  const items: Record<string, unknown>[] = [];
  for (const id of memberIds(g)) {
    const u = visible(getUser(t, id), req.now);
    if (u) items.push({ '@odata.type': '#microsoft.graph.user', ...(select ? applySelect(fullUser(u), select) : renderUser(req, u)) });
    const sub = u ? undefined : visible(getGroup(t, id), req.now);
    if (sub) items.push({ '@odata.type': '#microsoft.graph.group', ...applySelect(groupView(sub), select) });
  }
  return json(200, collection(req, 'directoryObjects', items, { ...(select ? { select } : {}), shaped: true }));
}

function addRef(req: EmuRequest): EmuResponse {
  const t = req.tenant;
  const g = groupOr404(t, req.params.id!);
  const id = idFromODataId(bodyObject(req)['@odata.id']);
  const obj = getUser(t, id) ?? getGroup(t, id);
  if (!obj) throw notFound(id);
  addMembers(t, g, [obj.id]);
  return { status: 204 };
}

function removeRef(req: EmuRequest): EmuResponse {
  const t = req.tenant;
  const g = groupOr404(t, req.params.id!);
  const id = g.members[req.params.memberId!] ? req.params.memberId! : req.params.memberId!.toLowerCase();
  const m = g.members[id];
  if (!m || m.removed) throw notFound(req.params.memberId!);
  changeMembers(t, g, [id], true);
  return { status: 204 };
}

function memberOf(req: EmuRequest): EmuResponse {
  const t = req.tenant;
  const u = visibleUserOr404(req, req.params.id!);
  const select = parseSelect(req);
  const items = liveGroups(t)
    .map((g) => visible(g, req.now))
    .filter((g): g is NonNullable<typeof g> => !!g && !!g.members[u.id] && !g.members[u.id]!.removed)
    .map((g) => ({ '@odata.type': '#microsoft.graph.group', ...applySelect(groupView(g), select) }));
  return json(200, collection(req, 'directoryObjects', items, { ...(select ? { select } : {}), shaped: true }));
}

const W = ['Group.ReadWrite.All', 'GroupMember.ReadWrite.All', 'Directory.ReadWrite.All'];
const R = ['Group.Read.All', 'GroupMember.Read.All', 'Directory.Read.All', ...W];

export const memberRoutes: Route[] = [
  { method: 'GET', pattern: '/v1.0/groups/{id}/members', roles: R, budget: 'directory-read', resourceUnits: 3, handler: listMembers },
  { method: 'POST', pattern: '/v1.0/groups/{id}/members/$ref', roles: W, budget: 'directory-write', resourceUnits: 1, handler: addRef },
  { method: 'DELETE', pattern: '/v1.0/groups/{id}/members/{memberId}/$ref', roles: W, budget: 'directory-write', resourceUnits: 1, handler: removeRef },
  { method: 'GET', pattern: '/v1.0/users/{id}/memberOf', roles: ['User.Read.All', ...R], budget: 'directory-read', resourceUnits: 1, handler: memberOf },
];
