// Drive section: OneDrive drives (one per user, provisioned on first access of a user who has a
// mailbox, i.e. a licensed user, as OneDrive provisions on first use), their items, and
// resumable upload sessions. Owned by emulator/graph/drive*. Plain JSON: file bytes are kept
// base64 encoded. Items are Tracked (drive delta); deletions leave tombstones.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { TenantState, Tracked } from './tenant-state.js';
import { readVisible, stampWrite, type WriteAt } from './mail-state.js';

export interface DriveItemRecord extends Tracked {
  id: string;
  name: string;
  /** null for the root. */
  parentId: string | null;
  isFolder: boolean;
  size: number;
  /** File bytes, base64. */
  content?: string;
  mimeType?: string;
  /** driveItem.description (writable by PATCH; content sync keeps its source pairing there). */
  description?: string;
  sha256Hash?: string;
  quickXorHash?: string;
  createdDateTime: string;
  lastModifiedDateTime: string;
  /** GUID of the eTag/cTag; `version` counts changes. */
  tagGuid: string;
  version: number;
}

export interface DriveRecord {
  id: string;
  ownerUserId: string;
  rootId: string;
  createdDateTime: string;
  items: Record<string, DriveItemRecord>;
}

export interface UploadSessionRecord {
  id: string;
  driveId: string;
  parentId: string;
  name: string;
  conflictBehavior: ConflictBehavior;
  /** Existing item the session replaces (createUploadSession on /items/{id}). */
  replaceId?: string;
  expires: number;
  /** Declared total size, from the first Content-Range. */
  total?: number;
  received: number;
  /** Fragments received so far, base64, in order. */
  chunks: string[];
}

export interface DriveState {
  drives: Record<string, DriveRecord>;
  /** User id -> drive id. */
  byUser: Record<string, string>;
  sessions: Record<string, UploadSessionRecord>;
}

export type ConflictBehavior = 'fail' | 'replace' | 'rename';

export function emptyDrive(): DriveState {
  return { drives: {}, byUser: {}, sessions: {} };
}

