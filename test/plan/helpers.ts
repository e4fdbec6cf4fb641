// Shared helpers of the plan tests: build a plan for one wave and read its changes compactly.
import { buildPlan, type PlanInput } from '../../engine/plan/build-plan.js';
import type { Plan } from '../../engine/plan/model.js';
import type { Phase, Project } from '../../engine/manifest/model.js';
import type { Inventory } from '../../engine/inventory/model.js';
import { NOW, project, REVISION, wave } from '../fixtures/inventories/builders.js';

export function planFor(inv: Inventory, phase: Phase, over: Partial<Project> = {}, input: Partial<PlanInput> = {}): Plan {
  return buildPlan({ project: project([wave('wave-01', phase, ['alice@contoso.com'])], over), inventory: inv, revision: REVISION, now: NOW, ...input });
}

/** "op <- dep-op, dep-op" per change, in plan order: the order and the graph in one readable list. */
export function graph(plan: Plan): string[] {
  const byId = new Map(plan.changes.map((c) => [c.id, c.op]));
  return plan.changes.map((c) => (c.dependsOn.length ? `${c.op} <- ${c.dependsOn.map((d) => byId.get(d)).join(', ')}` : c.op));
}
