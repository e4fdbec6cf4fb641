// `t2t apply` end to end, minus the rendering: guards (dirty tree, lock, saved plan), a plan from
// fresh tenant state, confirmation, preflight, execution with job logs, a delta discovery so the
// cache shows the writes, and the apply record on the manifest commit.
import type { Project } from '../manifest/model.js';
import type { Plan, PlanChange } from '../plan/model.js';
import { UserError } from '../errors.js';
import { planRefusalError } from '../plan/refusal.js';
import { manifestHash } from '../manifest/manifest-hash.js';
import { manifestInputs } from '../manifest/load-project.js';
import { stateDir, statePaths } from '../state/paths.js';
import { acquireLock, type Lock } from '../state/lock.js';
import { createProcessLogger } from '../state/job-log.js';
import { createJobLogWriter } from './job-log-writer.js';
import { requireCleanWorkingTree, manifestRevision, type ManifestRevision } from '../gitops/revision.js';
import { recordThroughput, ThroughputSampler } from './throughput.js';
import { appliedBy, countChanges, readApplyRecords, writeApplyRecord, type ApplyRecord, type ApplyResult } from '../gitops/apply-records.js';
import { discover } from '../discovery/discover.js';
import { planProject } from '../workflow/plan-project.js';
import { createTenantClient, type TenantClient, type TenantClientOptions } from '../tenant/client.js';
import { stepFor } from '../resources/step-registry.js';
import { DEFAULT_CONCURRENCY, executeChanges, type ChangeResult, type ExecEvent, type ExecuteResult } from './execute.js';
import { checkInventoryHash, checkManifestHash, checkPlanProject, checkSavedDeletes, confirm, readSavedPlan } from './guards.js';
import { checkCertificateBinding, forwardingPreflight } from './preflight.js';
import { recordingClient, type RecordedWrite } from './write-recorder.js';
import type { StepContext } from './step-types.js';

export interface ApplyOptions {
  env: NodeJS.ProcessEnv;
  /** Ctrl-C: nothing new starts, in-flight steps finish. */
  signal: AbortSignal;
  planFile?: string;
  /** How the plan file is shown in messages (as the user typed it). */
  planFileShown?: string;
  wave?: string;
  autoApprove?: boolean;
  dryRun?: boolean;
  concurrency?: number;
  allowDirty?: boolean;
  io: { stdin: NodeJS.ReadableStream & { isTTY?: boolean }; stderr: NodeJS.WritableStream };
  /** Shown before confirmation: the plan (the caller renders it). */
  showPlan?(plan: Plan): void;
  warn?(message: string): void;
  onEvent?(e: ExecEvent, plan: Plan): void;
  /** Every write as it is sent (benchmarks count directory writes). */
  onWrite?(write: RecordedWrite): void;
  now?: () => Date;
  /** Tuning of the tenant clients (tests and benchmarks). */
  client?: Pick<TenantClientOptions, 'retry' | 'budget'>;
  /** Run the content delta sync of these waves' synced users (reconcile's schedule, --delta-sync). */
  deltaSyncWaves?: readonly string[];
  /** A project lock the caller already holds (reconcile): used as is, not released here. */
  lock?: Lock;
}

export type ApplyOutcomeResult = ApplyResult | 'no-changes' | 'declined';

export interface ApplyOutcome {
  result: ApplyOutcomeResult;
  plan: Plan;
  exec?: ExecuteResult;
  /** Writes sent (dry run: that would have been sent). */
  writes: number;
  /** Dry run only: every write, redacted. */
  recorded: RecordedWrite[];
  durationMs: number;
  revision: ManifestRevision;
  /** Why no apply record was written, if none was. */
  recordNote?: string;
  lockWarning?: string;
}

