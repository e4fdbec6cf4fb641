// Open extensions on users: POST/GET/PATCH/DELETE /users/{id}/extensions[/{name}]. t2t keeps its
// per-user progress marker (dev.t2t.migration) in one. For directory objects PATCH replaces the
// extension's data: properties left out of the body are removed (Graph's documented behaviour).
// An open extension on a directory object holds at most 2 KB of data (learn.microsoft.com/graph/
// extensibility-overview, "Comparison of extension types": "Max. of 2 Kb per open extension" for
// user, group, device and organization); Graph refuses a bigger one with 400 BadRequest "Maximum size
// supported for each extension is : 2 KB." (an answer quoted in pnp/sp-dev-fx-webparts#5964). How
// Graph measures the size is not documented: the emulator counts the UTF-8 bytes of the custom data
// as JSON.
import { GraphError, json, type EmuRequest, type EmuResponse, type Route } from '../core/http-types.js';
import type { DirUser } from '../store/directory-state.js';
import { bodyObject, collection } from './odata.js';
import { extensionView } from './users-view.js';
import { userOr404 } from './users.js';

const PREFIXES = ['microsoft.graph.openTypeExtension.', 'Microsoft.OutlookServices.OpenTypeExtension.'];

function nameOf(ref: string): string {
  for (const p of PREFIXES) if (ref.toLowerCase().startsWith(p.toLowerCase())) return ref.slice(p.length);
  return ref;
}

function findExtension(u: DirUser, ref: string): string | undefined {
  const n = nameOf(ref).toLowerCase();
  return Object.keys(u.extensions).find((k) => k.toLowerCase() === n);
}

const extNotFound = (ref: string) => new GraphError(404, 'Request_ResourceNotFound', `Resource '${ref}' does not exist or one of its queried reference-property objects are not present.`);

/** Custom data of a body: everything except the OData annotations and the fixed properties. */
function customData(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) {
    if (k.startsWith('@') || k === 'extensionName' || k === 'id') continue;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      throw new GraphError(400, 'Request_BadRequest', `Property '${k}' has an unsupported value: open extension data must be primitive values or arrays of them.`);
    }
    out[k] = v;
  }
  return out;
}

/** Bytes of custom data an open extension on a directory object may hold. */
export const MAX_EXTENSION_BYTES = 2048;

function checkSize(data: Record<string, unknown>): Record<string, unknown> {
  if (Buffer.byteLength(JSON.stringify(data)) > MAX_EXTENSION_BYTES) {
    throw new GraphError(400, 'BadRequest', 'Maximum size supported for each extension is : 2 KB.');
  }
  return data;
}

function context(req: EmuRequest, u: DirUser): string {
  return `${req.baseUrl}/v1.0/$metadata#users('${u.id}')/extensions/$entity`;
}

function create(req: EmuRequest): EmuResponse {
  const t = req.tenant;
  const u = userOr404(t, req.params.id!);
  const body = bodyObject(req);
  const type = String(body['@odata.type'] ?? '').replace(/^#/, '').toLowerCase();
  if (type !== 'microsoft.graph.opentypeextension') {
    throw new GraphError(400, 'Request_BadRequest', "The @odata.type 'microsoft.graph.openTypeExtension' is required to create an open extension.");
  }
  const name = body.extensionName;
  if (typeof name !== 'string' || !name) throw new GraphError(400, 'Request_BadRequest', "Invalid value specified for property 'extensionName' of resource 'Extension'.");
  if (findExtension(u, name)) throw new GraphError(409, 'NameAlreadyExists', 'An extension already exists with given id.');
  u.extensions[name] = checkSize(customData(body));
  return json(201, { '@odata.context': context(req, u), ...extensionView(name, u.extensions[name]!) });
}

function list(req: EmuRequest): EmuResponse {
  const u = userOr404(req.tenant, req.params.id!);
  const items = Object.entries(u.extensions).map(([n, p]) => extensionView(n, p));
  return json(200, collection(req, `users('${u.id}')/extensions`, items));
}

function get(req: EmuRequest): EmuResponse {
  const u = userOr404(req.tenant, req.params.id!);
  const name = findExtension(u, req.params.name!);
  if (!name) throw extNotFound(req.params.name!);
  return json(200, { '@odata.context': context(req, u), ...extensionView(name, u.extensions[name]!) });
}

function update(req: EmuRequest): EmuResponse {
  const u = userOr404(req.tenant, req.params.id!);
  const name = findExtension(u, req.params.name!);
  if (!name) throw extNotFound(req.params.name!);
  u.extensions[name] = checkSize(customData(bodyObject(req)));
  return { status: 204 };
}

function remove(req: EmuRequest): EmuResponse {
  const u = userOr404(req.tenant, req.params.id!);
  const name = findExtension(u, req.params.name!);
  if (!name) throw extNotFound(req.params.name!);
  delete u.extensions[name];
  return { status: 204 };
}

const W = ['User.ReadWrite.All', 'Directory.ReadWrite.All'];
const R = ['User.Read.All', 'Directory.Read.All', ...W];

export const extensionRoutes: Route[] = [
  { method: 'POST', pattern: '/v1.0/users/{id}/extensions', roles: W, budget: 'directory-write', resourceUnits: 1, handler: create },
  { method: 'GET', pattern: '/v1.0/users/{id}/extensions', roles: R, budget: 'directory-read', resourceUnits: 1, handler: list },
  { method: 'GET', pattern: '/v1.0/users/{id}/extensions/{name}', roles: R, budget: 'directory-read', resourceUnits: 1, handler: get },
  { method: 'PATCH', pattern: '/v1.0/users/{id}/extensions/{name}', roles: W, budget: 'directory-write', resourceUnits: 1, handler: update },
  { method: 'DELETE', pattern: '/v1.0/users/{id}/extensions/{name}', roles: W, budget: 'directory-write', resourceUnits: 1, handler: remove },
];
