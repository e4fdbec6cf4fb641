// `t2t reconcile`: the controller loop (SPEC section 4). One cycle:
//   1. pull: fetch the manifests' remote and fast-forward (refused, never reset, when the checkout
//      is ahead or diverged: then nothing is applied this cycle), and bring in the apply records;
//   2. reload the project (the manifests may have changed);
//   3. discover each tenant whose `discovery.schedule` fired since its last discovery (skipped
//      with `discovery.enabled: false`);
//   4. apply each scheduled cutover whose `cutoverAt` has passed (once per cutoverAt);
//   5. run the delta sync of each synced wave whose `schedule.deltaSync` fired;
//   6. plan, and apply the changes of non-paused waves: drift correction (logged change by change);
//   7. push the apply records (also when the cycle was stopped, and any an earlier cycle could not).
// What is due is computed from the last runs kept in the state directory and the cron schedules,
// so `--once` from an outer scheduler and the long-running controller behave alike, and a cron
// tick skipped because a cycle was running is caught up by the next one.
//
// The effects (discover, plan, apply) are injected: tests drive the loop with fakes, and
// reconcile-effects.ts wires the real engine. Only one cycle runs at a time: the project lock
// (engine/state/lock.ts) across processes, and an in-process flag across timers.
import type { Logger } from 'pino';
import cron from 'node-cron';
import { UserError } from '../errors.js';
import type { Project } from '../manifest/model.js';
import { acquireLock, type Lock } from '../state/lock.js';
import { stateDir as ensureStateDir } from '../state/paths.js';
import type { ApplyResult } from './apply-records.js';
import { fetchNotes, hasUnpublishedNotes, pushNotes } from './apply-records.js';
import { formatNext, isDue, nextCronTime } from './cron-times.js';
import { pullManifests, type PullResult } from './pull.js';
import { createReconcileLogger } from './reconcile-logger.js';
import { readReconcileState, writeReconcileState } from './reconcile-state.js';
import { findRepo, headCommit } from './revision.js';

/** The fields of a plan change reconcile reads (engine/plan's Plan satisfies it). */
export interface PlanChangeLike {
  id: string;
  wave: string;
  user?: string;
  tenant?: string;
  resource: string;
  action: string;
  summary?: string;
}

export interface PlanLike {
  changes: readonly PlanChangeLike[];
  refused?: readonly { user: string; reason: string }[];
  warnings?: readonly string[];
}

export type ApplyReason = 'drift' | 'cutover' | 'deltaSync';

export interface ApplyOutcome {
  result: ApplyResult;
  counts: { done: number; failed: number; skipped: number; total?: number };
}

/** What reconcile needs from the engine. Every call gets the cycle's abort signal: on abort,
 *  finish the steps in flight, start no new one, and return (apply: result 'stopped'). */
export interface ReconcileEffects {
  /** Delta discovery of one tenant into the cache. */
  discover(opts: { project: Project; tenant: string; signal: AbortSignal }): Promise<{ summary?: string } | void>;
  /** The plan for the whole project against the tenants (the planner honours cutoverAt). */
  plan(opts: { project: Project; signal: AbortSignal }): Promise<PlanLike>;
  /** Executes the plan for these waves (all non-paused waves when absent). Reconcile already
   *  holds the project lock and passes it: the executor must not acquire it again. It writes
   *  the apply record (git note) as any apply does. `deltaSync`: run the content delta sync. */
  apply(opts: { project: Project; waves?: readonly string[]; reason: ApplyReason; plan?: PlanLike; lock: Lock; signal: AbortSignal }): Promise<ApplyOutcome>;
}

export interface ReconcileOptions {
  projectDir: string;
  env?: NodeJS.ProcessEnv;
  /** Default: the project's state directory (.t2t or T2T_STATE_DIR). */
  stateDir?: string;
  /** Fetch and fast-forward the manifests before each cycle (default true; --no-pull). */
  pull?: boolean;
  /** Push the apply records after a cycle that applied something (default: as `pull`). */
  pushNotes?: boolean;
  /** Default: pino JSON lines to the state directory's t2t.log and to stdout. */
  logger?: Logger;
  now?: () => Date;
  /** Default: engine/manifest loadProject, a UserError when the manifests are invalid. */
  loadProject?: (dir: string) => Promise<Project>;
  signal?: AbortSignal;
}

export type Scheduler = (expression: string, tick: () => void) => { stop(): void };

