// Graph beta mailbox discovery for full-fidelity import/export:
// GET /users/{id}/settings/exchange -> {primaryMailboxId, inPlaceArchiveMailboxId?}, and
// /admin/exchange/mailboxes/{mailboxId}/folders[/{folderId}[/childFolders|/items[/delta|/{itemId}]]]
// over both the primary and the archive store (each addressed by its own mailbox id); and the
// writes Graph beta documents there: POST …/folders and …/folders/{id}/childFolders (create a
// mailboxFolder: displayName and type required), PATCH …/folders/{id} (displayName, extended
// properties) and DELETE …/folders/{id}/items/{itemId}
// ?disposalType=softDelete|hardDelete.
import { GraphError, badRequest, json, type EmuRequest, type EmuResponse } from '../core/http-types.js';
import { FolderExistsError, childFolders, createFolder, deleteMessage, findMessage, liveMessages, mailboxById, type MailboxStore } from '../store/mail-state.js';
import { folderOf, itemNotFound, patchFolder } from './mail-folders.js';
import { expandedFolderProperties } from './folder-properties.js';
import { deltaPage } from './mail-delta.js';
import { applyFilter, applySelect, pageList, requireMailbox, writeAt } from './mail-query.js';
import { compactExpand, expandedProperties, renderMailboxFolder, renderMailboxItem } from './mail-render.js';

/** The store of params.mailboxId, or Graph's 404. */
export function requireStore(req: EmuRequest): MailboxStore {
  const id = req.params['mailboxId']!;
  const store = mailboxById(req.tenant, id);
  if (!store) throw new GraphError(404, 'ErrorMailboxNotFound', `The mailbox '${id}' was not found in this tenant.`);
  return store;
}

export function getExchangeSettings(req: EmuRequest): EmuResponse {
  const { mbx } = requireMailbox(req, req.params['id']!);
  const beta = req.path.startsWith('/beta/');
  return json(200, {
    '@odata.context': `${req.baseUrl}/${beta ? 'beta' : 'v1.0'}/$metadata#users('${req.params['id']}')/settings/exchange/$entity`,
    primaryMailboxId: mbx.primary.mailboxId,
    ...(beta && mbx.archive ? { inPlaceArchiveMailboxId: mbx.archive.mailboxId } : {}),
  });
}

export function listMailboxFolders(req: EmuRequest): EmuResponse {
  const store = requireStore(req);
  const parent = req.params['folderId'] === undefined ? store.rootFolderId : folderOf(store, req.params['folderId'], req.now).id;
  const expand = req.query.get('$expand');
  const folders = childFolders(store, parent, req.now).map((f) => ({ ...renderMailboxFolder(req, store, f), ...expandedFolderProperties(f, expand) }));
  return json(200, pageList(req, applyFilter(folders, req.query.get('$filter')), 100, (f) => f));
}

export function getMailboxFolder(req: EmuRequest): EmuResponse {
  const store = requireStore(req);
  const f = folderOf(store, req.params['folderId']!, req.now);
  return json(200, applySelect({ ...renderMailboxFolder(req, store, f), ...expandedFolderProperties(f, req.query.get('$expand')) }, req.query.get('$select')));
}

/** PATCH /admin/exchange/mailboxes/{mailboxId}/folders/{folderId}: displayName and extended
 *  properties; the folder type cannot be changed (Graph: delete the folder and create another). */
export function patchMailboxFolder(req: EmuRequest): EmuResponse {
  const store = requireStore(req);
  const f = folderOf(store, req.params['folderId']!, req.now);
  if ((req.body as { type?: unknown } | undefined)?.type !== undefined) throw badRequest("A mailboxFolder's 'type' cannot be updated: delete the folder and create a new one.", 'ErrorInvalidRequest');
  return json(200, renderMailboxFolder(req, store, patchFolder(req, store, f)));
}

