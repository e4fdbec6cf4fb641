// marker: the open extension dev.t2t.migration on the target user (SPEC section 5): which source
// user and wave it belongs to and the phase the last apply completed. Written last, after every
// other step of the user, so the phase it records is the phase the tenants really reached. A
// cutover first stamps cutoverStartedAt (so an interrupted cutover is recognised and resumed);
// going back below cutover clears it again.
import type { Phase } from '../../manifest/model.js';
import { MARKER_EXTENSION_NAME, type MigrationMarker } from '../../inventory/model.js';
import { change, levelFor, targetIdentity } from '../change.js';
import type { JsonObject, ResourceChange, ResourceKind, UserRef } from '../types.js';

export interface MarkerDesired {
  readonly ref: UserRef;
  readonly phase: Phase;
  readonly commit: string | null;
  /** ISO time to stamp as cutoverStartedAt when a cutover begins. */
  readonly now: string;
}
export interface MarkerActual {
  readonly ref: UserRef;
  readonly marker: MigrationMarker;
}

/** ctx.now as ISO text, formatted once per plan rather than once per user. */
let lastNow: { date: Date; time: number; iso: string } | undefined;
function isoNow(date: Date): string {
  const time = date.getTime();
  if (lastNow?.date !== date || lastNow.time !== time) lastNow = { date, time, iso: date.toISOString() };
  return lastNow.iso;
}

export const marker: ResourceKind<MarkerDesired, MarkerActual> = {
  key: 'marker',
  desired(ctx, user, phase) {
    if (levelFor('marker', user, phase) === null) return undefined;
    // discovered: only a target t2t already worked on keeps a marker (saying so)
    if (phase === 'discovered' && !user.marker) return undefined;
    return { ref: user.ref, phase, commit: ctx.commit, now: isoNow(ctx.now) };
  },
  actual(_ctx, user) {
    return user.target && user.marker ? { ref: user.ref, marker: user.marker } : undefined;
  },
  diff(d, a) {
    if (!d) return [];
    const out: ResourceChange[] = [];
    const m = a?.marker;
    const identity = targetIdentity(d.ref);
    if (d.phase === 'cutover' && !m?.cutoverStartedAt && m?.phase !== 'cutover') {
      out.push(
        change({
          resource: 'marker',
          op: 'marker.startCutover',
          action: 'update',
          reversibility: 'reversible',
          tenant: d.ref.targetTenant,
          summary: `mark the start of the cutover of ${d.ref.targetShown}`,
          params: { cutoverStartedAt: d.now, extensionName: MARKER_EXTENSION_NAME, identity },
          inverseOp: 'marker.update',
        }),
      );
    }
    const clearCutover = d.phase !== 'cutover' && !!m?.cutoverStartedAt;
    if (m && !clearCutover && m.sourceUserId === d.ref.sourceUserId && m.sourceTenant === d.ref.sourceTenant && m.wave === d.ref.wave && m.phase === d.phase) {
      return out;
    }
    // params in key order, as the JSON plan prints them (it copies an object that is not)
    const params: JsonObject = {
      ...(clearCutover ? { cutoverStartedAt: null } : {}),
      extensionName: MARKER_EXTENSION_NAME,
      identity,
      lastAppliedCommit: d.commit,
      phase: d.phase,
      ...(a ? { previous: { phase: m!.phase ?? null, wave: m!.wave } } : {}),
      sourceTenant: d.ref.sourceTenant,
      sourceUserId: d.ref.sourceUserId,
      wave: d.ref.wave,
    };
    const what = m && m.phase !== d.phase ? `phase ${m.phase ?? 'none'} -> ${d.phase}` : `phase ${d.phase}`;
    out.push(
      change({
        resource: 'marker',
        op: a ? 'marker.update' : 'marker.create',
        action: a ? 'update' : 'create',
        reversibility: 'reversible',
        tenant: d.ref.targetTenant,
        summary: `mark ${d.ref.targetShown} as ${d.ref.wave} ${what}`,
        params,
        inverseOp: 'marker.update',
      }),
    );
    return out;
  },
};