export interface ControllerOptions extends ReconcileOptions {
  /** Seconds between cycles (pull and drift correction) besides the cron schedules; default 300. */
  intervalSeconds?: number;
  /** Default: node-cron. */
  scheduler?: Scheduler;
  /** Called after every cycle (tests, embedding). */
  onCycle?: (report: CycleReport) => void;
}

export interface CycleReport {
  cycle: number;
  status: 'ok' | 'degraded' | 'failed' | 'skipped' | 'stopped';
  /** The manifest commit the cycle worked from. */
  commit?: string | null;
  pull?: PullResult;
  discovered: string[];
  applies: { reason: ApplyReason; waves: string[]; result: ApplyResult; counts: ApplyOutcome['counts'] }[];
  /** Changes done by this cycle's applies. */
  changesApplied: number;
  /** The drift the plan found (changes of non-paused waves). */
  drift: PlanChangeLike[];
  /** Things deliberately not done, with why (disabled discovery, future cutover, paused wave). */
  skipped: string[];
  errors: string[];
  nextDiscovery?: string;
  /** The one-line summary, also logged: "reconcile cycle 3: ok, 3 changes applied, next discovery 02:00". */
  health: string;
}

interface Context {
  projectDir: string;
  stateDir: string;
  pull: boolean;
  pushNotes: boolean;
  log: Logger;
  now: () => Date;
  loadProject: (dir: string) => Promise<Project>;
  signal: AbortSignal;
}

/** One cycle (`t2t reconcile --once`). Refused with a UserError when another t2t holds the lock. */
export async function runOnce(effects: ReconcileEffects, options: ReconcileOptions): Promise<CycleReport> {
  const ctx = context(options);
  return (await runCycle(effects, ctx, 1, 'refuse')).report;
}

/** The long-running controller: a cycle now, then on every interval, cron tick and cutover time,
 *  until the signal aborts; then it finishes the cycle in flight, stops its timers and returns. */
export async function runController(effects: ReconcileEffects, options: ControllerOptions): Promise<{ cycles: number }> {
  const ctx = context(options);
  const { log, signal } = ctx;
  const scheduler = options.scheduler ?? cronScheduler;
  const intervalMs = Math.max(1, options.intervalSeconds ?? 300) * 1000;
  let cycles = 0;
  let inFlight: Promise<void> | undefined;
  let tasks: { stop(): void }[] = [];
  let timers: NodeJS.Timeout[] = [];
  let scheduleKey = '';

  const stopSchedules = () => {
    for (const t of tasks) t.stop();
    for (const t of timers) clearTimeout(t);
    tasks = [];
    timers = [];
  };

  const reschedule = (project: Project | undefined) => {
    if (!project || signal.aborted) return;
    const crons = [
      ...project.tenants.filter((t) => t.discovery.enabled).map((t) => ({ expression: t.discovery.schedule, what: `discovery of ${t.name}` })),
      ...project.waves.filter((w) => w.phase === 'synced' && !w.paused && w.schedule.deltaSync).map((w) => ({ expression: w.schedule.deltaSync!, what: `delta sync of ${w.name}` })),
    ];
    const now = ctx.now().getTime();
    const cutovers = project.waves
      .filter((w) => w.phase === 'cutover' && !w.paused && w.schedule.cutoverAt)
      .map((w) => ({ at: Date.parse(w.schedule.cutoverAt!), what: `cutover of ${w.name}` }))
      .filter((c) => c.at > now && c.at - now < 2 ** 31 - 1); // setTimeout's range; the interval catches later ones
    const key = JSON.stringify({ crons, cutovers });
    if (key === scheduleKey) return;
    stopSchedules();
    scheduleKey = key;
    for (const c of crons) tasks.push(scheduler(c.expression, () => trigger(c.what)));
    for (const c of cutovers) timers.push(setTimeout(() => trigger(c.what), c.at - now + 1000));
    log.info({ schedules: crons, cutovers: cutovers.map((c) => ({ what: c.what, at: new Date(c.at).toISOString() })) }, `scheduled ${crons.length} cron task(s) and ${cutovers.length} cutover(s)`);
  };

  const trigger = (why: string) => {
    if (signal.aborted) return;
    if (inFlight) {
      log.info({ trigger: why }, `${why}: skipped, a reconcile cycle is already running (the next cycle catches up)`);
      return;
    }
    const n = ++cycles;
    inFlight = (async () => {
      let report: CycleReport | undefined;
      try {
        const result = await runCycle(effects, ctx, n, 'skip', why);
        report = result.report;
        reschedule(result.project);
      } catch (e) {
        log.error({ err: e }, `reconcile cycle ${n}: unexpected failure: ${(e as Error).message}`);
      }
      inFlight = undefined; // before onCycle: a trigger from the callback starts a new cycle
      try {
        if (report) options.onCycle?.(report);
      } catch (e) {
        log.error({ err: e }, `onCycle failed: ${(e as Error).message}`);
      }
    })();
  };

  log.info({ projectDir: ctx.projectDir, intervalSeconds: intervalMs / 1000, pull: ctx.pull }, 'reconcile controller started');
  const interval = setInterval(() => trigger('interval'), intervalMs);
  trigger('start');
  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
  log.info('stopping: finishing the cycle in progress, then stopping the schedules');
  clearInterval(interval);
  stopSchedules();
  while (inFlight) await inFlight;
  log.info({ cycles }, 'reconcile controller stopped');
  return { cycles };
}

