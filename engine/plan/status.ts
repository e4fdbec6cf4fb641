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

export function buildStatus(input: PlanInput): StatusReport {
  return runStepsSync(buildStatusSteps(input));
}

/** buildStatus in steps, as streamPlanSteps: a caller can let the event loop turn between them. */
export function* buildStatusSteps(input: PlanInput): Generator<void, StatusReport, void> {
  const { outline, users } = yield* analyseUsersSteps(input);
  const byWave = new Map<string, StatusUser[]>();
  for (const u of users) {
    const list = byWave.get(u.wave) ?? [];
    list.push({ source: u.source, target: u.target, phase: u.phase, declared: u.declared, error: null, conditions: u.conditions });
    byWave.set(u.wave, list);
  }
  return {
    project: outline.project,
    waves: outline.waves.map((w) => ({ name: w.name, phase: w.phase, paused: w.paused, conditions: w.conditions, users: byWave.get(w.name) ?? [] })),
  };
}
