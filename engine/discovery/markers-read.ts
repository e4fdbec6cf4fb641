// The migration marker (open extension dev.t2t.migration) of target users. Graph offers no way to
// list users by extension, so markers are read per user, 20 to a $batch: every target user on a
// full read, and on a delta read only the users that can have gained, changed or lost one (see
// discover.ts, markerCandidates).
import { MARKER_EXTENSION_NAME, type MigrationMarker } from '../inventory/model.js';
import { decodeMarker } from '../inventory/marker-codec.js';
import type { DiscoveryClient, BatchRequest } from './discovery-client.js';
import type { TenantCache } from './tenant-cache.js';

const BATCH = 20;
const ROUNDS = 4;

export interface MarkerReadResult {
  batches: number;
  read: number;
  found: number;
  /** Users whose marker could not be read after retries (their cached marker is kept). */
  failed: string[];
}

/** The marker's own fields, without the OData bookkeeping Graph adds, watermarks decoded. */
export function toMarker(body: Record<string, unknown>): MigrationMarker {
  return decodeMarker(body) as unknown as MigrationMarker;
}

export async function readMarkers(
  client: DiscoveryClient,
  cache: TenantCache,
  userIds: Iterable<string>,
  onBatch: (batches: number, read: number) => void,
): Promise<MarkerReadResult> {
  let pending = [...userIds].filter((id) => cache.users.get(id) !== undefined);
  let batches = 0;
  let read = 0;
  let found = 0;
  for (let round = 0; round < ROUNDS && pending.length; round++) {
    const retry: string[] = [];
    for (let i = 0; i < pending.length; i += BATCH) {
      const slice = pending.slice(i, i + BATCH);
      const requests: BatchRequest[] = slice.map((id, n) => ({
        id: String(n + 1),
        method: 'GET',
        url: `/users/${encodeURIComponent(id)}/extensions/${MARKER_EXTENSION_NAME}`,
      }));
      const responses = await client.batch(requests);
      batches++;
      const byId = new Map(responses.map((r) => [r.id, r]));
      slice.forEach((userId, n) => {
        const r = byId.get(String(n + 1));
        const user = cache.users.get(userId);
        if (!user) return;
        if (r && r.status === 200 && r.body && typeof r.body === 'object') {
          read++;
          found++;
          cache.users.put(userId, { ...user, marker: toMarker(r.body as Record<string, unknown>) });
        } else if (r && r.status === 404) {
          read++;
          if (user.marker) {
            const { marker: _gone, ...rest } = user;
            cache.users.put(userId, rest);
          }
        } else {
          retry.push(userId); // throttled inner request, transient error or missing answer
        }
      });
      onBatch(batches, read);
    }
    pending = retry;
    if (pending.length) await new Promise((r) => setTimeout(r, 200 * 2 ** round));
  }
  return { batches, read, found, failed: pending };
}