export async function runApply(project: Project, o: ApplyOptions): Promise<ApplyOutcome> {
  const started = Date.now();
  const now = o.now ?? (() => new Date());
  const warn = o.warn ?? (() => undefined);
  const dryRun = !!o.dryRun;
  const shown = o.planFileShown ?? o.planFile ?? '';
  if (o.planFile && o.wave) throw new UserError('--wave cannot be combined with --plan: a saved plan applies the waves it was made for', 'apply.planAndWave', "plan the wave with 't2t plan --wave NAME --out FILE' and apply that file");
  if (o.planFile && o.deltaSyncWaves) {
    throw new UserError('--delta-sync cannot be combined with --plan: a saved plan runs the syncs it was made with', 'apply.planAndWave', "plan them with 't2t plan --delta-sync --out FILE' and apply that file");
  }
  const inputs = manifestInputs(project);
  if (!dryRun) await requireCleanWorkingTree(project.dir, { allowDirty: !!o.allowDirty, env: o.env, inputs });
  const state = stateDir(project.dir, o.env);
  const lock = o.lock ?? (await acquireLock(state, { command: dryRun ? 'apply --dry-run' : 'apply' }));
  if (lock.warning) warn(lock.warning);
  const log = createProcessLogger(state, {
    name: 'apply',
    onError: (e) => warn(`the process log ${statePaths.processLog(state)} cannot be written (${(e as NodeJS.ErrnoException).code ?? e.message}): apply goes on without it`),
  });
  try {
    // ---- the plan: saved and checked, or made now from fresh tenant state
    let plan: Plan;
    let revision: ManifestRevision;
    if (o.planFile) {
      plan = await readSavedPlan(o.planFile, shown);
      checkPlanProject(plan, project.name, project.dir, shown);
      checkManifestHash(plan, manifestHash(project.dir, inputs), shown);
      checkSavedDeletes(plan, project.safety.maxDeletes, shown);
      checkSavedSteps(plan, project, shown);
      const { inventory } = await discover(project, { command: 'apply', env: o.env, stateDir: state, signal: o.signal });
      checkInventoryHash(plan, inventory.hash, shown);
      revision = await manifestRevision(project.dir, o.env, inputs);
    } else {
      const planned = await planProject(project, { env: o.env, signal: o.signal, refresh: 'always', now: now(), ...(o.wave ? { wave: o.wave } : {}), ...(o.deltaSyncWaves ? { deltaSyncWaves: o.deltaSyncWaves } : {}) });
      plan = planned.plan;
      revision = planned.revision;
    }
    const refusal = planRefusalError(plan);
    if (refusal) throw refusal;
    o.showPlan?.(plan);
    const base = { plan, writes: 0, recorded: [], revision, ...(lock.warning ? { lockWarning: lock.warning } : {}) };
    if (plan.changes.length === 0) {
      // nothing to do, but users refused: recorded, so that history shows the commit's apply and why
      // it changed nothing for them (a revert past the point of no return)
      const recordNote = plan.refused.length && !dryRun ? await recordRefusal(project, revision, plan, new Date(started).toISOString(), o.planFile ? plan.manifestHash : undefined) : undefined;
      return { ...base, result: 'no-changes', durationMs: Date.now() - started, ...(recordNote ? { recordNote } : {}) };
    }
    const n = plan.changes.length;
    const yes = await confirm(o.io, `Apply ${n} change${n === 1 ? '' : 's'}${dryRun ? ' (dry run)' : ''}?`, { autoApprove: !!o.autoApprove, savedPlan: !!o.planFile, dryRun, signal: o.signal });
    if (!yes) return { ...base, result: 'declined', durationMs: Date.now() - started };

    // ---- preflight
    await checkCertificateBinding(project, plan.changes, o.env, now());
    const clients = new Map<string, TenantClient>();
    for (const t of project.tenants) clients.set(t.name, createTenantClient(project, t, { env: o.env, ...o.client, log: (e) => log.debug(e, 'tenant') }));
    try {
      await forwardingPreflight(clients, plan.changes, warn);
      log.info({ project: project.name, commit: revision.commit, changes: n, dryRun }, 'apply started');
      const execStarted = new Date().toISOString();
      let writes = 0;
      const recorded: RecordedWrite[] = [];
      const jobLogs = createJobLogWriter(state, {
        onError: (e, file) => warn(`the job log ${file} cannot be written (${(e as NodeJS.ErrnoException).code ?? e.message}): apply goes on, and 't2t logs' will lack what it does`),
      });
      const jobLog = (c: PlanChange, event: string, fields: Record<string, unknown>) => {
        if (!c.user || dryRun) return;
        jobLogs.append({ wave: c.wave, user: c.user }, { event, ...fields });
      };
      const warned = new Set<string>();
      const run = { groups: new Map<string, string>(), warned };
      const hardStop = new AbortController();
      const copied = new ThroughputSampler();
      const exec = await executeChanges(plan.changes, {
        concurrency: o.concurrency ?? DEFAULT_CONCURRENCY,
        signal: o.signal,
        maxFailureRate: project.safety.maxFailureRate,
        onEvent: (e) => {
          if (e.type === 'change.end' && e.result.status === 'skipped') jobLog(e.change, 'step.skipped', { op: e.change.op, id: e.change.id, message: e.result.error });
          if (e.type === 'user.end') {
            jobLog({ wave: e.wave, user: e.user } as PlanChange, 'user.result', { status: e.status, ...(e.error ? { error: e.error } : {}), commit: revision.commit });
            if (!dryRun) jobLogs.end(e);
          }
          if (e.type === 'wave.halted') log.warn(e, 'wave halted');
          o.onEvent?.(e, plan);
        },
        async run(change, user) {
          const step = stepFor(change.op);
          if (!step) throw new UserError(`this t2t has no step for op ${change.op}`, 'apply.unknownOp', "the plan was made by another t2t version: run 't2t plan' again");
          let stepWrites = 0;
          const onWrite = (w: RecordedWrite) => {
            stepWrites++;
            writes++;
            if (dryRun) recorded.push(w);
            o.onWrite?.(w);
          };
          const wrapped = new Map<string, TenantClient>();
          const client = (name: string): TenantClient => {
            let c = wrapped.get(name);
            if (!c) {
              const raw = clients.get(name);
              if (!raw) throw new UserError(`the change names tenant ${name}, which the project does not have`, 'apply.unknownTenant', "run 't2t plan' again");
              c = recordingClient(raw, { dryRun, onWrite });
              wrapped.set(name, c);
            }
            return c;
          };
          const wave = project.waves.find((w) => w.name === change.wave);
          const ctx: StepContext = {
            change,
            project,
            wave,
            profile: wave ? project.profiles[wave.profile] : undefined,
            tenant: client(change.tenant),
            client,
            user,
            run,
            dryRun,
            signal: hardStop.signal,
            now,
            log: (event, fields = {}) => jobLog(change, event, { op: change.op, ...fields }),
            warnOnce: (key, message) => {
              if (warned.has(key)) return;
              warned.add(key);
              warn(message);
            },
          };
          jobLog(change, 'step.start', { op: change.op, id: change.id, summary: change.summary });
          const stepStarted = Date.now();
          try {
            const r = await step(ctx, change);
            if (r?.copiedBytes) copied.add(r.copiedBytes, Date.now() - stepStarted);
            jobLog(change, 'step.done', { op: change.op, id: change.id, writes: stepWrites, ...(r?.note ? { message: r.note } : {}) });
            return { writes: stepWrites, ...(r?.note ? { note: r.note } : {}) };
          } catch (e) {
            const err = e as { message?: string; code?: string; hint?: string };
            jobLog(change, 'step.failed', { level: 'error', op: change.op, id: change.id, writes: stepWrites, message: err?.message ?? String(e), code: err?.code, hint: err?.hint });
            log.error({ op: change.op, id: change.id, user: change.user, code: err?.code, message: err?.message }, 'step failed');
            if (e && typeof e === 'object') (e as { writes?: number }).writes = stepWrites;
            throw e;
          }
        },
      }).finally(() => jobLogs.close());
      const result = resultOf(exec);
      log.info({ result, users: exec.users, writes }, 'apply finished');

      // ---- afterwards: the cache catches up with the writes; the record goes on the commit
      let recordNote: string | undefined;
      if (!dryRun) {
        try {
          await discover(project, { command: 'apply', env: o.env, stateDir: state });
        } catch (e) {
          warn(`the discovery after apply failed (${(e as Error).message}); the next plan rediscovers`);
        }
        recordNote = await record(project, revision, plan, exec.results, result, execStarted, o.planFile ? plan.manifestHash : undefined);
        // for the next plans' estimates (a run that copied little measures nothing)
        await recordThroughput(state, copied, now()).catch((e: unknown) => warn(`the measured throughput could not be saved (${(e as Error).message})`));
      } else recordNote = 'dry run: no apply record';
      return { ...base, result, exec, writes, recorded, durationMs: Date.now() - started, ...(recordNote ? { recordNote } : {}) };
    } finally {
      await Promise.all([...clients.values()].map((c) => c.close().catch(() => undefined)));
    }
  } finally {
    log.flush?.();
    if (!o.lock) await lock.release();
  }
}

