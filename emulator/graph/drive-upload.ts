// OneDrive uploads: simple PUT …/content (≤ 250 MB; 201 new, 200 replaced) and resumable upload
// sessions: POST …:/createUploadSession -> {uploadUrl, expirationDateTime, nextExpectedRanges},
// then PUT fragments to the anonymous uploadUrl with Content-Range. Fragments must be
// contiguous, smaller than 60 MiB and (except the last) multiples of 320 KiB, as OneDrive
// requires; 202 with nextExpectedRanges until the last, which answers 201/200 with the item.
import { randomBytes } from 'node:crypto';
import { GraphError, badRequest, json, type EmuRequest, type EmuResponse } from '../core/http-types.js';
import {
  NameConflictError,
  childByName,
  ensureFolders,
  putItem,
  writeContent,
  liveItem,
  driveById,
  type DriveRecord,
  type UploadSessionRecord,
} from '../store/drive-state.js';
import type { TenantState } from '../store/tenant-state.js';
import { addressedItem, conflictBehavior, itemNotFound, nameExists, renderItem, type DriveAddress } from './drive-address.js';
import { signToken, verifyToken } from './mail-signed-url.js';
import { writeAt } from './mail-query.js';

export const SIMPLE_UPLOAD_MAX = 250 * 1024 * 1024;
export const FRAGMENT_MULTIPLE = 320 * 1024;
export const FRAGMENT_MAX = 60 * 1024 * 1024;
const SESSION_MS = 24 * 60 * 60 * 1000;

