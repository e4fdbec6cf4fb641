// Upload one file to a OneDrive path, replacing what is there: a simple PUT up to 4 MiB (Graph's
// recommendation), else a resumable upload session in fragments that are multiples of 320 KiB
// (OneDrive's rule) and well under 60 MiB.
import type { TenantClient } from '../tenant/client.js';
import { statusOf } from './sync-context.js';

export const SIMPLE_MAX = 4 * 1024 * 1024;
export const FRAGMENT = 16 * 320 * 1024; // 5 MiB

/** The driveItem the service answers with (its description tells the sync which source item it copies). */
export interface UploadedItem {
  id: string;
  description?: string;
}

const enc = (path: string) => path.split('/').map(encodeURIComponent).join('/');

/** `drive` is the target drive's path, e.g. /users/{id}/drive; `path` relative to its root. */
export async function uploadFile(client: TenantClient, drive: string, path: string, bytes: Buffer, signal?: AbortSignal, fragment = FRAGMENT): Promise<UploadedItem> {
  const sig = signal ? { signal } : {};
  const object = `file ${path}`;
  if (bytes.length <= SIMPLE_MAX) {
    // application/octet-stream: another content type would become the file's MIME type.
    return client.graph.sendBytes('PUT', `${drive}/root:/${enc(path)}:/content?@microsoft.graph.conflictBehavior=replace`, bytes, 'application/octet-stream', { ...sig, object });
  }
  if (fragment % (320 * 1024) !== 0 || fragment >= 60 * 1024 * 1024) throw new RangeError('upload fragments must be multiples of 320 KiB under 60 MiB');
  // A session that is never used expires by itself: creating one again is harmless.
  const session = await client.graph.post<{ uploadUrl: string }>(
    `${drive}/root:/${enc(path)}:/createUploadSession`,
    { item: { '@microsoft.graph.conflictBehavior': 'replace' } },
    { ...sig, safe: true, object },
  );
  let start = 0;
  for (;;) {
    const end = Math.min(start + fragment, bytes.length) - 1;
    let answer: { id?: string; description?: string; nextExpectedRanges?: string[] };
    try {
      answer = await client.graph.preauthenticated('PUT', session.uploadUrl, bytes.subarray(start, end + 1), 'application/octet-stream', {
        ...sig,
        object,
        headers: { 'Content-Range': `bytes ${start}-${end}/${bytes.length}` },
      });
    } catch (e) {
      // A retried fragment the service already had: ask where to go on.
      if (statusOf(e) !== 416) throw e;
      answer = await client.graph.get(session.uploadUrl, sig);
    }
    if (answer.id) return { id: answer.id, ...(answer.description !== undefined ? { description: answer.description } : {}) };
    const nextStart = Number(/^(\d+)-/.exec(answer.nextExpectedRanges?.[0] ?? '')?.[1] ?? end + 1);
    if (nextStart >= bytes.length) throw new Error(`upload of ${path}: the service expects more bytes than the file has`);
    start = nextStart;
  }
}
