// Parse OneDrive's addressing forms from the request path, whatever route pattern matched:
//   /users/{id}/drive | /drives/{driveId}
//   then '' | /root | /root:/a/b.txt[:] | /items/{id} | /items/{id}:/a/b.txt[:]
//   then '' | /children | /content | /createUploadSession | /delta
// and render drives and items as Graph's drive / driveItem.
import { GraphError, badRequest, type EmuRequest } from '../core/http-types.js';
import { driveById, driveOfUser, ensureDrive, itemByPath, liveItem, parentPath, children, type ConflictBehavior, type DriveItemRecord, type DriveRecord } from '../store/drive-state.js';
import { userMailbox } from '../store/mail-state.js';
import { findUser } from '../store/directory-state.js';
import { resolveUser, writeAt } from './mail-query.js';
import { signToken } from './mail-signed-url.js';

export const itemNotFound = () => new GraphError(404, 'itemNotFound', 'The resource could not be found.');

export const nameExists = (name: string) => new GraphError(409, 'nameAlreadyExists', `The specified item name '${name}' already exists.`);

export function conflictBehavior(value: unknown, fallback: ConflictBehavior): ConflictBehavior {
  if (value === undefined || value === null) return fallback;
  const v = String(value).toLowerCase();
  if (v === 'fail' || v === 'replace' || v === 'rename') return v;
  throw badRequest(`Invalid @microsoft.graph.conflictBehavior '${String(value)}': expected fail, replace or rename.`, 'invalidRequest');
}

export interface DriveAddress {
  drive: DriveRecord;
  /** The item named by /root or /items/{id} (absent when the path is the drive itself). */
  baseId?: string;
  /** Relative path after `:` (decoded, without leading or trailing slashes). */
  relPath?: string;
  suffix: '' | 'children' | 'content' | 'createUploadSession' | 'delta';
}

const TAIL = /^(?:\/(root|items\/([^/:]+))(?::\/?([^:]*?)\/?:?)?)?(?:\/(children|content|createUploadSession|delta))?\/?$/;

/** The user's drive, provisioned on first access when the user has a mailbox (is licensed). */
export function userDrive(req: EmuRequest, idOrUpn: string): DriveRecord {
  const user = resolveUser(req, idOrUpn);
  if (!user) throw new GraphError(404, 'Request_ResourceNotFound', `Resource '${idOrUpn}' does not exist or one of its queried reference-property objects are not present.`);
  const existing = driveOfUser(req.tenant, user.id);
  if (existing) return existing;
  if (!userMailbox(req.tenant, user.id)) throw new GraphError(404, 'ResourceNotFound', "User's mysite not found.");
  return ensureDrive(req.tenant, user.id, writeAt(req));
}

export function parseDriveAddress(req: EmuRequest): DriveAddress {
  const p = req.path.replace(/^\/(v1\.0|beta)/, '');
  let drive: DriveRecord;
  let rest: string;
  const byUser = /^\/users\/([^/]+)\/drive(\/.*)?$/.exec(p);
  const byDrive = /^\/drives\/([^/]+)(\/.*)?$/.exec(p);
  if (byUser) {
    drive = userDrive(req, decodeURIComponent(byUser[1]!));
    rest = byUser[2] ?? '';
  } else if (byDrive) {
    const d = driveById(req.tenant, decodeURIComponent(byDrive[1]!));
    if (!d) throw new GraphError(404, 'itemNotFound', 'The requested drive was not found.');
    drive = d;
    rest = byDrive[2] ?? '';
  } else throw itemNotFound();
  const m = TAIL.exec(rest);
  if (!m) throw new GraphError(400, 'invalidRequest', `Unsupported drive path '${req.path}'.`);
  const baseId = m[1] === 'root' ? drive.rootId : m[2] !== undefined ? decodeURIComponent(m[2]) : undefined;
  const relPath = m[3] ? m[3].split('/').filter(Boolean).map(decodeURIComponent).join('/') : undefined;
  return { drive, ...(baseId ? { baseId } : {}), ...(relPath ? { relPath } : {}), suffix: (m[4] ?? '') as DriveAddress['suffix'] };
}

