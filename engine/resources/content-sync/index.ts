// contentSync: mailbox, archive and OneDrive content of the profile's workloads. Synced: the
// initial sync done; a delta sync when the caller says the wave's schedule is due (deltaSyncWaves). Cutover:
// a first delta before the target-side steps and a second one after the source-side steps
// (reference/power365/004). Progress is read from the marker's watermarks. Content is never
// deleted by going back, unless spec.prune.
import type { SyncWatermark, WorkloadName } from '../../inventory/model.js';
import { byteSize, IEC_UNITS } from '../../util/byte-size.js';
import { plural } from '../../util/plural.js';
import { change, levelFor, targetIdentity } from '../change.js';
import type { JsonObject, ResourceChange, ResourceKind, UserRef } from '../types.js';

export interface ContentDesired {
  readonly ref: UserRef;
  readonly workloads: readonly WorkloadName[];
  readonly final: boolean;
  /** A scheduled delta sync is due (synced phase only). */
  readonly delta: boolean;
  readonly sizes: Readonly<Record<WorkloadName, { items: number; bytes: number }>>;
}

export interface ContentActual {
  readonly ref: UserRef;
  readonly sync: Readonly<Partial<Record<WorkloadName, SyncWatermark>>>;
  readonly cutoverStartedAt: string | null;
  /** The second cutover delta is behind the user once the notification went or the cutover completed. */
  readonly secondDeltaDone: boolean;
}

const LABEL: Record<WorkloadName, string> = { mailbox: 'mailbox', archive: 'archive', onedrive: 'OneDrive' };

export function formatBytes(n: number): string {
  return byteSize(n, IEC_UNITS);
}

export const contentSync: ResourceKind<ContentDesired, ContentActual> = {
  key: 'contentSync',
  desired(ctx, user, phase) {
    const l = levelFor('contentSync', user, phase);
    if (l === null || user.profile.workloads.length === 0) return undefined;
    const c = user.content;
    return {
      ref: user.ref,
      workloads: user.profile.workloads,
      final: l === 'final',
      delta: l !== 'final' && !!ctx.deltaSyncWaves?.has(user.wave.name),
      sizes: {
        mailbox: { items: c?.mailboxItems ?? 0, bytes: c?.mailboxBytes ?? 0 },
        archive: { items: c?.archiveItems ?? 0, bytes: c?.archiveBytes ?? 0 },
        onedrive: { items: c?.driveItems ?? 0, bytes: c?.driveBytes ?? 0 },
      },
    };
  },
  actual(_ctx, user) {
    const m = user.marker;
    if (!m?.sync || Object.keys(m.sync).length === 0) return undefined;
    return {
      ref: user.ref,
      sync: m.sync,
      cutoverStartedAt: m.cutoverStartedAt ?? null,
      secondDeltaDone: !!m.notificationSentAt || m.phase === 'cutover',
    };
  },
  diff(d, a): ResourceChange[] {
    const out: ResourceChange[] = [];
    if (d) {
      for (const w of d.workloads) {
        const wm = a?.sync[w];
        // nothing to run for this workload (the common case): no params to build
        if (wm?.initialDoneAt && !d.final && !d.delta) continue;
        const size = d.sizes[w];
        // params in key order, as the JSON plan prints them (it copies an object that is not)
        const params = (pass?: 'scheduled' | 'first' | 'second'): JsonObject => ({
          bytes: size.bytes,
          items: size.items,
          ...(pass ? { pass } : {}),
          sourceAddress: d.ref.sourceAddress,
          sourceTenant: d.ref.sourceTenant,
          sourceUserId: d.ref.sourceUserId,
          ...(pass === 'first' ? { startsCutover: true } : {}),
          target: targetIdentity(d.ref),
          workload: w,
        });
        // every change of a workload is a compensable run in the target tenant; they differ in
        // op, summary and pass
        const run = (op: string, summary: string, params: JsonObject) =>
          out.push(change({ resource: 'contentSync', op, action: 'run', reversibility: 'compensable', tenant: d.ref.targetTenant, summary, params, inverseOp: null, key: w }));
        if (!wm?.initialDoneAt) {
          run('contentSync.initial', `initial sync of ${LABEL[w]} ${d.ref.sourceAddress} -> ${d.ref.targetAddress} (${sizeText(size)})`, params());
        }
        if (!d.final) {
          if (wm?.initialDoneAt && d.delta) run('contentSync.delta', `delta sync of ${LABEL[w]} ${d.ref.sourceAddress} -> ${d.ref.targetAddress}`, params('scheduled'));
          continue;
        }
        const firstDone = !!(wm?.lastDeltaAt && a?.cutoverStartedAt && wm.lastDeltaAt >= a.cutoverStartedAt);
        if (!firstDone) run('contentSync.delta', `cutover delta sync of ${LABEL[w]} ${d.ref.sourceAddress} (first pass)`, params('first'));
        if (!a?.secondDeltaDone) run('contentSync.secondDelta', `cutover delta sync of ${LABEL[w]} ${d.ref.sourceAddress} (second pass)`, params('second'));
      }
      return out;
    }
    if (a) {
      // only reached with spec.prune (the planner keeps content and lists it as an orphan otherwise)
      for (const w of Object.keys(a.sync) as WorkloadName[]) {
        out.push(
          change({
            resource: 'contentSync',
            op: 'contentSync.delete',
            action: 'delete',
            reversibility: 'one-way',
            tenant: a.ref.targetTenant,
            summary: `delete synced ${LABEL[w]} content of ${a.ref.targetShown}`,
            params: { target: targetIdentity(a.ref), workload: w },
            inverseOp: null,
            key: w,
          }),
        );
      }
    }
    return out;
  },
  satisfied(d, a) {
    for (const w of d.workloads) {
      const wm = a?.sync[w];
      if (!wm?.initialDoneAt) return false;
      if (!d.final) {
        if (d.delta) return false; // a scheduled delta sync is due
        continue;
      }
      const firstDone = !!(wm.lastDeltaAt && a?.cutoverStartedAt && wm.lastDeltaAt >= a.cutoverStartedAt);
      if (!firstDone || !a?.secondDeltaDone) return false;
    }
    return true;
  },
  describe(a) {
    const parts = Object.entries(a.sync).map(([w, wm]) => `${LABEL[w as WorkloadName]} (${plural(wm?.items ?? 0, 'item')}, ${formatBytes(wm?.bytes ?? 0)})`);
    return `synced content of ${a.ref.targetAddress}: ${parts.join(', ')}`;
  },
};

/** "12 items, 1.9 MiB"; bytes alone when the tenant gave no count (bytes without an item). */
export function sizeText(size: { items: number; bytes: number }): string {
  return size.items === 0 && size.bytes > 0 ? formatBytes(size.bytes) : `${plural(size.items, 'item')}, ${formatBytes(size.bytes)}`;
}
