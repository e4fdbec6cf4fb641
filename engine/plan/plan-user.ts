// The changes of one user: desired (declared phase) vs actual per resource kind, the rollback
// policy of the phase table for what is no longer desired, and the step order with dependsOn.
import { phaseIndex, type Phase } from '../manifest/model.js';
import { firstDesiredPhase, MARKER_STAGE, ROLLBACK, stageOf, UNDOES } from '../resources/phase-table.js';
import { RESOURCE_KINDS } from '../resources/registry.js';
import type { BlockedReason, PlanContext, ResourceChange, ResourceKind, ResourceName, UserContext } from '../resources/types.js';
import type { ObservedPhase, Orphan } from './model.js';
import { observedRank } from './observed-phase.js';

export interface UserChanges {
  /** In execution order; `after[i]` lists indexes in `changes` that change i depends on. */
  readonly changes: ResourceChange[];
  readonly after: number[][];
  readonly orphans: Orphan[];
  readonly blocked?: BlockedReason;
  readonly backward: boolean;
}

/** Target-side kinds that are properties of the target user: gone with it when it is deleted. */
const ON_TARGET_USER = new Set<ResourceName>([
  'guestConversion',
  'mailUser',
  'targetVisibility',
  'license',
  'targetForwarding',
  'contentSync',
  'x500Addresses',
  'groupMembership',
  'rewriteMembership',
  'marker',
  'notification',
  'serviceAccountCleanup',
  'guestInvitation',
]);

const LICENSE_STAGE = stageOf('license.assign');

function stageKey(c: ResourceChange, backward: boolean): number {
  if (c.resource === 'marker' && c.op !== 'marker.startCutover') return MARKER_STAGE;
  return backward ? stageOf(UNDOES[c.op] ?? c.inverseOp ?? c.op) : stageOf(c.op);
}

export function planUser(
  ctx: PlanContext,
  user: UserContext,
  declared: Phase,
  observed: ObservedPhase,
  keep: (c: ResourceChange) => boolean = () => true,
  kinds: readonly ResourceKind[] = RESOURCE_KINDS,
  /** kinds[i].actual(ctx, user), when the caller already read them. */
  actuals?: readonly unknown[],
): UserChanges {
  const backward = phaseIndex(declared) < observedRank(observed);
  const reached = Math.max(observedRank(observed), user.marker?.phase ? phaseIndex(user.marker.phase) : 0);
  let changes: ResourceChange[] = [];
  const orphans: Orphan[] = [];
  let blocked: BlockedReason | undefined;
  for (let i = 0; i < kinds.length; i++) {
    const k = kinds[i]!;
    const d = k.desired(ctx, user, declared);
    const a = actuals ? actuals[i] : k.actual(ctx, user);
    if (d !== undefined) {
      const b = k.blocked?.(d);
      if (b) {
        blocked = b;
        continue;
      }
      for (const c of k.diff(d, a)) changes.push(c);
      continue;
    }
    if (a === undefined) continue;
    const policy = ROLLBACK[k.key];
    if (policy === 'revert') {
      for (const c of k.diff(undefined, a)) changes.push(c);
    } else if (policy === 'retain') {
      // only what t2t brought about is kept or pruned: the user must have reached the kind's phase
      const first = firstDesiredPhase(k.key, user.profile.createAs);
      if (first === null || reached < phaseIndex(first)) continue;
      const object = k.describe ? k.describe(a) : k.key;
      const pruned = ctx.project.prune ? k.diff(undefined, a) : [];
      if (pruned.length) for (const c of pruned) changes.push(c);
      else
        orphans.push({
          tenant: user.ref.targetTenant,
          resource: k.key,
          object,
          reason: ctx.project.prune
            ? `wave ${user.ref.wave} went back to ${declared}; not created by t2t, so never deleted`
            : `wave ${user.ref.wave} went back to ${declared}; kept because spec.prune is not true`,
          wave: user.ref.wave,
          user: user.ref.sourceAddress,
        });
    }
  }
  // deleting the target user takes its properties with it: no separate steps for them
  if (changes.some((c) => c.op === 'targetUser.delete')) {
    changes = changes.filter((c) => c.resource === 'targetUser' || c.tenant !== user.ref.targetTenant || !ON_TARGET_USER.has(c.resource));
  }
  // no licence: prepare-level work goes ahead, nothing from the licence on (and the marker stays)
  if (blocked) changes = changes.filter((c) => c.resource !== 'marker' && stageKey(c, false) < LICENSE_STAGE);

  changes = changes.filter(keep);

  // order: stages ascending (forward) or by the undone step descending (rollback), marker last
  const keyed = changes.map((c, i) => ({ c, i, s: stageKey(c, backward) }));
  keyed.sort((x, y) => {
    const xs = x.s === MARKER_STAGE ? Infinity : backward ? -x.s : x.s;
    const ys = y.s === MARKER_STAGE ? Infinity : backward ? -y.s : y.s;
    return xs - ys || x.i - y.i;
  });
  const ordered = keyed.map((k) => k.c);
  const after: number[][] = [];
  let prevStage: number[] = [];
  let curStage: number[] = [];
  let cur: number | undefined;
  keyed.forEach((k, idx) => {
    if (cur === undefined || k.s !== cur) {
      if (cur !== undefined) prevStage = curStage;
      curStage = [];
      cur = k.s;
    }
    after.push(prevStage);
    curStage.push(idx);
  });
  return { changes: ordered, after, orphans, ...(blocked ? { blocked } : {}), backward };
}
