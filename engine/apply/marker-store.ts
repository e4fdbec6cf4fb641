// The migration marker (open extension dev.t2t.migration on the target user, SPEC section 5):
// read, and merge fields into it. Graph replaces an open extension's data on PATCH (fields left
// out are removed), so every write is read-merge-write of the whole marker, serialised per user
// within a run. The run remembers the marker it last wrote (UserRun.marker), so a user's second
// and later merges skip the read: within a run only these steps write the marker (the project
// lock keeps other runs out), and any failed write forgets it. Open extension values must be
// primitives or arrays, so nested objects (the content sync watermarks) are stored as JSON strings
// and decoded on read.
//
// An open extension on a user holds at most 2 KB (learn.microsoft.com/graph/extensibility-overview,
// "Max. of 2 Kb per open extension"; Graph answers a bigger write with 400 "Maximum size supported
// for each extension is : 2 KB."). The mail sync keeps its delta positions on the target folders
// (engine/sync/folder-positions.ts); what the marker still holds is OneDrive's one position, and a
// mailbox's positions when the target refuses to keep them on its folders. A write that would pass
// the limit leaves out the longest positions until it fits (fitMarker). A folder without a saved
// position is read again from the start by the next sync, its copies paired from the target as on
// a first run, so nothing is copied twice; what is lost is the delta (removals in that folder are
// not seen in that round).
import { MARKER_EXTENSION_NAME, type MigrationMarker } from '../inventory/model.js';
import { isAlreadyExists, isDryRunId, orMissing, readEventually } from './step-kit.js';
import type { StepContext } from './step-types.js';

import { decodeMarker, encodeMarker, type MarkerData } from '../inventory/marker-codec.js';

export { decodeMarker, encodeMarker };

const path = (userId: string) => `/users/${encodeURIComponent(userId)}/extensions/${MARKER_EXTENSION_NAME}`;

export async function readMarker(ctx: StepContext, userId: string): Promise<(MigrationMarker & MarkerData) | undefined> {
  if (isDryRunId(userId)) return undefined;
  const body = await orMissing(ctx.tenant.graph.get<MarkerData>(path(userId)));
  return body ? (decodeMarker(body) as MigrationMarker & MarkerData) : undefined;
}

/** Bytes of custom data an open extension on a user may hold. */
export const MARKER_MAX_BYTES = 2048;

const markerBytes = (m: MarkerData) => Buffer.byteLength(JSON.stringify(encodeMarker(m)));

/**
 * The marker as it can be stored: within MARKER_MAX_BYTES, leaving out the longest content-sync
 * delta positions first; `dropped` counts them. A marker still too big without any is returned as
 * it is (the service refuses it and says why).
 */
export function fitMarker(m: MarkerData): { marker: MarkerData; dropped: number } {
  if (markerBytes(m) <= MARKER_MAX_BYTES) return { marker: m, dropped: 0 };
  const sync = m['sync'];
  if (!sync || typeof sync !== 'object') return { marker: m, dropped: 0 };
  const workloads: Record<string, Record<string, unknown>> = {};
  for (const [w, v] of Object.entries(sync as Record<string, unknown>)) {
    if (v && typeof v === 'object') workloads[w] = { ...(v as Record<string, unknown>), ...((v as { deltaLinks?: unknown }).deltaLinks ? { deltaLinks: { ...((v as { deltaLinks: Record<string, unknown> }).deltaLinks) } } : {}) };
  }
  const out: MarkerData = { ...m, sync: { ...(sync as Record<string, unknown>), ...workloads } };
  const positions = Object.entries(workloads)
    .flatMap(([w, v]) => Object.entries((v['deltaLinks'] ?? {}) as Record<string, unknown>).map(([key, link]) => ({ w, key, size: key.length + String(link).length })))
    .sort((a, b) => b.size - a.size);
  let dropped = 0;
  for (const p of positions) {
    if (markerBytes(out) <= MARKER_MAX_BYTES) break;
    delete (workloads[p.w]!['deltaLinks'] as Record<string, unknown>)[p.key];
    dropped++;
  }
  return { marker: out, dropped };
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Tell the run that the user has no marker yet (it was created by this run a moment ago), so the
 *  first merge creates it without reading. */
export function markerKnownAbsent(ctx: StepContext): void {
  ctx.user.marker = null;
}

/**
 * Merge `fields` into the user's marker (null removes a field) and write it when anything changed.
 * `update` may compute the fields from the current marker (return undefined: leave it as it is).
 * Returns the marker as written (or found).
 */
export async function mergeMarker(
  ctx: StepContext,
  userId: string,
  update: MarkerData | ((current: MarkerData | undefined) => MarkerData | undefined),
): Promise<{ marker: MarkerData; written: boolean }> {
  return ctx.user.markerLock.run(async () => {
    const known = ctx.user.marker;
    ctx.user.marker = undefined; // forgotten unless this merge ends knowing what the tenant holds
    // in a dry run too: what the run would have written is what its next merge would find, so the
    // writes listed are those a real apply sends (a PATCH of the whole marker, not a POST per step)
    const current = known !== undefined ? (known ?? undefined) : await readMarker(ctx, userId);
    const remember = (m: MarkerData | undefined) => {
      ctx.user.marker = m ? decodeMarker(encodeMarker(m)) : null;
    };
    const fields = typeof update === 'function' ? update(current) : update;
    if (!fields) {
      remember(current);
      return { marker: current ?? {}, written: false };
    }
    const next: MarkerData = { ...(current ?? {}) };
    // a marker always says whose it is (the planner treats one without sourceUserId as foreign)
    const who = ctx.user.identity;
    if (who && !next['sourceUserId']) Object.assign(next, { sourceTenant: who.sourceTenant, sourceUserId: who.sourceUserId, wave: next['wave'] ?? who.wave });
    for (const [k, v] of Object.entries(fields)) {
      if (v === null || v === undefined) delete next[k];
      else next[k] = v;
    }
    const fitted = fitMarker(next);
    if (fitted.dropped) {
      ctx.warnOnce(
        `marker-size:${userId}`,
        `the migration marker of ${ctx.change.user} would pass the 2 KB an open extension holds: ${fitted.dropped} content-sync delta position(s) not saved; those folders are read again from the start by the next sync (nothing is copied twice)`,
      );
    }
    const stored = fitted.marker;
    if (current && same(encodeMarker(current), encodeMarker(stored))) {
      remember(current);
      return { marker: stored, written: false };
    }
    const body = { '@odata.type': 'microsoft.graph.openTypeExtension', extensionName: MARKER_EXTENSION_NAME, ...encodeMarker(stored) };
    if (current) {
      await ctx.tenant.graph.patch(path(userId), body);
      remember(stored);
      return { marker: stored, written: true };
    }
    try {
      await ctx.tenant.graph.post(`/users/${encodeURIComponent(userId)}/extensions`, body);
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
      // created meanwhile (a read that missed it through replication lag): merge into that one
      const found = await readEventually(ctx, () => readMarker(ctx, userId));
      const all = { ...(found ?? {}), ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== null && v !== undefined)) };
      for (const [k, v] of Object.entries(fields)) if (v === null) delete all[k];
      // as before: what this merge meant to write, with the marker found laid over it
      const merged = fitMarker({ ...stored, ...all }).marker;
      await ctx.tenant.graph.patch(path(userId), { '@odata.type': 'microsoft.graph.openTypeExtension', extensionName: MARKER_EXTENSION_NAME, ...encodeMarker(merged) });
      remember(merged);
      return { marker: merged, written: true };
    }
    remember(stored);
    return { marker: stored, written: true };
  });
}
