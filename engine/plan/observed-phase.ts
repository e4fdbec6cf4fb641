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
  const all = (p: Phase) => kinds.every((k, i) => k.key === 'marker' || holds(k, ctx, user, p, actual[i]));
  const m = user.marker;
  // a complete cutover ends with the clean-up, which the marker's phase records: without it, skip
  if (m?.phase === 'cutover' && all('cutover')) return 'cutover';
  if (m) {
    if (m.cutoverStartedAt || m.notificationSentAt || m.phase === 'cutover') return 'cutover-partial';
    // steps that exist only at cutover (X500s, source contact, ...) already done
    const started = kinds.some(
      (k, i) =>
        k.key !== 'marker' &&
        actual[i] !== undefined &&
        desiredLevel(k.key, 'synced', user.profile.createAs) === null &&
        desiredLevel(k.key, 'cutover', user.profile.createAs) !== null &&
        holds(k, ctx, user, 'cutover', actual[i]),
    );
    if (started) return 'cutover-partial';
  }
  if (all('synced')) return 'synced';
  if (all('prepared')) return 'prepared';
  return 'matched';
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