function context(options: ReconcileOptions): Context {
  const env = options.env ?? process.env;
  const stateDir = options.stateDir ?? ensureStateDir(options.projectDir, env);
  const pull = options.pull ?? true;
  return {
    projectDir: options.projectDir,
    stateDir,
    pull,
    pushNotes: options.pushNotes ?? pull,
    log: options.logger ?? createReconcileLogger(stateDir, process.stdout),
    now: options.now ?? (() => new Date()),
    loadProject: options.loadProject ?? loadValidProject,
    signal: options.signal ?? new AbortController().signal,
  };
}

async function runCycle(
  effects: ReconcileEffects,
  ctx: Context,
  n: number,
  onLocked: 'refuse' | 'skip',
  trigger = 'once',
): Promise<{ report: CycleReport; project?: Project }> {
  const report: CycleReport = { cycle: n, status: 'ok', discovered: [], applies: [], changesApplied: 0, drift: [], skipped: [], errors: [], health: '' };
  let lock: Lock;
  try {
    lock = await acquireLock(ctx.stateDir, { command: 'reconcile' });
  } catch (e) {
    if (onLocked === 'refuse' || !(e instanceof UserError)) throw e;
    report.status = 'skipped';
    report.errors.push(e.message);
    return { report: finish(report, ctx, undefined) };
  }
  if (lock.warning) ctx.log.warn(lock.warning);
  ctx.log.info({ cycle: n, trigger }, `reconcile cycle ${n} started (${trigger})`);
  const loaded: { project?: Project; remote?: string } = {};
  try {
    await steps(effects, ctx, report, lock, loaded);
  } catch (e) {
    report.status = 'failed';
    report.errors.push((e as Error).message);
    ctx.log.error({ err: e, ...(e instanceof UserError && e.hint ? { hint: e.hint } : {}) }, (e as Error).message);
  } finally {
    // 7. publish the apply records, however the steps ended: a cycle stopped by SIGTERM (or failed
    // after an apply) still finishes by pushing what it recorded
    await publishRecords(ctx, report, loaded.remote);
    await lock.release();
  }
  if (ctx.signal.aborted && report.status !== 'failed') report.status = 'stopped';
  const { project } = loaded;
  return { report: finish(report, ctx, project), ...(project ? { project } : {}) };
}

/** Runs steps 1 to 6 of one cycle; `loaded.project` is set as soon as the project is loaded, so the
 *  health line can name the next discovery even when a later step throws, and `loaded.remote` once
 *  the remote was reached, for publishing the apply records (publishRecords). */
