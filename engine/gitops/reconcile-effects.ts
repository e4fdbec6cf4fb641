// The real effects of `t2t reconcile`: discovery, planning and the executor of the engine.
//
// >>> INTEGRATION POINT <<<  Reconcile is written against the ReconcileEffects interface so it is
// testable without the executor. This factory wires the engine's modules by their expected names,
// imported dynamically so that a build without one of them still compiles and `reconcile` says
// clearly what is missing. The integrator adjusts the module paths and call shapes below; in
// particular runApply must accept the lock reconcile already holds (`lock`) instead of acquiring
// the project lock again (it would be refused: the lock is held by this very process).
import { PassThrough } from 'node:stream';
import { UserError } from '../errors.js';
import type { Project } from '../manifest/model.js';
import type { Lock } from '../state/lock.js';
import { stateDir } from '../state/paths.js';
import type { ApplyResult } from './apply-records.js';
import type { ApplyOutcome, PlanLike, ReconcileEffects } from './reconcile.js';

/** Expected modules (relative to this file) and the calls made to them. */
export const EFFECT_MODULES = {
  discover: '../discovery/discover.js', // discover(project, { env, stateDir, tenant, signal })
  plan: '../workflow/plan-project.js', // planProject(project, { env, signal, refresh: 'always' }) -> { plan }
  apply: '../apply/run-apply.js', // runApply(project, { env, signal, wave, deltaSyncWaves, autoApprove, lock, io }) -> { result, exec? }
};

interface RunApplyOutcome {
  result: ApplyResult | 'no-changes' | 'declined';
  exec?: { results: { status: 'done' | 'failed' | 'skipped' }[] };
}
type RunApply = (project: Project, options: Record<string, unknown> & { lock: Lock }) => Promise<RunApplyOutcome>;

export function defaultEffects(projectDir: string, env: NodeJS.ProcessEnv): ReconcileEffects {
  return {
    async discover({ project, tenant, signal }) {
      const mod = await load<{ discover?: (p: Project, o: Record<string, unknown>) => Promise<unknown> }>(EFFECT_MODULES.discover, 'discovery');
      if (typeof mod.discover !== 'function') throw notAvailable('discovery');
      await mod.discover(project, { env, stateDir: stateDir(projectDir, env), tenant, signal });
    },
    async plan({ project, signal }) {
      const mod = await load<{ planProject?: (p: Project, o: Record<string, unknown>) => Promise<{ plan: PlanLike }> }>(EFFECT_MODULES.plan, 'plan');
      if (typeof mod.planProject !== 'function') throw notAvailable('plan');
      // a controller compares against the tenants as they are now (a delta discovery each cycle),
      // so drift made by hand is corrected on the next cycle, not when the cache expires
      return (await mod.planProject(project, { env, signal, refresh: 'always' })).plan;
    },
    async apply({ project, waves, reason, lock, signal }) {
      const mod = await load<{ runApply?: RunApply }>(EFFECT_MODULES.apply, 'apply');
      if (typeof mod.runApply !== 'function') throw notAvailable('apply');
      // runApply takes one wave (or all): apply the requested waves one after the other.
      const outcome: ApplyOutcome = { result: 'succeeded', counts: { total: 0, done: 0, failed: 0, skipped: 0 } };
      const results: ApplyResult[] = [];
      for (const wave of waves?.length ? waves : [undefined]) {
        if (signal.aborted) {
          results.push('stopped');
          break;
        }
        const stdin = Object.assign(new PassThrough(), { isTTY: false });
        stdin.end();
        const r = await mod.runApply(project, { env, signal, ...(wave ? { wave } : {}), ...(reason === 'deltaSync' && wave ? { deltaSyncWaves: [wave] } : {}), autoApprove: true, lock, io: { stdin, stderr: new PassThrough().resume() } });
        for (const c of r.exec?.results ?? []) {
          outcome.counts.total!++;
          outcome.counts[c.status]++;
        }
        results.push(r.result === 'no-changes' || r.result === 'declined' ? 'succeeded' : r.result);
      }
      outcome.result = results.includes('stopped') ? 'stopped' : results.every((r) => r === 'succeeded') ? 'succeeded' : results.every((r) => r === 'failed') ? 'failed' : 'partial';
      return outcome;
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
  return new UserError(`${what} is not available in this build`, 'reconcile.notAvailable', `t2t reconcile needs the engine's ${what}; use a build of t2t that includes it`);
}
