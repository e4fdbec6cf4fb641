// The observed phase of a user, derived from the same resource states the plan diffs (never from a
// local file): the highest declared phase whose desired states all hold, or cutover-partial when a
// cutover has visibly started but not finished.
import { PHASES, phaseIndex, type Phase } from '../manifest/model.js';
import { RESOURCE_KINDS } from '../resources/registry.js';
import { desiredLevel } from '../resources/phase-table.js';
import type { PlanContext, ResourceKind, UserContext } from '../resources/types.js';
import type { ObservedPhase } from './model.js';

function holds(kind: ResourceKind, ctx: PlanContext, user: UserContext, phase: Phase, actual: unknown): boolean {
  const d = kind.desired(ctx, user, phase);
  if (d === undefined) return true;
  return kind.satisfied ? kind.satisfied(d, actual) : kind.diff(d, actual).length === 0;
}

/** ctx should be in 'observe' mode (no licence is allocated). */
export function observedPhase(
  ctx: PlanContext,
  user: UserContext,
  kinds: readonly ResourceKind[] = RESOURCE_KINDS,
  /** kinds[i].actual(ctx, user), when the caller already read them. */
  actuals?: readonly unknown[],
): ObservedPhase {
  if (!user.target) return 'unmatched';
  const actual = actuals ?? kinds.map((k) => k.actual(ctx, user));
  const m = user.marker;
  // a complete cutover ends with the clean-up, which the marker's phase records: without it, skip
  if (m?.phase === 'cutover' && allHold(kinds, ctx, user, 'cutover', actual)) return 'cutover';
  if (m) {
    if (m.cutoverStartedAt || m.notificationSentAt || m.phase === 'cutover') return 'cutover-partial';
    // steps that exist only at cutover (X500s, source contact, ...) already done
    const createAs = user.profile.createAs;
    for (let i = 0; i < kinds.length; i++) {
      const k = kinds[i]!;
      if (
        k.key !== 'marker' &&
        actual[i] !== undefined &&
        desiredLevel(k.key, 'synced', createAs) === null &&
        desiredLevel(k.key, 'cutover', createAs) !== null &&
        holds(k, ctx, user, 'cutover', actual[i])
      ) {
        return 'cutover-partial';
      }
    }
  }
  if (allHold(kinds, ctx, user, 'synced', actual)) return 'synced';
  if (allHold(kinds, ctx, user, 'prepared', actual)) return 'prepared';
  return 'matched';
}

/** Every kind but the marker holds its desired state of phase p (stops at the first that does not). */
function allHold(kinds: readonly ResourceKind[], ctx: PlanContext, user: UserContext, p: Phase, actual: readonly unknown[]): boolean {
  for (let i = 0; i < kinds.length; i++) {
    const k = kinds[i]!;
    if (k.key !== 'marker' && !holds(k, ctx, user, p, actual[i])) return false;
  }
  return true;
}

/** Orders observed phases against declared ones: cutover-partial sits between synced and cutover. */
export function observedRank(p: ObservedPhase): number {
  switch (p) {
    case 'unmatched':
    case 'matched':
    case 'failed':
      return 0;
    case 'prepared':
      return 1;
    case 'synced':
      return 2;
    case 'cutover-partial':
      return 2.5;
    case 'cutover':
      return 3;
  }
}

export function declaredRank(p: Phase): number {
  return phaseIndex(p);
}

export { PHASES };
