// One apply step run alone against a tenant client: the StepContext apply would hand it, for a
// change made up by the test. For steps whose state (what discovery did not see, a crash half-way)
// is easier to set up by hand than to reach through a whole apply.
import type { PlanChange } from '../../engine/plan/model.js';
import type { Project } from '../../engine/manifest/model.js';
import type { TenantClient } from '../../engine/tenant/client.js';
import { Mutex, type StepContext, type UserRun } from '../../engine/apply/step-types.js';
import { stepFor } from '../../engine/resources/step-registry.js';

export interface StepRun {
  client: TenantClient;
  user?: UserRun;
  /** The clock the step reads (default: the real one). */
  now?: () => Date;
}

export function stepContext(op: string, params: Record<string, unknown>, o: StepRun): { ctx: StepContext; change: PlanChange } {
  const change = { id: `${op}-1`, wave: 'w1', user: 'alice@contoso.com', tenant: o.client.name, resource: op.split('.')[0]!, op, action: 'create', summary: op, reversibility: 'reversible', dependsOn: [], params } as unknown as PlanChange;
  const user = o.user ?? { user: 'alice@contoso.com', wave: 'w1', targetUserId: null, identity: { sourceTenant: 'contoso', sourceUserId: 'src-1', wave: 'w1' }, markerLock: new Mutex() };
  const ctx: StepContext = {
    change,
    project: {} as Project,
    wave: undefined,
    profile: undefined,
    tenant: o.client,
    client: () => o.client,
    user,
    run: { groups: new Map(), warned: new Set() },
    dryRun: false,
    signal: new AbortController().signal,
    now: o.now ?? (() => new Date()),
    log: () => undefined,
    warnOnce: () => undefined,
  };
  return { ctx, change };
}

/** Run the step; its note and the user's run state after it. */
export async function runStep(op: string, params: Record<string, unknown>, o: StepRun): Promise<{ note: string; user: UserRun }> {
  const { ctx, change } = stepContext(op, params, o);
  const r = await stepFor(op)!(ctx, change);
  return { note: r?.note ?? '', user: ctx.user };
}
