// The real effects of `t2t reconcile`: discovery, planning and the executor of the engine.
//
// >>> INTEGRATION POINT <<<  Reconcile is written against the ReconcileEffects interface so it is
// testable without the executor. This factory wires the engine's modules by their expected names,
// imported dynamically so that a build without the executor still compiles and `reconcile` says
// clearly what is missing. The integrator adjusts the module paths and call shapes below.
import { UserError } from '../errors.js';
import type { Project } from '../manifest/model.js';
import { stateDir } from '../state/paths.js';
import type { ApplyOutcome, PlanLike, ReconcileEffects } from './reconcile.js';

/** Expected modules (relative to this file). */
export const EFFECT_MODULES = {
  discover: '../discovery/discover.js', // discover(project, { env, stateDir, tenant, signal })
  plan: '../workflow/plan-project.js', // planProject(project, { env, signal, refresh }) -> { plan }
  apply: '../apply/apply-project.js', // applyProject(project, { env, signal, waves, plan, lock, reason, autoApprove }) -> ApplyOutcome
};

export function defaultEffects(projectDir: string, env: NodeJS.ProcessEnv): ReconcileEffects {
  return {
    async discover({ project, tenant, signal }) {
      const mod = await load<{ discover: (p: Project, o: Record<string, unknown>) => Promise<{ report?: unknown }> }>(EFFECT_MODULES.discover, 'discovery');
      await mod.discover(project, { env, stateDir: stateDir(projectDir, env), tenant, signal });
      return {};
    },
    async plan({ project, signal }) {
      const mod = await load<{ planProject: (p: Project, o: Record<string, unknown>) => Promise<{ plan: PlanLike }> }>(EFFECT_MODULES.plan, 'plan');
      return (await mod.planProject(project, { env, signal, refresh: 'auto' })).plan;
    },
    async apply({ project, waves, plan, lock, reason, signal }) {
      const mod = await load<{ applyProject?: (p: Project, o: Record<string, unknown>) => Promise<ApplyOutcome> }>(EFFECT_MODULES.apply, 'apply');
      if (typeof mod.applyProject !== 'function') throw notAvailable('apply');
      return mod.applyProject(project, { env, signal, waves, plan, lock, reason, autoApprove: true, deltaSync: reason === 'deltaSync' });
    },
  };
}

async function load<T>(specifier: string, what: string): Promise<T> {
  try {
    return (await import(new URL(specifier, import.meta.url).href)) as T;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') throw notAvailable(what);
    throw e;
  }
}

function notAvailable(what: string): UserError {
  return new UserError(`${what} is not available in this build`, 'reconcile.notAvailable', `t2t reconcile needs the engine's ${what}; use a release of t2t that includes it`);
}