async function steps(effects: ReconcileEffects, ctx: Context, report: CycleReport, lock: Lock, loaded: { project?: Project; remote?: string }): Promise<void> {
  const { log, signal } = ctx;
  const degrade = (message: string) => {
    report.errors.push(message);
    if (report.status === 'ok') report.status = 'degraded';
  };
  const skip = (message: string) => {
    report.skipped.push(message);
    log.info(message);
  };

  // 1. pull
  if (ctx.pull) {
    const pull = await pullManifests(ctx.projectDir, { signal });
    report.pull = pull;
    if (pull.status === 'refused') {
      report.status = 'failed';
      report.errors.push(pull.message);
      log.error({ reason: pull.reason, commit: pull.commit, upstream: pull.upstream }, pull.message);
      return; // nothing is applied from a checkout that is not the remote's
    }
    if (pull.status === 'updated') log.info({ from: pull.from, to: pull.to, commits: pull.commits }, `pulled ${pull.commits} commit(s) from ${pull.upstream}: ${pull.from.slice(0, 12)} -> ${pull.to.slice(0, 12)}`);
    if (pull.status === 'up-to-date') log.debug({ commit: pull.commit }, `up to date with ${pull.upstream}`);
    if (pull.status === 'fetch-failed') degrade(`${pull.message}; reconciling the manifests already checked out`);
    if (pull.status === 'skipped') log.warn(pull.message);
    if (pull.status === 'fetch-failed') log.warn(report.errors.at(-1)!);
    if (pull.status === 'updated' || pull.status === 'up-to-date') {
      loaded.remote = pull.remote;
      await fetchNotes(ctx.projectDir, pull.remote, { signal }).catch((e: Error) => log.warn(`could not fetch the apply records: ${e.message}`));
    }
  }

  // 2. reload
  const project = await ctx.loadProject(ctx.projectDir);
  loaded.project = project;
  const repo = await findRepo(ctx.projectDir);
  report.commit = repo ? await headCommit(repo.root) : null;
  const state = await readReconcileState(ctx.stateDir);
  const now = ctx.now();
  const paused = new Set(project.waves.filter((w) => w.paused).map((w) => w.name));

  const apply = async (waves: string[], reason: ApplyReason, plan?: PlanLike): Promise<ApplyOutcome | undefined> => {
    log.info({ reason, waves }, `applying (${reason}) ${waves.join(', ')}`);
    try {
      const outcome = await effects.apply({ project, waves, reason, ...(plan ? { plan } : {}), lock, signal });
      report.applies.push({ reason, waves, result: outcome.result, counts: outcome.counts });
      report.changesApplied += outcome.counts.done;
      const line = `apply (${reason}) of ${waves.join(', ')}: ${outcome.result}, ${outcome.counts.done} done, ${outcome.counts.failed} failed, ${outcome.counts.skipped} skipped`;
      if (outcome.result === 'succeeded') log.info({ reason, waves, ...outcome }, line);
      else {
        log.warn({ reason, waves, ...outcome }, line);
        if (outcome.result !== 'stopped') degrade(line);
      }
      return outcome;
    } catch (e) {
      const line = `apply (${reason}) of ${waves.join(', ')} failed: ${(e as Error).message}`;
      log.error({ reason, waves, err: e }, line);
      degrade(line);
      return undefined;
    }
  };

  // 3. discovery
  for (const tenant of project.tenants) {
    if (signal.aborted) return;
    if (!tenant.discovery.enabled) {
      skip(`discovery of ${tenant.name} is disabled (discovery.enabled: false)`);
      continue;
    }
    const last = state.lastDiscovery[tenant.name];
    if (!isDue(tenant.discovery.schedule, last ? new Date(last) : undefined, now)) continue;
    try {
      const result = await effects.discover({ project, tenant: tenant.name, signal });
      state.lastDiscovery[tenant.name] = now.toISOString();
      report.discovered.push(tenant.name);
      log.info({ tenant: tenant.name }, `discovered ${tenant.name}${result && result.summary ? `: ${result.summary}` : ''}`);
    } catch (e) {
      const line = `discovery of ${tenant.name} failed: ${(e as Error).message}`;
      log.error({ tenant: tenant.name, err: e }, line);
      degrade(line);
    }
  }
  await writeReconcileState(ctx.stateDir, state);

  // 4. scheduled cutovers
  for (const wave of project.waves) {
    if (signal.aborted) return;
    const at = wave.schedule.cutoverAt;
    if (wave.phase !== 'cutover' || !at || state.cutoversApplied[wave.name] === at) continue;
    if (wave.paused) {
      skip(`cutover of ${wave.name} (cutoverAt ${at}) not applied: the wave is paused`);
      continue;
    }
    if (Date.parse(at) > now.getTime()) {
      skip(`cutover of ${wave.name} is scheduled for ${at}: not due yet`);
      continue;
    }
    const outcome = await apply([wave.name], 'cutover');
    if (outcome?.result === 'succeeded') {
      state.cutoversApplied[wave.name] = at;
      await writeReconcileState(ctx.stateDir, state);
    }
  }

  // 5. delta syncs
  const syncs = project.waves.filter((w) => {
    if (w.phase !== 'synced' || w.paused || !w.schedule.deltaSync) return false;
    const last = state.lastDeltaSync[w.name];
    return isDue(w.schedule.deltaSync, last ? new Date(last) : undefined, now);
  });
  if (syncs.length && !signal.aborted) {
    const outcome = await apply(
      syncs.map((w) => w.name),
      'deltaSync',
    );
    if (outcome && (outcome.result === 'succeeded' || outcome.result === 'partial')) {
      for (const w of syncs) state.lastDeltaSync[w.name] = now.toISOString();
      await writeReconcileState(ctx.stateDir, state);
    }
  }

  // 6. drift
  if (signal.aborted) return;
  const plan = await effects.plan({ project, signal });
  for (const r of plan.refused ?? []) log.warn({ user: r.user }, `plan refused ${r.user}: ${r.reason}`);
  report.drift = plan.changes.filter((c) => !paused.has(c.wave));
  const ignored = plan.changes.length - report.drift.length;
  if (ignored) skip(`${ignored} planned change(s) of paused waves left alone`);
  const refused = plan.refused?.length ?? 0;
  if (report.drift.length === 0 && refused) {
    log.warn(`no change to make, but ${refused} refused user(s) do not match the manifests (above): set their phase back to the one they reached`);
  } else if (report.drift.length === 0) {
    log.info('no drift: the tenants match the manifests');
  } else {
    for (const c of report.drift) {
      log.info({ change: c.id, wave: c.wave, user: c.user, resource: c.resource, action: c.action }, `drift: ${c.summary ?? `${c.action} ${c.resource}`}${c.user ? ` (${c.user}, ${c.wave})` : ` (${c.wave})`}`);
    }
    const waves = [...new Set(report.drift.map((c) => c.wave))].sort();
    const outcome = await apply(waves, 'drift', plan);
    if (outcome) log.info({ waves, changes: report.drift.length, done: outcome.counts.done }, `corrected drift: ${outcome.counts.done} of ${report.drift.length} change(s) in ${waves.join(', ')}`);
  }
}