export function resultOf(exec: ExecuteResult): ApplyResult {
  const failed = exec.results.some((r) => r.status === 'failed');
  const done = exec.results.some((r) => r.status === 'done');
  if (exec.stopped) return 'stopped';
  if (!failed && exec.results.every((r) => r.status === 'done')) return 'succeeded';
  return done ? 'partial' : 'failed';
}

async function record(project: Project, revision: ManifestRevision, plan: Plan, results: readonly ChangeResult[], result: ApplyResult, startedAt: string, planHash: string | undefined): Promise<string | undefined> {
  if (!revision.commit) return revision.note ?? 'not in a git repository: no apply record';
  const changes = results.map((r) => ({
    id: r.id,
    wave: r.wave,
    ...(r.user ? { user: r.user } : {}),
    resource: r.resource,
    op: r.op,
    action: r.action,
    status: r.status,
    ...(r.error && r.status === 'failed' ? { error: r.error } : {}),
  }));
  const rec: ApplyRecord = {
    formatVersion: 1,
    project: plan.project,
    commit: revision.commit,
    dirty: revision.dirty,
    appliedBy: await appliedBy(project.dir),
    startedAt,
    finishedAt: new Date().toISOString(),
    ...(planHash ? { planHash } : {}),
    result,
    waves: project.waves.map((w) => ({ name: w.name, phase: w.phase, paused: w.paused })),
    changes,
    counts: countChanges(changes),
    ...(plan.refused.length ? { refused: plan.refused.map((r) => ({ user: r.user, ...(r.wave ? { wave: r.wave } : {}), reason: r.reason })) } : {}),
  };
  try {
    await writeApplyRecord(project.dir, rec);
    return undefined;
  } catch (e) {
    return `the apply record could not be written: ${(e as Error).message}`;
  }
}

