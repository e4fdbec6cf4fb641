// The manager relationship: PUT/DELETE /users/{id}/manager/$ref, GET /users/{id}/manager.
import { badRequest, json, notFound, type EmuRequest, type EmuResponse, type Route } from '../core/http-types.js';
import { beforeChange, getUser, touch, visible } from '../store/directory-state.js';
import { bodyObject, contextUrl, idFromODataId } from './odata.js';
import { renderUser } from './users-view.js';
import { userOr404, visibleUserOr404 } from './users.js';

function setManager(req: EmuRequest): EmuResponse {
  const t = req.tenant;
  const u = userOr404(t, req.params.id!);
  const ref = idFromODataId(bodyObject(req)['@odata.id']);
  const m = getUser(t, ref);
  if (!m) throw notFound(ref);
  if (m.id === u.id) throw badRequest('A user cannot be their own manager.');
  const before = beforeChange(u);
  u.managerId = m.id;
  touch(t, u, before);
  return { status: 204 };
}

function getManager(req: EmuRequest): EmuResponse {
  const t = req.tenant;
  const u = visibleUserOr404(req, req.params.id!);
  const m = u.managerId ? visible(getUser(t, u.managerId), req.now) : undefined;
  if (!m) throw notFound('manager');
  return json(200, { '@odata.context': contextUrl(req, 'directoryObjects/$entity'), '@odata.type': '#microsoft.graph.user', ...renderUser(req, m) });
}

function removeManager(req: EmuRequest): EmuResponse {
  const t = req.tenant;
  const u = userOr404(t, req.params.id!);
  if (!u.managerId) throw notFound('manager');
  const before = beforeChange(u);
  u.managerId = null;
  touch(t, u, before);
  return { status: 204 };
}

const W = ['User.ReadWrite.All', 'Directory.ReadWrite.All'];
const R = ['User.Read.All', 'Directory.Read.All', ...W];

export const managerRoutes: Route[] = [
  { method: 'PUT', pattern: '/v1.0/users/{id}/manager/$ref', roles: W, budget: 'directory-write', resourceUnits: 1, handler: setManager },
  { method: 'DELETE', pattern: '/v1.0/users/{id}/manager/$ref', roles: W, budget: 'directory-write', resourceUnits: 1, handler: removeManager },
  { method: 'GET', pattern: '/v1.0/users/{id}/manager', roles: R, budget: 'directory-read', resourceUnits: 1, handler: getManager },
];
