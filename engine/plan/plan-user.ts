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

/** Returned when a user leaves nothing behind (most users): read-only, so a caller that pushed
 *  into it would fail loudly instead of sharing the push with every other user. */
const NO_ORPHANS: Orphan[] = Object.freeze([]) as unknown as Orphan[];
// sort keys of the current user's changes (planUser runs synchronously, one user at a time)
const stageScratch: number[] = [];
const rankScratch: number[] = [];

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
  let orphans: Orphan[] = NO_ORPHANS;
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
      const diff = k.diff(d, a);
      for (let j = 0; j < diff.length; j++) changes.push(diff[j]!);
      continue;
    }
    if (a === undefined) continue;
    const policy = ROLLBACK[k.key];
    if (policy === 'revert') {
      for (const c of k.diff(undefined, a)) changes.push(c);
    } else if (policy === 'kept') {
      // only what t2t brought about is put back: the user must have reached the kind's phase
      const first = firstDesiredPhase(k.key, user.profile.createAs);
      if (first === null || reached < phaseIndex(first) || !k.kept) continue;
      const diff = k.diff(k.kept(ctx, user), a);
      for (let j = 0; j < diff.length; j++) changes.push(diff[j]!);
    } else if (policy === 'retain') {
      // only what t2t brought about is kept or pruned: the user must have reached the kind's phase
      const first = firstDesiredPhase(k.key, user.profile.createAs);
      if (first === null || reached < phaseIndex(first)) continue;
      const object = k.describe ? k.describe(a) : k.key;
      const pruned = ctx.project.prune ? k.diff(undefined, a) : [];
      if (pruned.length) for (const c of pruned) changes.push(c);
      else
        (orphans === NO_ORPHANS ? (orphans = []) : orphans).push({
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
  if (changes.length === 0) return blocked ? { changes, after: [], orphans, blocked, backward } : { changes, after: [], orphans, backward };
  // deleting the target user takes its properties with it: no separate steps for them
  if (changes.some((c) => c.op === 'targetUser.delete')) {
    changes = changes.filter((c) => c.resource === 'targetUser' || c.tenant !== user.ref.targetTenant || !ON_TARGET_USER.has(c.resource));
  }
  // no licence: prepare-level work goes ahead, nothing from the licence on (and the marker stays)
  if (blocked) changes = changes.filter((c) => c.resource !== 'marker' && stageKey(c, false) < LICENSE_STAGE);

  // keep, in place (called once per change, in order, like a filter)
  let kept = 0;
  for (let i = 0; i < changes.length; i++) {
    const c = changes[i]!;
    if (keep(c)) changes[kept++] = c;
  }
  changes.length = kept;

  // order: stages ascending (forward) or by the undone step descending (rollback), marker last.
  // A stable insertion sort on the sort key: a user has a handful of changes, mostly in order.
  const n = changes.length;
  const stage = stageScratch;
  const rank = rankScratch;
  stage.length = n;
  rank.length = n;
  for (let i = 0; i < n; i++) {
    const s = stageKey(changes[i]!, backward);
    stage[i] = s;
    rank[i] = s === MARKER_STAGE ? Infinity : backward ? -s : s;
  }
  for (let i = 1; i < n; i++) {
    const c = changes[i]!;
    const s = stage[i]!;
    const r = rank[i]!;
    let j = i - 1;
    while (j >= 0 && rank[j]! > r) {
      changes[j + 1] = changes[j]!;
      stage[j + 1] = stage[j]!;
      rank[j + 1] = rank[j]!;
      j--;
    }
    changes[j + 1] = c;
    stage[j + 1] = s;
    rank[j + 1] = r;
  }
  const after: number[][] = new Array(n);
  let prevStage: number[] = [];
  let curStage: number[] = [];
  for (let idx = 0; idx < n; idx++) {
    if (idx === 0 || stage[idx] !== stage[idx - 1]) {
      if (idx !== 0) prevStage = curStage;
      curStage = [];
    }
    after[idx] = prevStage;
    curStage.push(idx);
  }
  return blocked ? { changes, after, orphans, blocked, backward } : { changes, after, orphans, backward };
}