function section(t: { drive: DriveState }): DriveState {
  t.drive.byUser ??= {};
  t.drive.sessions ??= {};
  return t.drive;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
export function newDriveItemId(): string {
  const bytes = randomBytes(32);
  let s = '01';
  for (const b of bytes) s += ALPHABET[b & 31];
  return s;
}

export function driveOfUser(t: { drive: DriveState }, userId: string): DriveRecord | undefined {
  const d = section(t);
  const id = d.byUser[userId];
  return id === undefined ? undefined : d.drives[id];
}

export function driveById(t: { drive: DriveState }, driveId: string): DriveRecord | undefined {
  return section(t).drives[driveId];
}

/** The user's OneDrive, created (empty, with its root) on first call. */
export function ensureDrive(t: TenantState, userId: string, at: WriteAt): DriveRecord {
  const existing = driveOfUser(t, userId);
  if (existing) return existing;
  const iso = new Date(at.now).toISOString();
  const drive: DriveRecord = { id: 'b!' + randomBytes(48).toString('base64url'), ownerUserId: userId, rootId: newDriveItemId(), createdDateTime: iso, items: {} };
  const root: DriveItemRecord = { id: drive.rootId, name: 'root', parentId: null, isFolder: true, size: 0, createdDateTime: iso, lastModifiedDateTime: iso, tagGuid: randomUUID().toUpperCase(), version: 1, _seq: 0 };
  stampWrite(t, root, { now: at.now, lagMs: 0 }, undefined);
  drive.items[root.id] = root;
  const d = section(t);
  d.drives[drive.id] = drive;
  d.byUser[userId] = drive.id;
  return drive;
}

/** Remove a user's drive (user deleted for good). */
export function dropDrive(t: { drive: DriveState }, userId: string): void {
  const d = section(t);
  const id = d.byUser[userId];
  if (id === undefined) return;
  delete d.drives[id];
  delete d.byUser[userId];
}

export function liveItem(drive: DriveRecord, id: string, now: number): DriveItemRecord | undefined {
  const rec = drive.items[id];
  const seen = rec && readVisible(rec, now);
  return seen && !seen._deleted ? seen : undefined;
}

export function children(drive: DriveRecord, parentId: string, now: number): DriveItemRecord[] {
  const out: DriveItemRecord[] = [];
  for (const rec of Object.values(drive.items)) {
    if (rec.parentId !== parentId) continue;
    const seen = readVisible(rec, now);
    if (seen && !seen._deleted) out.push(seen);
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

export function childByName(drive: DriveRecord, parentId: string, name: string, now: number): DriveItemRecord | undefined {
  const want = name.toLowerCase();
  return children(drive, parentId, now).find((c) => c.name.toLowerCase() === want);
}

/** Walk a path ("a/b/c.txt") from `fromId`; undefined when a segment is missing. */
export function itemByPath(drive: DriveRecord, fromId: string, path: string, now: number): DriveItemRecord | undefined {
  let cur = liveItem(drive, fromId, now);
  for (const seg of path.split('/').filter(Boolean)) {
    if (!cur || !cur.isFolder) return undefined;
    cur = childByName(drive, cur.id, seg, now);
  }
  return cur;
}

/** Path of an item's parent as Graph shows it in parentReference.path: /drive/root:/a/b */
export function parentPath(drive: DriveRecord, item: DriveItemRecord, now: number): string | undefined {
  if (item.parentId === null) return undefined;
  const names: string[] = [];
  let cur = liveItem(drive, item.parentId, now);
  while (cur && cur.parentId !== null) {
    names.unshift(cur.name);
    cur = liveItem(drive, cur.parentId, now);
  }
  return `/drive/root:${names.length ? '/' + names.join('/') : ''}`;
}

export class NameConflictError extends Error {}

/** "report.txt" -> "report 1.txt", "report 2.txt"…: OneDrive's rename on conflict. */
function freeName(drive: DriveRecord, parentId: string, name: string, now: number): string {
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const ext = dot > 0 ? name.slice(dot) : '';
  for (let i = 1; ; i++) {
    const candidate = `${stem} ${i}${ext}`;
    if (!childByName(drive, parentId, candidate, now)) return candidate;
  }
}

export interface PutResult {
  item: DriveItemRecord;
  created: boolean;
}

/** Create a folder or a file (with content) under parentId, honouring conflictBehavior.
 *  replace on a file overwrites its content (same id, new version); on a folder it deletes the
 *  old folder first. */
export function putItem(
  t: TenantState,
  drive: DriveRecord,
  parentId: string,
  name: string,
  kind: { folder: true } | { content: Buffer; mimeType?: string },
  conflict: ConflictBehavior,
  at: WriteAt,
): PutResult {
  const now = at.now;
  let finalName = name;
  const existing = childByName(drive, parentId, name, now);
  if (existing) {
    if (conflict === 'fail') throw new NameConflictError(name);
    if (conflict === 'rename') finalName = freeName(drive, parentId, name, now);
    else if (!existing.isFolder && !('folder' in kind)) return { item: writeContent(t, drive, existing, kind.content, at, kind.mimeType), created: false };
    else deleteItem(t, drive, existing.id, at);
  }
  const iso = new Date(now).toISOString();
  const rec: DriveItemRecord = {
    id: newDriveItemId(),
    name: finalName,
    parentId,
    isFolder: 'folder' in kind,
    size: 0,
    createdDateTime: iso,
    lastModifiedDateTime: iso,
    tagGuid: randomUUID().toUpperCase(),
    version: 1,
    _seq: 0,
  };
  if ('content' in kind) Object.assign(rec, contentFields(kind.content, kind.mimeType ?? mimeTypeOf(finalName)));
  stampWrite(t, rec, at, undefined);
  drive.items[rec.id] = rec;
  return { item: rec, created: true };
}

/** Make sure every folder of "a/b" exists under fromId (OneDrive creates missing parents on
 *  path-addressed uploads); returns the deepest folder. */
export function ensureFolders(t: TenantState, drive: DriveRecord, fromId: string, path: string, at: WriteAt): DriveItemRecord {
  let cur = liveItem(drive, fromId, at.now)!;
  for (const seg of path.split('/').filter(Boolean)) {
    const next = childByName(drive, cur.id, seg, at.now);
    if (next && !next.isFolder) throw new NameConflictError(seg);
    cur = next ?? putItem(t, drive, cur.id, seg, { folder: true }, 'fail', at).item;
  }
  return cur;
}

export function writeContent(t: TenantState, drive: DriveRecord, item: DriveItemRecord, content: Buffer, at: WriteAt, mimeType?: string): DriveItemRecord {
  const next: DriveItemRecord = {
    ...item,
    ...contentFields(content, mimeType ?? item.mimeType ?? mimeTypeOf(item.name)),
    lastModifiedDateTime: new Date(at.now).toISOString(),
    version: item.version + 1,
  };
  stampWrite(t, next, at, item);
  drive.items[item.id] = next;
  return next;
}

export function renameOrMove(t: TenantState, drive: DriveRecord, item: DriveItemRecord, change: { name?: string; parentId?: string; description?: string | null }, at: WriteAt): DriveItemRecord {
  const { description, ...rest } = change;
  const next: DriveItemRecord = { ...item, ...rest, lastModifiedDateTime: new Date(at.now).toISOString(), version: item.version + 1 };
  if (description === null) delete next.description;
  else if (description !== undefined) next.description = description;
  stampWrite(t, next, at, item);
  drive.items[item.id] = next;
  return next;
}

/** Delete an item and, for a folder, everything below it (tombstones for delta). */
export function deleteItem(t: TenantState, drive: DriveRecord, id: string, at: WriteAt): void {
  const rec = liveItem(drive, id, at.now);
  if (!rec) return;
  if (rec.isFolder) for (const c of children(drive, id, at.now)) deleteItem(t, drive, c.id, at);
  const { content: _c, ...rest } = rec;
  void _c;
  const tomb: DriveItemRecord = { ...rest, _deleted: true };
  stampWrite(t, tomb, at, rec);
  drive.items[id] = tomb;
}

function contentFields(content: Buffer, mimeType: string): Pick<DriveItemRecord, 'content' | 'size' | 'sha256Hash' | 'quickXorHash' | 'mimeType'> {
  return {
    content: content.toString('base64'),
    size: content.length,
    sha256Hash: createHash('sha256').update(content).digest('hex').toUpperCase(),
    quickXorHash: quickXorHash(content),
    mimeType,
  };
}

export function contentOf(item: DriveItemRecord): Buffer {
  return Buffer.from(item.content ?? '', 'base64');
}

const MIME_TYPES: Record<string, string> = {
  txt: 'text/plain', csv: 'text/csv', html: 'text/html', json: 'application/json', pdf: 'application/pdf',
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', zip: 'application/zip',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
};

export function mimeTypeOf(name: string): string {
  const ext = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1).toLowerCase() : '';
  return MIME_TYPES[ext] ?? 'application/octet-stream';
}

/** OneDrive's QuickXorHash: bytes XORed into a 160-bit ring, shifted 11 bits per byte, then the
 *  length (64-bit little endian) XORed into the last 8 bytes; base64. */
export function quickXorHash(data: Buffer): string {
  const WIDTH_BYTES = 20;
  const out = new Uint8Array(WIDTH_BYTES);
  let shift = 0;
  for (let i = 0; i < data.length; i++) {
    const b = data[i]!;
    const idx = shift >> 3;
    const off = shift & 7;
    out[idx] = out[idx]! ^ ((b << off) & 0xff);
    if (off > 0) {
      const nxt = (idx + 1) % WIDTH_BYTES;
      out[nxt] = out[nxt]! ^ (b >> (8 - off));
    }
    shift = (shift + 11) % 160;
  }
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(data.length));
  for (let i = 0; i < 8; i++) out[WIDTH_BYTES - 8 + i] = out[WIDTH_BYTES - 8 + i]! ^ len[i]!;
  return Buffer.from(out).toString('base64');
}
