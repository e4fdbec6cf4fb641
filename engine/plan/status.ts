// Status (SPEC section 4, `status --output json`): per wave and user the declared and observed
// phase and conditions, computed by the same pass as the plan. `error` comes from the apply
// journal, which the status command joins in (null here).
import { analyseUsersSteps, type PlanInput } from './build-plan.js';
import { runStepsSync } from '../util/run-steps.js';
import type { Condition, ObservedPhase } from './model.js';
import type { Phase } from '../manifest/model.js';

export interface StatusUser {
  source: string;
  target: string | null;
  phase: ObservedPhase;
  declared: Phase;
  error: string | null;
  conditions: readonly Condition[];
}

export interface StatusReport {
  project: string;
  waves: { name: string; phase: Phase; paused: boolean; conditions: readonly Condition[]; users: StatusUser[] }[];
}

/** The source and target user types (Member, Guest) of each status user, for the CSV export. Kept
 *  beside the report rather than in it, so the JSON shows the pinned fields only. */
const types = new WeakMap<StatusUser, { readonly source: string; readonly target: string | null }>();

/** The user types of a user of a report buildStatus made (null when it made none). */
export function statusUserTypes(u: StatusUser): { readonly source: string | null; readonly target: string | null } {
  return types.get(u) ?? { source: null, target: null };
}

export function buildStatus(input: PlanInput): StatusReport {
  return runStepsSync(buildStatusSteps(input));
}

/** buildStatus in steps, as streamPlanSteps: a caller can let the event loop turn between them. */
export function* buildStatusSteps(input: PlanInput): Generator<void, StatusReport, void> {
  const { outline, users } = yield* analyseUsersSteps(input);
  const byWave = new Map<string, StatusUser[]>();
  for (const u of users) {
    const list = byWave.get(u.wave) ?? [];
    const s: StatusUser = { source: u.source, target: u.target, phase: u.phase, declared: u.declared, error: null, conditions: u.conditions };
    types.set(s, { source: u.sourceType, target: u.targetType });
    list.push(s);
    byWave.set(u.wave, list);
  }
  return {
    project: outline.project,
    waves: outline.waves.map((w) => ({ name: w.name, phase: w.phase, paused: w.paused, conditions: w.conditions, users: byWave.get(w.name) ?? [] })),
  };
}