export function listMailboxItems(req: EmuRequest): EmuResponse {
  const store = requireStore(req);
  const folder = folderOf(store, req.params['folderId']!, req.now);
  const expand = req.query.get('$expand');
  const items = liveMessages(store, folder.id, req.now).map((m) => ({ ...renderMailboxItem(m), ...expandedProperties(m, expand) }));
  return json(200, pageList(req, applyFilter(items, req.query.get('$filter')), 100, (i) => i));
}

export function getMailboxItem(req: EmuRequest): EmuResponse {
  if (req.params['itemId'] === 'delta') return mailboxItemDelta(req);
  const store = requireStore(req);
  const folder = folderOf(store, req.params['folderId']!, req.now);
  const m = findMessage(store, req.params['itemId']!, req.now);
  if (!m || m.parentFolderId !== folder.id) throw itemNotFound();
  return json(200, applySelect({ ...renderMailboxItem(m), ...expandedProperties(m, req.query.get('$expand')) }, req.query.get('$select')));
}

export function mailboxItemDelta(req: EmuRequest): EmuResponse {
  const store = requireStore(req);
  const folder = folderOf(store, req.params['folderId']!, req.now);
  const records = Object.values(store.messages).filter((m) => m.parentFolderId === folder.id);
  return json(
    200,
    deltaPage(req, {
      scope: `item:${folder.id}`,
      records,
      currentSeq: req.tenant.seq,
      defaultPageSize: 100,
      render: (m, q) => ({ ...renderMailboxItem(m), ...expandedProperties(m, q['$expand']) }),
      keep: ['$select', '$expand'],
      compact: compactExpand,
      renderRemoved: (m) => ({ '@odata.type': '#microsoft.graph.mailboxItem', id: m.id, '@removed': { reason: 'deleted' } }),
    }),
  );
}

/** POST /admin/exchange/mailboxes/{mailboxId}/folders[/{folderId}/childFolders]: 201 mailboxFolder. */
export function createMailboxFolder(req: EmuRequest): EmuResponse {
  const store = requireStore(req);
  const parent = req.params['folderId'] === undefined ? store.rootFolderId : folderOf(store, req.params['folderId'], req.now).id;
  const body = req.body as { displayName?: unknown; type?: unknown } | undefined;
  if (!body || typeof body.displayName !== 'string' || !body.displayName.trim()) throw badRequest("A mailboxFolder needs a non-empty 'displayName'.", 'ErrorInvalidRequest');
  if (typeof body.type !== 'string' || !/^IPF(\.[A-Za-z0-9]+)*$/.test(body.type)) {
    throw badRequest("A mailboxFolder needs 'type', its folder class (e.g. IPF.Note).", 'ErrorInvalidRequest');
  }
  try {
    const f = createFolder(req.tenant, store, parent, body.displayName, writeAt(req));
    if (body.type !== 'IPF.Note') f.folderClass = body.type;
    return json(201, {
      '@odata.context': `${req.baseUrl}/beta/$metadata#admin/exchange/mailboxes('${encodeURIComponent(store.mailboxId)}')/folders/$entity`,
      ...renderMailboxFolder(req, store, f),
    });
  } catch (e) {
    if (e instanceof FolderExistsError) throw new GraphError(409, 'ErrorFolderExists', 'A folder with the specified name already exists.');
    throw e;
  }
}

/** DELETE /admin/exchange/mailboxes/{mailboxId}/folders/{folderId}/items/{itemId}?disposalType=…
 *  Both disposal types take the item out of its folder (the emulator keeps no Recoverable Items). */
export function deleteMailboxItem(req: EmuRequest): EmuResponse {
  const store = requireStore(req);
  const disposal = req.query.get('disposalType');
  if (disposal !== 'softDelete' && disposal !== 'hardDelete') {
    throw badRequest(`The query parameter 'disposalType' is required: softDelete or hardDelete (got '${disposal ?? ''}').`, 'ErrorInvalidRequest');
  }
  const folder = folderOf(store, req.params['folderId']!, req.now);
  const m = findMessage(store, req.params['itemId']!, req.now);
  if (!m || m.parentFolderId !== folder.id) throw itemNotFound();
  deleteMessage(req.tenant, store, m.id, writeAt(req));
  return { status: 204 };
}
