// The plan as JSON with a stable key order (SPEC's pinned fields first, in SPEC's order), so two
// plans of the same state are byte-identical and diffs of saved plans stay readable.
import type { Plan, PlanChange } from './model.js';

const CHANGE_KEYS: readonly (keyof PlanChange)[] = ['id', 'wave', 'user', 'tenant', 'resource', 'action', 'summary', 'reversibility', 'dependsOn', 'op', 'params', 'inverseOp'];
const PLAN_KEYS: readonly (keyof Plan)[] = [
  'formatVersion',
  'project',
  'revision',
  'changes',
  'refused',
  'warnings',
  'summary',
  'waves',
  'orphans',
  'refusal',
  'manifestHash',
  'inventoryHash',
  'createdAt',
];

/** Objects with sorted keys (params, nested records), arrays in order. */
function sorted(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sorted);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sorted((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

export function planToJsonValue(plan: Plan): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of PLAN_KEYS) {
    if (k === 'changes') {
      out[k] = plan.changes.map((c) => {
        const o: Record<string, unknown> = {};
        for (const ck of CHANGE_KEYS) o[ck] = ck === 'params' ? sorted(c.params) : c[ck];
        return o;
      });
    } else if (k === 'summary') {
      out[k] = { create: plan.summary.create, update: plan.summary.update, delete: plan.summary.delete, run: plan.summary.run };
    } else if (k === 'revision') {
      out[k] = { commit: plan.revision.commit, dirty: plan.revision.dirty };
    } else out[k] = sorted(plan[k]);
  }
  return out;
}

export function renderPlanJson(plan: Plan, pretty = true): string {
  return JSON.stringify(planToJsonValue(plan), null, pretty ? 2 : undefined) + '\n';
}