/** The existing item an address names, or 404. */
export function addressedItem(req: EmuRequest, a: DriveAddress): DriveItemRecord {
  if (!a.baseId) throw itemNotFound();
  const item = a.relPath ? itemByPath(a.drive, a.baseId, a.relPath, req.now) : liveItem(a.drive, a.baseId, req.now);
  if (!item) throw itemNotFound();
  return item;
}

/** Signed, expiring download URL (what `@microsoft.graph.downloadUrl` and a /content 302 give). */
export function downloadUrl(req: EmuRequest, drive: DriveRecord, item: DriveItemRecord): string {
  const token = signToken({ k: 'download', t: req.tenant.id, e: req.now + 60 * 60 * 1000, d: drive.id, i: item.id, v: item.version, a: req.appId });
  return `${req.baseUrl}/download/${item.id}?tempauth=${encodeURIComponent(token)}`;
}

export function renderDrive(req: EmuRequest, drive: DriveRecord): Record<string, unknown> {
  const owner = findUser(req.tenant, drive.ownerUserId);
  let used = 0;
  for (const i of Object.values(drive.items)) if (!i._deleted) used += i.size;
  const total = 1024 ** 4;
  return {
    '@odata.context': `${req.baseUrl}/v1.0/$metadata#drives/$entity`,
    id: drive.id,
    driveType: 'business',
    name: 'OneDrive',
    createdDateTime: drive.createdDateTime,
    lastModifiedDateTime: drive.createdDateTime,
    webUrl: `${req.baseUrl}/personal/${drive.ownerUserId}/Documents`,
    owner: { user: { id: drive.ownerUserId, displayName: owner?.userPrincipalName ?? drive.ownerUserId, email: owner?.mail ?? null } },
    quota: { deleted: 0, remaining: total - used, state: 'normal', total, used },
  };
}

export function renderItem(req: EmuRequest, drive: DriveRecord, item: DriveItemRecord): Record<string, unknown> {
  const isRoot = item.parentId === null;
  const path = parentPath(drive, item, req.now);
  const out: Record<string, unknown> = {
    ...(item.isFolder ? {} : { '@microsoft.graph.downloadUrl': downloadUrl(req, drive, item) }),
    id: item.id,
    name: item.name,
    ...(item.description !== undefined ? { description: item.description } : {}),
    eTag: `"{${item.tagGuid}},${item.version}"`,
    cTag: `"c:{${item.tagGuid}},${item.version}"`,
    createdDateTime: item.createdDateTime,
    lastModifiedDateTime: item.lastModifiedDateTime,
    size: item.isFolder ? children(drive, item.id, req.now).reduce((n, c) => n + c.size, 0) : item.size,
    webUrl: `${req.baseUrl}/personal/${drive.ownerUserId}/Documents${path ? path.replace('/drive/root:', '') : ''}/${isRoot ? '' : encodeURIComponent(item.name)}`,
    parentReference: isRoot
      ? { driveType: 'business', driveId: drive.id }
      : { driveType: 'business', driveId: drive.id, id: item.parentId, path },
    fileSystemInfo: { createdDateTime: item.createdDateTime, lastModifiedDateTime: item.lastModifiedDateTime },
  };
  if (isRoot) out['root'] = {};
  if (item.isFolder) out['folder'] = { childCount: children(drive, item.id, req.now).length };
  else out['file'] = { mimeType: item.mimeType ?? 'application/octet-stream', hashes: { quickXorHash: item.quickXorHash, sha256Hash: item.sha256Hash } };
  return out;
}

/** How drive delta shows a deleted item. */
export function renderDeleted(drive: DriveRecord, item: DriveItemRecord): Record<string, unknown> {
  return {
    id: item.id,
    name: item.name,
    parentReference: { driveType: 'business', driveId: drive.id, ...(item.parentId ? { id: item.parentId } : {}) },
    deleted: { state: 'deleted' },
    ...(item.isFolder ? { folder: { childCount: 0 } } : { file: {} }),
  };
}
