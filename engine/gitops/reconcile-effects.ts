// The real effects of `t2t reconcile`: discovery, planning and the executor of the engine, behind
// the ReconcileEffects interface that keeps the controller loop testable with fakes.
import { PassThrough } from 'node:stream';
import { stateDir } from '../state/paths.js';
import { discover } from '../discovery/discover.js';
import { planProject } from '../workflow/plan-project.js';
import { runApply } from '../apply/run-apply.js';
import type { ApplyResult } from './apply-records.js';
import type { ApplyOutcome, ReconcileEffects } from './reconcile.js';

export function defaultEffects(projectDir: string, env: NodeJS.ProcessEnv): ReconcileEffects {
  return {
    async discover({ project, tenant, signal }) {
      await discover(project, { command: 'reconcile', env, stateDir: stateDir(projectDir, env), ...(tenant ? { tenant } : {}), signal });
    },
    async plan({ project, signal }) {
      // a controller compares against the tenants as they are now (a delta discovery each cycle),
      // so drift made by hand is corrected on the next cycle, not when the cache expires
      return (await planProject(project, { env, signal, refresh: 'always' })).plan;
    },
    async apply({ project, waves, reason, lock, signal }) {
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
        const r = await runApply(project, { env, signal, ...(wave ? { wave } : {}), ...(reason === 'deltaSync' && wave ? { deltaSyncWaves: [wave] } : {}), autoApprove: true, lock, io: { stdin, stderr: new PassThrough().resume() } });
        for (const c of r.exec?.results ?? []) {
          outcome.counts.total!++;
          outcome.counts[c.status]++;
        }
        // reconcile approves its own applies, so none is declined; were one declined, nothing was
        // applied: not a success (a due cutover would be marked done), as the CLI's exit 1 says
        results.push(r.result === 'no-changes' ? 'succeeded' : r.result === 'declined' ? 'failed' : r.result);
      }
      outcome.result = results.includes('stopped') ? 'stopped' : results.every((r) => r === 'succeeded') ? 'succeeded' : results.every((r) => r === 'failed') ? 'failed' : 'partial';
      return outcome;
    },
  };
}
