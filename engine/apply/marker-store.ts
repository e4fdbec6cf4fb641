// The migration marker (open extension dev.t2t.migration on the target user, SPEC section 5):
// read, and merge fields into it. Graph replaces an open extension's data on PATCH (fields left
// out are removed), so every write is read-merge-write of the whole marker, serialised per user
// within a run. The run remembers the marker it last wrote (UserRun.marker), so a user's second
// and later merges skip the read: within a run only these steps write the marker (the project
// lock keeps other runs out), and any failed write forgets it. Open extension values must be
// primitives or arrays, so nested objects (the content sync watermarks) are stored as JSON strings
// and decoded on read.
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

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Tell the run that the user has no marker yet (it was created by this run a moment ago), so the
 *  first merge creates it without reading. */
export function markerKnownAbsent(ctx: StepContext): void {
  if (!ctx.dryRun) ctx.user.marker = null;
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
    const current = known !== undefined && !isDryRunId(userId) ? (known ?? undefined) : await readMarker(ctx, userId);
    const remember = (m: MarkerData | undefined) => {
      if (!isDryRunId(userId)) ctx.user.marker = m ? decodeMarker(encodeMarker(m)) : null;
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
    if (current && same(encodeMarker(current), encodeMarker(next))) {
      remember(current);
      return { marker: next, written: false };
    }
    const body = { '@odata.type': 'microsoft.graph.openTypeExtension', extensionName: MARKER_EXTENSION_NAME, ...encodeMarker(next) };
    if (current) {
      await ctx.tenant.graph.patch(path(userId), body);
      remember(next);
      return { marker: next, written: true };
    }
    try {
      await ctx.tenant.graph.post(`/users/${encodeURIComponent(userId)}/extensions`, body);
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
      // created meanwhile (a read that missed it through replication lag): merge into that one
      const found = await readEventually(ctx, () => readMarker(ctx, userId));
      const merged = { ...(found ?? {}), ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== null && v !== undefined)) };
      for (const [k, v] of Object.entries(fields)) if (v === null) delete merged[k];
      await ctx.tenant.graph.patch(path(userId), { ...body, ...encodeMarker(merged) });
      remember(merged);
      return { marker: merged, written: true };
    }
    remember(next);
    return { marker: next, written: true };
  });
}