/** The record of an apply that had nothing to do but refuse users: once per commit and set of
 *  refused users, so that a controller re-running it on a schedule (reconcile's delta syncs) does
 *  not add a record each time. */
async function recordRefusal(project: Project, revision: ManifestRevision, plan: Plan, startedAt: string, planHash: string | undefined): Promise<string | undefined> {
  const users = (r: { refused?: { user: string }[] }) => JSON.stringify((r.refused ?? []).map((x) => x.user).sort());
  if (revision.commit) {
    const earlier = await readApplyRecords(project.dir, { commit: revision.commit }).catch(() => []);
    if (earlier.some((r) => r.result === 'refused' && users(r) === users(plan))) return undefined;
  }
  return record(project, revision, plan, [], 'refused', startedAt, planHash);
}

/** Every change of a saved plan names a step this t2t has and a tenant of the project: checked
 *  before anything is sent, not when the change's turn comes after others were applied. */
function checkSavedSteps(plan: Plan, project: Project, shown: string): void {
  const tenants = new Set(project.tenants.map((t) => t.name));
  plan.changes.forEach((c, i) => {
    const which = `change ${i + 1} (${c.id})`;
    if (!stepFor(c.op)) throw new UserError(`the saved plan ${shown} names op ${c.op} in ${which}, which this t2t has no step for`, 'apply.unknownOp', "the plan was made by another t2t version, or edited: run 't2t plan --out FILE' again and apply the new plan");
    if (!tenants.has(c.tenant)) throw new UserError(`the saved plan ${shown} names tenant ${c.tenant} in ${which}, which the project does not have`, 'apply.unknownTenant', "run 't2t plan --out FILE' again and apply the new plan");
  });
}
