// OneDrive handlers: GET drive / item / children / content (302 to a signed download URL) /
// root delta, POST children (folders), PATCH (rename, move), DELETE, and the anonymous
// download URL. One handler per method: each parses the address from the path (drive-address.ts).
import { GraphError, badRequest, json, type EmuRequest, type EmuResponse } from '../core/http-types.js';
import {
  NameConflictError,
  childByName,
  children,
  contentOf,
  deleteItem,
  driveById,
  liveItem,
  putItem,
  renameOrMove,
} from '../store/drive-state.js';
import { addressedItem, conflictBehavior, itemNotFound, nameExists, parseDriveAddress, renderDeleted, renderDrive, renderItem } from './drive-address.js';
import { deltaPage } from './mail-delta.js';
import { applySelect, pageList, writeAt } from './mail-query.js';
import { verifyToken } from './mail-signed-url.js';
import { createUploadSession, putContent } from './drive-upload.js';

export function driveGet(req: EmuRequest): EmuResponse {
  const a = parseDriveAddress(req);
  if (!a.baseId) {
    if (a.suffix) throw itemNotFound();
    return json(200, renderDrive(req, a.drive));
  }
  if (a.suffix === 'delta') {
    if (a.baseId !== a.drive.rootId || a.relPath) throw badRequest('Delta is only supported on the root of a drive.', 'invalidRequest');
    return json(
      200,
      deltaPage(req, {
        scope: `drive:${a.drive.id}`,
        records: Object.values(a.drive.items),
        currentSeq: req.tenant.seq,
        defaultPageSize: 200,
        render: (i) => renderItem(req, a.drive, i),
        renderRemoved: (i) => renderDeleted(a.drive, i),
        tokenParams: { next: '$skiptoken', delta: 'token' },
      }),
    );
  }
  const item = addressedItem(req, a);
  if (a.suffix === 'children') {
    if (!item.isFolder) return json(200, { value: [] });
    return json(200, pageList(req, children(a.drive, item.id, req.now), 200, (c) => renderItem(req, a.drive, c)));
  }
  if (a.suffix === 'content') {
    if (item.isFolder) throw badRequest('Folders have no content.', 'invalidRequest');
    const url = renderItem(req, a.drive, item)['@microsoft.graph.downloadUrl'] as string;
    return { status: 302, headers: { location: url } };
  }
  if (a.suffix) throw itemNotFound();
  return json(200, applySelect(renderItem(req, a.drive, item), req.query.get('$select')));
}

export function drivePost(req: EmuRequest): EmuResponse {
  const a = parseDriveAddress(req);
  if (a.suffix === 'createUploadSession') return createUploadSession(req, a);
  if (a.suffix !== 'children') throw new GraphError(405, 'invalidRequest', 'The method is not allowed on this resource.');
  const parent = addressedItem(req, a);
  if (!parent.isFolder) throw badRequest('Items can only be created inside a folder.', 'invalidRequest');
  const b = (req.body ?? {}) as { name?: unknown; folder?: unknown; file?: unknown; '@microsoft.graph.conflictBehavior'?: unknown };
  if (typeof b.name !== 'string' || !b.name.trim() || /[\\/:*?"<>|]/.test(b.name)) {
    throw badRequest(`Invalid item name '${String(b.name)}': names must be non-empty and may not contain \\ / : * ? " < > |.`, 'invalidRequest');
  }
  if (b.folder === undefined) throw badRequest('POST children creates folders: pass "folder": {} (upload files with PUT …/content or an upload session).', 'invalidRequest');
  try {
    const { item } = putItem(req.tenant, a.drive, parent.id, b.name, { folder: true }, conflictBehavior(b['@microsoft.graph.conflictBehavior'], 'fail'), writeAt(req));
    return json(201, renderItem(req, a.drive, item));
  } catch (e) {
    if (e instanceof NameConflictError) throw nameExists(b.name);
    throw e;
  }
}

export function drivePut(req: EmuRequest): EmuResponse {
  const a = parseDriveAddress(req);
  if (a.suffix !== 'content') throw new GraphError(405, 'invalidRequest', 'The method is not allowed on this resource.');
  return putContent(req, a);
}

export function drivePatch(req: EmuRequest): EmuResponse {
  const a = parseDriveAddress(req);
  if (a.suffix) throw new GraphError(405, 'invalidRequest', 'The method is not allowed on this resource.');
  const item = addressedItem(req, a);
  if (item.parentId === null) throw new GraphError(403, 'accessDenied', 'The root of a drive cannot be renamed or moved.');
  const b = (req.body ?? {}) as { name?: unknown; description?: unknown; parentReference?: { id?: unknown } };
  const change: { name?: string; parentId?: string; description?: string | null } = {};
  if (typeof b.name === 'string' && b.name.trim()) {
    if (/[\\/:*?"<>|]/.test(b.name)) throw badRequest(`Invalid item name '${b.name}': names may not contain \\ / : * ? " < > |.`, 'invalidRequest');
    change.name = b.name;
  }
  if (typeof b.description === 'string' || b.description === null) change.description = b.description;
  if (typeof b.parentReference?.id === 'string') {
    const target = liveItem(a.drive, b.parentReference.id, req.now);
    if (!target || !target.isFolder) throw itemNotFound();
    change.parentId = target.id;
  }
  const clash = childByName(a.drive, change.parentId ?? item.parentId, change.name ?? item.name, req.now);
  if (clash && clash.id !== item.id) throw nameExists(change.name ?? item.name);
  const next = renameOrMove(req.tenant, a.drive, item, change, writeAt(req));
  return json(200, renderItem(req, a.drive, next));
}

export function driveDelete(req: EmuRequest): EmuResponse {
  const a = parseDriveAddress(req);
  if (a.suffix) throw new GraphError(405, 'invalidRequest', 'The method is not allowed on this resource.');
  const item = addressedItem(req, a);
  if (item.parentId === null) throw new GraphError(403, 'accessDenied', 'The root of a drive cannot be deleted.');
  deleteItem(req.tenant, a.drive, item.id, writeAt(req));
  return { status: 204 };
}

/** GET /download/{item}?tempauth=…: anonymous, like OneDrive's pre-authenticated download URLs. */
export function downloadContent(req: EmuRequest): EmuResponse {
  const p = verifyToken(req.query.get('tempauth'), 'download', req.now);
  const t = req.emulator.tenant(p.t);
  const drive = t && driveById(t, String(p['d']));
  const item = drive && p['i'] === req.params['item'] ? liveItem(drive, String(p['i']), req.now) : undefined;
  if (!item) throw itemNotFound();
  const bytes = contentOf(item);
  return { status: 200, headers: { 'content-type': 'application/octet-stream' }, body: bytes };
}
