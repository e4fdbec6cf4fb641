// `t2t reconcile [DIR] [--once] [--interval SECONDS] [--no-pull]`: controller mode. Logs are JSON
// lines on stdout and in the state directory's t2t.log; one health line per cycle.
import { resolve } from 'node:path';
import type { Command } from '../command.js';
import { bool, str } from '../command.js';
import { UserError } from '../../errors.js';
import { err } from '../io.js';
import type { ReconcileEffects, Scheduler } from '../../gitops/reconcile.js';

/** What the command runs with; tests replace `effects` with fakes (the executor is not needed). */
export const reconcileDeps: {
  effects: (projectDir: string, env: NodeJS.ProcessEnv) => ReconcileEffects | Promise<ReconcileEffects>;
  scheduler?: Scheduler;
} = {
  effects: async (dir, env) => (await import('../../gitops/reconcile-effects.js')).defaultEffects(dir, env),
};

const command: Command = {
  name: 'reconcile',
  summary: 'controller mode: keep the tenants matching the manifests',
  usage: '[DIR] [options]',
  description: `
Runs cycles until stopped (SIGTERM or Ctrl-C: the cycle in progress finishes first). Each cycle
fetches the git remote the checkout tracks and fast-forwards to it (a checkout that is ahead or
diverged is refused and nothing is applied: reconcile never resets), reloads the manifests, runs
each tenant's discovery.schedule (unless discovery.enabled: false), applies each scheduled cutover
once its cutoverAt has passed, runs the delta sync of synced waves on schedule.deltaSync, then
plans and applies any drift of non-paused waves, and pushes the apply records (git notes).
A cycle also runs every --interval seconds. Only one cycle runs at a time (the project lock).
--once runs one cycle and exits: 0 when it was clean, 1 otherwise (for an outer scheduler).
Logs: JSON lines on stdout and in .t2t/t2t.log.`,
  options: {
    once: { type: 'boolean', description: 'run one cycle and exit' },
    interval: { type: 'string', value: 'SECONDS', default: '300', description: 'seconds between cycles, besides the schedules' },
    'no-pull': { type: 'boolean', description: 'do not fetch and fast-forward the git remote (reconcile the checkout as it is)' },
  },
  examples: ['t2t reconcile projects/contoso-fabrikam', 't2t reconcile --once --no-pull', 't2t reconcile --interval 60'],
  async run(args, io) {
    const intervalText = str(args.values, 'interval') ?? '300';
    const intervalSeconds = Number(intervalText);
    // at most a day: a longer one would not fit a timer (2^31 ms), which fires at once instead
    if (!Number.isFinite(intervalSeconds) || intervalSeconds < 1 || intervalSeconds > 86_400) {
      throw new UserError(`--interval must be a number of seconds from 1 to 86400 (a day), got '${intervalText}'`, 'cli.badInterval', 'for example --interval 300; the schedules of the waves run on their own times whatever the interval');
    }
    const dir = resolve(io.cwd, args.positionals[0] ?? '.');
    const { stateDir } = await import('../../state/paths.js');
    const { createReconcileLogger } = await import('../../gitops/reconcile-logger.js');
    const { runOnce, runController } = await import('../../gitops/reconcile.js');
    const state = stateDir(dir, io.env);
    const logger = createReconcileLogger(state, io.stdout, {
      level: args.debug ? 'debug' : 'info',
      onError: (e) => err(io, `warning: the process log in ${state} cannot be written (${(e as NodeJS.ErrnoException).code ?? e.message}): logging to stdout only`),
    });
    const effects = await reconcileDeps.effects(dir, io.env);
    const options = { projectDir: dir, env: io.env, stateDir: state, pull: !bool(args.values, 'no-pull'), logger, signal: io.signal };
    if (bool(args.values, 'once')) {
      const report = await runOnce(effects, options);
      return report.status === 'ok' ? 0 : 1;
    }
    await runController(effects, { ...options, intervalSeconds, ...(reconcileDeps.scheduler ? { scheduler: reconcileDeps.scheduler } : {}) });
    return 0;
  },
};

export default command;
