// Replication lag (eventual consistency): after a write, readers keep seeing the record's previous
// version (or nothing, for a create) until `_visibleAt`. Driven by faults.replicationLagMs.
//
// Writers:  const before = structuredClone(rec) (undefined for a create); change rec;
//           recordWrite(rec, req.now, writeLag(req), before)
// Readers:  const shown = visibleVersion(rec, req.now); if (!shown) -> 404 / leave it out of lists
import type { EmuRequest } from './http-types.js';
import type { Tracked } from '../store/tenant-state.js';

/** The configured lag in milliseconds (0 when replication is immediate). */
export function writeLag(req: Pick<EmuRequest, 'emulator'>): number {
  return req.emulator.config.faults.replicationLagMs;
}

function withoutTracking<T>(rec: T): T {
  const copy = { ...(rec as object) } as Record<string, unknown>;
  delete copy._visibleAt;
  delete copy._previous;
  return copy as T;
}

/** Stamp a write: with lag, remember what readers see until now + lagMs. `previous` is the record as
 *  it was before this write (undefined for a create). Several writes inside one lag window keep the
 *  version visible before the first of them. */
export function recordWrite<T extends Tracked>(rec: T, now: number, lagMs: number, previous: T | undefined): void {
  if (lagMs <= 0) {
    delete rec._visibleAt;
    delete rec._previous;
    return;
  }
  const inWindow = rec._visibleAt !== undefined && rec._visibleAt > now;
  if (!inWindow) {
    if (previous === undefined) delete rec._previous;
    else rec._previous = withoutTracking(previous);
  }
  rec._visibleAt = now + lagMs;
}

/** The version of a record a reader sees at `now`: the latest, the previous one, or undefined
 *  (a create not yet replicated). Tombstones are returned as they are: callers filter `_deleted`. */
export function visibleVersion<T extends Tracked>(rec: T | undefined, now: number): T | undefined {
  if (!rec) return undefined;
  if (rec._visibleAt === undefined || now >= rec._visibleAt) return rec;
  return rec._previous as T | undefined;
}