/** Step 7: pushes the apply records when this cycle applied something or the repository holds
 *  records the remote does not have yet (a push that failed in an earlier cycle, a cycle stopped
 *  before it pushed). A cycle being stopped pushes without the abort signal: the push is part of
 *  the cycle that finishes (a second SIGTERM forces the exit). Never throws. */
async function publishRecords(ctx: Context, report: CycleReport, remote: string | undefined): Promise<void> {
  if (!ctx.pushNotes || !remote) return;
  try {
    if (!report.applies.length && !(await hasUnpublishedNotes(ctx.projectDir, remote))) return;
    const pushed = await pushNotes(ctx.projectDir, remote, ctx.signal.aborted ? {} : { signal: ctx.signal });
    if (pushed.pushed) ctx.log.info({ remote }, `pushed the apply records to ${remote}`);
  } catch (e) {
    const line = `could not push the apply records to ${remote}: ${(e as Error).message}`;
    ctx.log.warn(line);
    report.errors.push(line);
    if (report.status === 'ok') report.status = 'degraded';
  }
}

function finish(report: CycleReport, ctx: Context, project: Project | undefined): CycleReport {
  const now = ctx.now();
  let next: Date | undefined;
  for (const t of project?.tenants ?? []) {
    if (!t.discovery.enabled) continue;
    const at = nextCronTime(t.discovery.schedule, now);
    if (at && (!next || at < next)) next = at;
  }
  if (next) report.nextDiscovery = next.toISOString();
  const why = report.status === 'ok' ? '' : report.errors[0] ? ` (${report.errors[0]}${report.errors.length > 1 ? `; and ${report.errors.length - 1} more` : ''})` : '';
  const changes = `${report.changesApplied} change${report.changesApplied === 1 ? '' : 's'} applied`;
  const discovery = project ? (next ? `, next discovery ${formatNext(next, now)}` : ', scheduled discovery off') : '';
  report.health = `reconcile cycle ${report.cycle}: ${report.status}${why}, ${changes}${discovery}`;
  const level = report.status === 'failed' ? 'error' : report.status === 'ok' || report.status === 'stopped' ? 'info' : 'warn';
  ctx.log[level]({ cycle: report.cycle, status: report.status, changesApplied: report.changesApplied, commit: report.commit, nextDiscovery: report.nextDiscovery, health: true }, report.health);
  return report;
}

async function loadValidProject(dir: string): Promise<Project> {
  const { loadProject } = await import('../manifest/load-project.js');
  const { isError, renderDiagnostic } = await import('../manifest/diagnostics.js');
  const loaded = await loadProject(dir);
  if (loaded.project) return loaded.project;
  const errors = loaded.diagnostics.filter(isError);
  throw new UserError(
    `the manifests in ${dir} are not valid (${errors.length} error${errors.length === 1 ? '' : 's'}): ${errors[0] ? renderDiagnostic(errors[0], dir).split('\n')[0] : 'see t2t validate'}`,
    'reconcile.invalidProject',
    "nothing is applied until they are fixed; 't2t validate' lists every error",
  );
}

const cronScheduler: Scheduler = (expression, tick) => {
  const task = cron.schedule(expression, () => tick());
  return {
    stop() {
      void task.destroy();
    },
  };
};