/** Split an address with a relative path into (parent folder path, file name). */
function splitTarget(a: DriveAddress): { folderPath: string; name: string } {
  const parts = (a.relPath ?? '').split('/');
  const name = parts.pop()!;
  if (!name || /[\\*?"<>|]/.test(name)) throw badRequest(`Invalid file name '${name}'.`, 'invalidRequest');
  return { folderPath: parts.join('/'), name };
}

function conflictError(e: unknown, name: string): never {
  if (e instanceof NameConflictError) throw nameExists(name);
  throw e;
}

export function putContent(req: EmuRequest, a: DriveAddress): EmuResponse {
  const bytes = req.rawBody;
  if (bytes.length > SIMPLE_UPLOAD_MAX) {
    throw new GraphError(413, 'requestTooLarge', `Simple upload is limited to 250 MB (got ${bytes.length} bytes): use an upload session.`);
  }
  const mimeType = req.headers['content-type'] && !req.headers['content-type'].startsWith('application/octet-stream') ? req.headers['content-type'].split(';')[0]! : undefined;
  if (!a.relPath) {
    const item = addressedItem(req, a);
    if (item.isFolder) throw badRequest('A folder has no content to replace.', 'invalidRequest');
    return json(200, renderItem(req, a.drive, writeContent(req.tenant, a.drive, item, bytes, writeAt(req), mimeType)));
  }
  const { folderPath, name } = splitTarget(a);
  if (!liveItem(a.drive, a.baseId!, req.now)) throw itemNotFound();
  const behavior = conflictBehavior(req.query.get('@microsoft.graph.conflictBehavior'), 'replace');
  try {
    const parent = ensureFolders(req.tenant, a.drive, a.baseId!, folderPath, writeAt(req));
    const { item, created } = putItem(req.tenant, a.drive, parent.id, name, { content: bytes, ...(mimeType ? { mimeType } : {}) }, behavior, writeAt(req));
    return json(created ? 201 : 200, renderItem(req, a.drive, item));
  } catch (e) {
    return conflictError(e, name);
  }
}

export function createUploadSession(req: EmuRequest, a: DriveAddress): EmuResponse {
  const item = ((req.body ?? {}) as { item?: Record<string, unknown> }).item ?? {};
  const behavior = conflictBehavior(item['@microsoft.graph.conflictBehavior'], 'replace');
  const session: UploadSessionRecord = {
    id: randomBytes(16).toString('hex'),
    driveId: a.drive.id,
    parentId: '',
    name: '',
    conflictBehavior: behavior,
    expires: req.now + SESSION_MS,
    received: 0,
    chunks: [],
  };
  if (a.relPath) {
    const { folderPath, name } = splitTarget(a);
    if (!liveItem(a.drive, a.baseId!, req.now)) throw itemNotFound();
    try {
      const parent = ensureFolders(req.tenant, a.drive, a.baseId!, folderPath, writeAt(req));
      if (behavior === 'fail' && childByName(a.drive, parent.id, name, req.now)) throw new NameConflictError(name);
      session.parentId = parent.id;
      session.name = name;
    } catch (e) {
      conflictError(e, name);
    }
  } else {
    const existing = addressedItem(req, a);
    if (existing.isFolder || existing.parentId === null) throw badRequest('An upload session needs a file path or an existing file.', 'invalidRequest');
    session.parentId = existing.parentId;
    session.name = existing.name;
    session.replaceId = existing.id;
  }
  req.tenant.drive.sessions[session.id] = session;
  const token = signToken({ k: 'upload', t: req.tenant.id, e: session.expires, s: session.id, a: req.appId });
  return json(200, {
    '@odata.context': `${req.baseUrl}/v1.0/$metadata#microsoft.graph.uploadSession`,
    // the capability token in the query, as SharePoint's upload URLs carry it (tempauth=…): what
    // logs strip from a URL, where a path segment would stay
    uploadUrl: `${req.baseUrl}/up/${session.id}?tempauth=${encodeURIComponent(token)}`,
    expirationDateTime: new Date(session.expires).toISOString(),
    nextExpectedRanges: ['0-'],
  });
}

function sessionOf(req: EmuRequest): { t: TenantState; drive: DriveRecord; session: UploadSessionRecord } {
  const p = verifyToken(req.query.get('tempauth'), 'upload', req.now);
  const t = req.emulator.tenant(p.t);
  const session = p['s'] === req.params['session'] ? t?.drive.sessions[String(p['s'])] : undefined;
  const drive = session && t && driveById(t, session.driveId);
  if (!t || !session || !drive) throw new GraphError(404, 'itemNotFound', 'The upload session was not found: it completed, was cancelled or expired.');
  return { t, drive, session };
}

const status = (s: UploadSessionRecord) => ({ expirationDateTime: new Date(s.expires).toISOString(), nextExpectedRanges: [`${s.received}-`] });

/** GET {uploadUrl}: the session's status. */
export function uploadStatus(req: EmuRequest): EmuResponse {
  return json(200, status(sessionOf(req).session));
}

/** DELETE {uploadUrl}: cancel. */
export function cancelUpload(req: EmuRequest): EmuResponse {
  const { t, session } = sessionOf(req);
  delete t.drive.sessions[session.id];
  return { status: 204 };
}

/** PUT {uploadUrl} with Content-Range: bytes start-end/total. */
export function uploadFragment(req: EmuRequest): EmuResponse {
  const { t, drive, session } = sessionOf(req);
  const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec((req.headers['content-range'] ?? '').trim());
  if (!range) throw badRequest("A fragment needs a 'Content-Range: bytes {start}-{end}/{total}' header.", 'invalidRequest');
  const [start, end, total] = [Number(range[1]), Number(range[2]), Number(range[3])];
  const bytes = req.rawBody;
  if (end < start || end - start + 1 !== bytes.length) {
    throw badRequest(`Content-Range ${start}-${end} declares ${end - start + 1} bytes but the body has ${bytes.length}.`, 'invalidRequest');
  }
  if (end >= total || (session.total !== undefined && session.total !== total)) throw badRequest('Content-Range total does not match the session.', 'invalidRequest');
  if (bytes.length >= FRAGMENT_MAX) throw badRequest(`A fragment must be smaller than 60 MiB (got ${bytes.length} bytes).`, 'invalidRequest');
  if (start !== session.received) {
    throw new GraphError(416, 'invalidRange', `The fragment starting at ${start} does not match the next expected range ${session.received}-.`);
  }
  const last = end + 1 === total;
  if (!last && bytes.length % FRAGMENT_MULTIPLE !== 0) {
    throw badRequest(`A fragment other than the last must be a multiple of 320 KiB (327,680 bytes); got ${bytes.length}.`, 'invalidRequest');
  }
  session.total = total;
  session.chunks.push(bytes.toString('base64'));
  session.received = end + 1;
  if (!last) return json(202, status(session));
  delete t.drive.sessions[session.id];
  const content = Buffer.concat(session.chunks.map((c) => Buffer.from(c, 'base64')));
  const view: EmuRequest = { ...req, tenant: t };
  if (session.replaceId) {
    const existing = liveItem(drive, session.replaceId, req.now);
    if (!existing) throw itemNotFound();
    return json(200, renderItem(view, drive, writeContent(t, drive, existing, content, writeAt(req))));
  }
  try {
    const { item, created } = putItem(t, drive, session.parentId, session.name, { content }, session.conflictBehavior, writeAt(req));
    return json(created ? 201 : 200, renderItem(view, drive, item));
  } catch (e) {
    return conflictError(e, session.name);
  }
}
