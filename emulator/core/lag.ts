// Replication lag (eventual consistency): after a write, readers keep seeing the record's previous
// version (or nothing, for a create) until `_visibleAt`. Driven by faults.replicationLagMs.
//
// Writers:  const before = structuredClone(rec) (undefined for a create); change rec;
//           recordWrite(rec, req.now, writeLag(req), before)
// Readers:  const shown = visibleVersion(rec, req.now); if (!shown) -> 404 / leave it out of lists
import { AsyncLocalStorage } from 'node:async_hooks';
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

/** The write a handler is making: when, and how long it stays invisible to readers. */
export interface WriteContext {
  now: number;
  lagMs: number;
}

const currentWrite = new AsyncLocalStorage<WriteContext>();

/** Run a handler with its write context: store functions deep in a call chain (directory touch,
 *  recipient touch) stamp lag from it without every caller passing the request down. Internal
 *  dispatch (Emulator.invoke: generation, scenario building) runs without one: no lag. */
export function withWriteContext<T>(ctx: WriteContext, run: () => T): T {
  return currentWrite.run(ctx, run);
}

/** The running handler's write context, if any. */
export function writeContext(): WriteContext | undefined {
  return currentWrite.getStore();
}

/** A deep copy of `rec` as readers see it until the coming change replicates, or undefined when
 *  there is no lag (no copy made). Take it BEFORE changing the record. */
export function snapshotForLag<T extends Tracked>(rec: T): T | undefined {
  const w = currentWrite.getStore();
  return w && w.lagMs > 0 ? structuredClone(rec) : undefined;
}

/** Stamp a write with the running handler's lag. `before`: the record before the change (from
 *  snapshotForLag), `null` for a create (invisible until replicated), undefined when unknown (the
 *  change shows at once, but a write window already open keeps its earlier version). Returns
 *  whether the write lags. */
export function stampLag<T extends Tracked>(rec: T, before: T | null | undefined): boolean {
  const w = currentWrite.getStore();
  if (!w || w.lagMs <= 0) {
    recordWrite(rec, w?.now ?? 0, 0, undefined);
    return false;
  }
  if (before === null) {
    // A create: nothing to show until it replicates (an earlier window of the same record, e.g.
    // a touch before it was stored, must not supply a version).
    delete rec._visibleAt;
    delete rec._previous;
    recordWrite(rec, w.now, w.lagMs, undefined);
  } else {
    recordWrite(rec, w.now, w.lagMs, before ?? rec);
  }
  return true;
}
