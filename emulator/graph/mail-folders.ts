// Graph v1.0 mail folders: /users/{id}/mailFolders (one level under the root, as Graph lists
// them), /mailFolders/{id} by id or well-known name, /childFolders, create, rename, delete.
import { GraphError, badRequest, json, type EmuRequest, type EmuResponse } from '../core/http-types.js';
import {
  FolderExistsError,
  childFolders,
  createFolder,
  deleteFolder,
  findFolder,
  updateFolder,
  type MailboxStore,
  type MailFolderRecord,
} from '../store/mail-state.js';
import { applyFilter, pageList, requireMailbox, writeAt } from './mail-query.js';
import { renderFolder } from './mail-render.js';
import { expandedFolderProperties, patchedProperties } from './folder-properties.js';

export const itemNotFound = () => new GraphError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');

export function folderOf(store: MailboxStore, idOrName: string, now: number): MailFolderRecord {
  const f = findFolder(store, idOrName, now);
  if (!f) throw itemNotFound();
  return f;
}

function listChildren(req: EmuRequest, store: MailboxStore, parentId: string): EmuResponse {
  const folders = childFolders(store, parentId, req.now)
    .filter((f) => req.query.get('includeHiddenFolders') === 'true' || !f.isHidden)
    .map((f) => ({ ...renderFolder(store, f, req.now), ...expandedFolderProperties(f, req.query.get('$expand')) }));
  return json(200, pageList(req, applyFilter(folders, req.query.get('$filter')), 10, (f) => f));
}

export function listMailFolders(req: EmuRequest): EmuResponse {
  const { mbx } = requireMailbox(req, req.params['id']!);
  return listChildren(req, mbx.primary, mbx.primary.rootFolderId);
}

export function listChildFolders(req: EmuRequest): EmuResponse {
  const { mbx } = requireMailbox(req, req.params['id']!);
  const parent = folderOf(mbx.primary, req.params['folderId']!, req.now);
  return listChildren(req, mbx.primary, parent.id);
}

export function getMailFolder(req: EmuRequest): EmuResponse {
  const { mbx } = requireMailbox(req, req.params['id']!);
  const f = folderOf(mbx.primary, req.params['folderId']!, req.now);
  return json(200, { ...renderFolder(mbx.primary, f, req.now), ...expandedFolderProperties(f, req.query.get('$expand')) });
}

function create(req: EmuRequest, store: MailboxStore, parentId: string): EmuResponse {
  const body = req.body as { displayName?: unknown; isHidden?: unknown } | undefined;
  if (!body || typeof body.displayName !== 'string' || !body.displayName.trim()) {
    throw badRequest("A folder needs a non-empty 'displayName'.", 'ErrorInvalidRequest');
  }
  try {
    const f = createFolder(req.tenant, store, parentId, body.displayName, writeAt(req), body.isHidden === true);
    return json(201, renderFolder(store, f, req.now));
  } catch (e) {
    if (e instanceof FolderExistsError) throw new GraphError(409, 'ErrorFolderExists', 'A folder with the specified name already exists.');
    throw e;
  }
}

export function createMailFolder(req: EmuRequest): EmuResponse {
  const { mbx } = requireMailbox(req, req.params['id']!);
  return create(req, mbx.primary, mbx.primary.rootFolderId);
}

export function createChildFolder(req: EmuRequest): EmuResponse {
  const { mbx } = requireMailbox(req, req.params['id']!);
  return create(req, mbx.primary, folderOf(mbx.primary, req.params['folderId']!, req.now).id);
}

export function patchMailFolder(req: EmuRequest): EmuResponse {
  const { mbx } = requireMailbox(req, req.params['id']!);
  const f = folderOf(mbx.primary, req.params['folderId']!, req.now);
  const next = patchFolder(req, mbx.primary, f);
  return json(200, renderFolder(mbx.primary, next, req.now));
}

/** A folder PATCH (v1.0 mailFolder or beta mailboxFolder): displayName and extended properties. */
export function patchFolder(req: EmuRequest, store: MailboxStore, f: MailFolderRecord): MailFolderRecord {
  const name = (req.body as { displayName?: unknown } | undefined)?.displayName;
  if (name !== undefined && (typeof name !== 'string' || !name.trim())) throw badRequest("'displayName' must be a non-empty string.", 'ErrorInvalidRequest');
  const extendedProperties = patchedProperties(f, req.body);
  if (typeof name !== 'string' && !extendedProperties) return f;
  return updateFolder(req.tenant, store, f, { ...(typeof name === 'string' ? { displayName: name } : {}), ...(extendedProperties ? { extendedProperties } : {}) }, writeAt(req));
}

export function deleteMailFolder(req: EmuRequest): EmuResponse {
  const { mbx } = requireMailbox(req, req.params['id']!);
  const f = folderOf(mbx.primary, req.params['folderId']!, req.now);
  if (f.wellKnownName) throw new GraphError(400, 'ErrorDeleteDistinguishedFolder', 'Distinguished folders cannot be deleted.');
  deleteFolder(req.tenant, mbx.primary, f.id, writeAt(req));
  return { status: 204 };
}
