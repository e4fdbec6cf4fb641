import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Writable } from 'node:stream';
import { existsSync, cpSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { runController, runOnce, type ApplyOutcome, type CycleReport, type PlanLike, type ReconcileEffects, type ReconcileOptions } from '../../engine/gitops/reconcile.js';
import { acquireLock } from '../../engine/state/lock.js';
import { statePaths } from '../../engine/state/paths.js';
import { UserError } from '../../engine/errors.js';
import type { Project, Tenant, Wave } from '../../engine/manifest/model.js';
import { runCli } from '../helpers/cli.js';
import { appliedBy, countChanges, writeApplyRecord } from '../../engine/gitops/apply-records.js';
import { reconcileDeps } from '../../engine/cli/commands/reconcile.js';
import { commitAll, git, initRepo, PROJECT_YAML, tempRoot, write, type GitFixture } from './git-fixture.js';

let fx: GitFixture;
test.before.each(() => {
  fx = tempRoot();
});
test.after.each(() => fx.cleanup());

const POS = { file: 'project.yaml', line: 1, col: 1 };

function tenant(name: string, role: 'source' | 'target', discovery: Partial<Tenant['discovery']> = {}): Tenant {
  return { name, role, tenantId: `${name}.onmicrosoft.com`, cloud: 'emulator', auth: { clientId: 'x' }, discovery: { schedule: '0 2 * * *', enabled: true, ...discovery }, position: POS };
}

function wave(name: string, phase: Wave['phase'], extra: { paused?: boolean; cutoverAt?: string; deltaSync?: string } = {}): Wave {
  return {
    name,
    file: `waves/${name}.yaml`,
    profile: 'standard',
    phase,
    paused: extra.paused ?? false,
    emailRewrite: 'none',
    inviteGuests: false,
    members: { users: ['alice@contoso.com'], groups: [], csvUsers: [] },
    schedule: { ...(extra.cutoverAt ? { cutoverAt: extra.cutoverAt } : {}), ...(extra.deltaSync ? { deltaSync: extra.deltaSync } : {}) },
    position: POS,
  };
}

function project(dir: string, waves: Wave[], tenants: Tenant[] = [tenant('contoso', 'source'), tenant('fabrikam', 'target')]): Project {
  return {
    name: 'demo', dir, files: ['project.yaml'], tenants, domains: [], matching: [], attributes: [], profiles: {}, groups: [], certificates: {},
    safety: { maxDeletes: 0, maxFailureRate: 0.2, exclude: [] }, prune: false, waves, position: POS,
  };
}

interface Calls {
  discover: string[];
  plan: number;
  apply: { waves: string[]; reason: string; plan?: PlanLike }[];
}

function fakeEffects(plan: PlanLike = { changes: [] }, outcome: ApplyOutcome = { result: 'succeeded', counts: { done: 1, failed: 0, skipped: 0 } }): { effects: ReconcileEffects; calls: Calls } {
  const calls: Calls = { discover: [], plan: 0, apply: [] };
  return {
    calls,
    effects: {
      async discover({ tenant }) {
        calls.discover.push(tenant);
        return { summary: '10 users' };
      },
      async plan() {
        calls.plan++;
        return plan;
      },
      async apply({ waves, reason, plan: p, lock }) {
        assert.ok(lock.holder.command === 'reconcile', 'apply runs under the reconcile lock');
        calls.apply.push({ waves: [...(waves ?? [])], reason, ...(p ? { plan: p } : {}) });
        return { result: outcome.result, counts: { ...outcome.counts, done: outcome.counts.done * (waves?.length ?? 1) } };
      },
    },
  };
}

function logSink(): { logger: pino.Logger; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
  const logger = pino({ level: 'debug' }, stream);
  return { logger, lines: () => chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

function options(dir: string, p: () => Project, now: string, extra: Partial<ReconcileOptions> = {}): ReconcileOptions & { sink: ReturnType<typeof logSink> } {
  const sink = logSink();
  return { projectDir: dir, stateDir: join(dir, '.t2t'), pull: false, logger: sink.logger, now: () => new Date(now), loadProject: async () => p(), sink, ...extra };
}

test('--once applies a due cutover, skips a future one and a paused one, and applies a cutover once', async () => {
  const waves = [
    wave('w-due', 'cutover', { cutoverAt: '2026-05-01T22:00:00Z' }),
    wave('w-future', 'cutover', { cutoverAt: '2026-12-05T22:00:00Z' }),
    wave('w-paused', 'cutover', { cutoverAt: '2026-05-01T22:00:00Z', paused: true }),
  ];
  const { effects, calls } = fakeEffects();
  const o = options(fx.root, () => project(fx.root, waves), '2026-06-01T12:00:00Z');
  const report = await runOnce(effects, o);
  assert.equal(calls.apply, [{ waves: ['w-due'], reason: 'cutover' }]);
  assert.is(report.status, 'ok');
  assert.ok(report.skipped.includes('cutover of w-future is scheduled for 2026-12-05T22:00:00Z: not due yet'), report.skipped.join('\n'));
  assert.ok(report.skipped.some((s) => /cutover of w-paused .* the wave is paused/.test(s)));
  assert.match(report.health, /^reconcile cycle 1: ok, 1 change applied, next discovery /);
  assert.ok(o.sink.lines().some((l) => l.msg === report.health));

  const again = fakeEffects();
  await runOnce(again.effects, o);
  assert.equal(again.calls.apply, [], 'a cutover that succeeded is not applied again');
  assert.not.ok(existsSync(statePaths.lock(join(fx.root, '.t2t'))), 'the lock is released');
});

test('no change but a refused user: the cycle warns that the tenants do not match, never "no drift"', async () => {
  const waves = [wave('w1', 'prepared')];
  const { effects, calls } = fakeEffects({ changes: [], refused: [{ user: 'alice@contoso.com', reason: 'cannot go back to prepared: the cutover notification was sent' }] });
  const o = options(fx.root, () => project(fx.root, waves), '2026-06-01T12:00:00Z');
  await runOnce(effects, o);
  assert.equal(calls.apply, []);
  const lines = o.sink.lines();
  assert.not.ok(lines.some((l) => /no drift/.test(String(l.msg))), 'said there was no drift');
  assert.ok(lines.some((l) => l.level === 40 && /1 refused user\(s\) do not match the manifests/.test(String(l.msg))), lines.map((l) => l.msg).join('\n'));
});

test('a cutover that did not succeed is retried next cycle', async () => {
  const waves = [wave('w1', 'cutover', { cutoverAt: '2026-05-01T22:00:00Z' })];
  const partial = fakeEffects({ changes: [] }, { result: 'partial', counts: { done: 1, failed: 1, skipped: 0 } });
  const o = options(fx.root, () => project(fx.root, waves), '2026-06-01T12:00:00Z');
  const report = await runOnce(partial.effects, o);
  assert.is(report.status, 'degraded');
  assert.match(report.health, /^reconcile cycle 1: degraded \(apply \(cutover\) of w1: partial, 1 done, 1 failed/);
  const retry = fakeEffects();
  await runOnce(retry.effects, o);
  assert.equal(retry.calls.apply.map((a) => a.reason), ['cutover']);
});

test('discovery runs on its schedule, never for a tenant with discovery.enabled: false', async () => {
  const tenants = [tenant('contoso', 'source'), tenant('fabrikam', 'target', { enabled: false })];
  const p = () => project(fx.root, [], tenants);
  const { effects, calls } = fakeEffects();
  const first = await runOnce(effects, options(fx.root, p, '2026-06-01T12:00:00'));
  assert.equal(calls.discover, ['contoso'], 'first cycle: never discovered, so due');
  assert.equal(first.discovered, ['contoso']);
  assert.ok(first.skipped.includes('discovery of fabrikam is disabled (discovery.enabled: false)'));
  assert.match(first.health, /next discovery 02:00$/);

  await runOnce(effects, options(fx.root, p, '2026-06-02T01:59:00'));
  assert.equal(calls.discover, ['contoso'], 'the 02:00 run has not come yet');
  await runOnce(effects, options(fx.root, p, '2026-06-02T02:01:00'));
  assert.equal(calls.discover, ['contoso', 'contoso']);
});

test('delta syncs of synced waves follow schedule.deltaSync; paused waves are left alone', async () => {
  const waves = [wave('w-synced', 'synced', { deltaSync: '0 */6 * * *' }), wave('w-paused', 'synced', { deltaSync: '0 */6 * * *', paused: true }), wave('w-prepared', 'prepared', { deltaSync: '0 */6 * * *' })];
  const p = () => project(fx.root, waves);
  const { effects, calls } = fakeEffects();
  await runOnce(effects, options(fx.root, p, '2026-06-01T07:00:00'));
  assert.equal(calls.apply, [{ waves: ['w-synced'], reason: 'deltaSync' }]);
  await runOnce(effects, options(fx.root, p, '2026-06-01T11:59:00'));
  assert.is(calls.apply.length, 1, 'not due before 12:00');
  await runOnce(effects, options(fx.root, p, '2026-06-01T12:00:00'));
  assert.equal(calls.apply.map((a) => a.reason), ['deltaSync', 'deltaSync']);
});

test('drift: the plan has changes for non-paused waves, so apply corrects them and says what', async () => {
  const plan: PlanLike = {
    changes: [
      { id: 'c1', wave: 'w1', user: 'alice@contoso.com', resource: 'forwarding', action: 'update', summary: 'set forwarding of alice@fabrikam.com to alice@contoso.com' },
      { id: 'c2', wave: 'w2', user: 'bob@contoso.com', resource: 'targetUser', action: 'create', summary: 'create user bob@fabrikam.com' },
    ],
  };
  const waves = [wave('w1', 'synced'), wave('w2', 'prepared', { paused: true })];
  const { effects, calls } = fakeEffects(plan);
  const o = options(fx.root, () => project(fx.root, waves), '2026-06-01T12:00:00Z');
  const report = await runOnce(effects, o);
  assert.equal(calls.apply.map((a) => [a.waves, a.reason, a.plan === plan]), [[['w1'], 'drift', true]]);
  assert.equal(report.drift.map((c) => c.id), ['c1']);
  const messages = o.sink.lines().map((l) => String(l.msg));
  assert.ok(messages.includes('drift: set forwarding of alice@fabrikam.com to alice@contoso.com (alice@contoso.com, w1)'), messages.join('\n'));
  assert.ok(messages.includes('corrected drift: 1 of 1 change(s) in w1'));
  assert.ok(report.skipped.includes('1 planned change(s) of paused waves left alone'));

  const clean = fakeEffects({ changes: [] });
  const r2 = await runOnce(clean.effects, options(fx.root, () => project(fx.root, waves), '2026-06-01T12:00:00Z'));
  assert.equal(clean.calls.apply, []);
  assert.is(r2.changesApplied, 0);
});

test('a step that throws fails the cycle with its cause, and the lock is still released', async () => {
  const { effects } = fakeEffects();
  effects.plan = async () => {
    throw new UserError('no discovery cache for this project yet', 'plan.noInventory');
  };
  const report = await runOnce(effects, options(fx.root, () => project(fx.root, []), '2026-06-01T12:00:00'));
  assert.is(report.status, 'failed');
  assert.is(report.health, 'reconcile cycle 1: failed (no discovery cache for this project yet), 0 changes applied, next discovery 02:00');
  assert.not.ok(existsSync(statePaths.lock(join(fx.root, '.t2t'))));
});

test('a second run is refused while the project lock is held', async () => {
  const stateDir = join(fx.root, '.t2t');
  const held = await acquireLock(stateDir, { command: 'apply' });
  try {
    const { effects, calls } = fakeEffects();
    try {
      await runOnce(effects, options(fx.root, () => project(fx.root, []), '2026-06-01T12:00:00Z'));
      assert.unreachable('should be refused');
    } catch (e) {
      assert.instance(e, UserError);
      assert.match((e as Error).message, /the project is locked by 't2t apply'/);
    }
    assert.is(calls.plan, 0);
  } finally {
    await held.release();
  }
});

test('controller: a tick during a cycle is skipped and logged; abort finishes the cycle, stops the schedules, releases the lock', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let planned!: () => void;
  const planning = new Promise<void>((r) => (planned = r));
  const { effects, calls } = fakeEffects();
  const slowPlan = effects.plan;
  effects.plan = async (o) => {
    planned();
    await gate;
    return slowPlan(o);
  };
  const ticks: { expression: string; tick: () => void; stopped: boolean }[] = [];
  const scheduler = (expression: string, tick: () => void) => {
    const entry = { expression, tick, stopped: false };
    ticks.push(entry);
    return { stop: () => void (entry.stopped = true) };
  };
  const abort = new AbortController();
  const reports: CycleReport[] = [];
  const o = options(fx.root, () => project(fx.root, [wave('w1', 'synced', { deltaSync: '0 */6 * * *' })]), '2026-06-01T12:00:00Z', { signal: abort.signal });
  const running = runController(effects, { ...o, intervalSeconds: 3600, scheduler, onCycle: (r) => reports.push(r) });
  await planning; // cycle 1 is in progress, blocked in plan
  assert.is(reports.length, 0);
  abort.abort();
  let finished = false;
  void running.then(() => (finished = true));
  await new Promise((r) => setImmediate(r));
  assert.is(finished, false, 'waits for the cycle in flight');
  release();
  const result = await running;
  assert.is(result.cycles, 1);
  assert.is(reports.length, 1);
  assert.is(calls.plan, 1);
  assert.not.ok(existsSync(statePaths.lock(join(fx.root, '.t2t'))), 'lock released');
  assert.ok(ticks.every((t) => t.stopped), 'cron tasks stopped');
  assert.ok(o.sink.lines().some((l) => l.msg === 'reconcile controller stopped'));
});

test('controller: cron ticks trigger cycles; a tick while a cycle runs is skipped', async () => {
  const { effects, calls } = fakeEffects();
  const ticks: { expression: string; tick: () => void; stopped: boolean }[] = [];
  const scheduler = (expression: string, tick: () => void) => {
    const entry = { expression, tick, stopped: false };
    ticks.push(entry);
    return { stop: () => void (entry.stopped = true) };
  };
  const abort = new AbortController();
  const reports: CycleReport[] = [];
  let onReport!: () => void;
  let waitReport = new Promise<void>((r) => (onReport = r));
  const o = options(fx.root, () => project(fx.root, [wave('w1', 'synced', { deltaSync: '0 */6 * * *' })]), '2026-06-01T12:00:00Z', { signal: abort.signal });
  const running = runController(effects, {
    ...o,
    intervalSeconds: 3600,
    scheduler,
    onCycle: (r) => {
      reports.push(r);
      onReport();
    },
  });
  await waitReport;
  assert.equal(ticks.map((t) => t.expression).sort(), ['0 */6 * * *', '0 2 * * *', '0 2 * * *']);

  // block the next cycle in plan, then tick again while it runs
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let planned!: () => void;
  const planning = new Promise<void>((r) => (planned = r));
  const plan = effects.plan;
  effects.plan = async (x) => {
    planned();
    await gate;
    return plan(x);
  };
  waitReport = new Promise<void>((r) => (onReport = r));
  ticks[0]!.tick();
  await planning;
  ticks[1]!.tick();
  release();
  await waitReport;
  assert.is(reports.length, 2);
  assert.ok(o.sink.lines().some((l) => /skipped, a reconcile cycle is already running/.test(String(l.msg))));
  abort.abort();
  assert.equal(await running, { cycles: 2 });
  assert.is(calls.plan, 2);
});

function remoteSetup(): { remote: string; controller: string; dev: string } {
  const remote = join(fx.root, 'remote.git');
  git(fx.root, ['init', '--quiet', '--bare', '--initial-branch=main', remote]);
  const dev = join(fx.root, 'dev');
  initRepo(dev);
  write(dev, 'project.yaml', PROJECT_YAML);
  commitAll(dev, 'initial');
  git(dev, ['remote', 'add', 'origin', remote]);
  git(dev, ['push', '--quiet', '-u', 'origin', 'main']);
  const controller = join(fx.root, 'controller');
  git(fx.root, ['clone', '--quiet', remote, controller]);
  git(controller, ['config', 'user.name', 'Controller']);
  git(controller, ['config', 'user.email', 'controller@example.com']);
  return { remote, controller, dev };
}

test('pull: fast-forwards to the remote, then reloads the project from the new commit', async () => {
  const { controller, dev } = remoteSetup();
  write(dev, 'waves/w1.yaml', 'phase: cutover\n');
  const pushed = commitAll(dev, 'cut over w1');
  git(dev, ['push', '--quiet', 'origin', 'main']);
  const seen: boolean[] = [];
  const { effects } = fakeEffects();
  const o = options(controller, () => {
    seen.push(existsSync(join(controller, 'waves/w1.yaml')));
    return project(controller, []);
  }, '2026-06-01T12:00:00Z', { pull: true });
  const report = await runOnce(effects, o);
  assert.is(report.pull?.status, 'updated');
  assert.is(report.commit, pushed);
  assert.is(git(controller, ['rev-parse', 'HEAD']).trim(), pushed);
  assert.equal(seen, [true], 'the project was loaded after the pull');
  assert.is(report.status, 'ok');
});

test('pull: a checkout ahead of its remote is refused too (unreviewed local commits are never applied)', async () => {
  const { controller } = remoteSetup();
  write(controller, 'b.yaml', 'y: 1\n');
  const local = commitAll(controller, 'local commit');
  const { effects, calls } = fakeEffects();
  const report = await runOnce(effects, options(controller, () => project(controller, []), '2026-06-01T12:00:00Z', { pull: true }));
  assert.is(report.status, 'failed');
  assert.equal(report.pull?.status === 'refused' && report.pull.reason, 'ahead');
  assert.match(report.errors[0]!, /1 local commit\(s\) that are not on origin\/main/);
  assert.is(git(controller, ['rev-parse', 'HEAD']).trim(), local);
  assert.is(calls.plan, 0);
});

test('pull: the records of an apply made by the cycle are pushed to the remote', async () => {
  const { controller, remote } = remoteSetup();
  const { effects } = fakeEffects({ changes: [{ id: 'c1', wave: 'w1', user: 'alice@contoso.com', resource: 'targetUser', action: 'create' }] });
  const apply = effects.apply;
  effects.apply = async (o) => {
    const commit = git(controller, ['rev-parse', 'HEAD']).trim();
    const changes = [{ id: 'c1', wave: 'w1', user: 'alice@contoso.com', resource: 'targetUser', action: 'create', status: 'done' as const }];
    await writeApplyRecord(controller, {
      formatVersion: 1, project: 'demo', commit, dirty: false, appliedBy: await appliedBy(controller), startedAt: '2026-06-01T12:00:00.000Z',
      finishedAt: '2026-06-01T12:00:01.000Z', result: 'succeeded', waves: [], changes, counts: countChanges(changes),
    });
    return apply(o);
  };
  const report = await runOnce(effects, options(controller, () => project(controller, [wave('w1', 'synced')]), '2026-06-01T12:00:00Z', { pull: true }));
  assert.is(report.status, 'ok', report.health);
  const head = git(controller, ['rev-parse', 'HEAD']).trim();
  assert.match(git(remote, ['notes', '--ref', 't2t', 'show', head]), /"appliedBy":\{"name":"Controller"/);
});

test('pull: SIGTERM during an apply: the cycle still publishes the record of the stopped apply', async () => {
  const { controller, remote } = remoteSetup();
  const abort = new AbortController();
  const { effects } = fakeEffects({ changes: [{ id: 'c1', wave: 'w1', user: 'alice@contoso.com', resource: 'targetUser', action: 'create' }] });
  effects.apply = async () => {
    abort.abort(); // SIGTERM arrives while the executor runs: it finishes the steps in flight and stops
    const commit = git(controller, ['rev-parse', 'HEAD']).trim();
    const changes = [{ id: 'c1', wave: 'w1', user: 'alice@contoso.com', resource: 'targetUser', action: 'create', status: 'done' as const }];
    await writeApplyRecord(controller, {
      formatVersion: 1, project: 'demo', commit, dirty: false, appliedBy: await appliedBy(controller), startedAt: '2026-06-01T12:00:00.000Z',
      finishedAt: '2026-06-01T12:00:01.000Z', result: 'stopped', waves: [], changes, counts: countChanges(changes),
    });
    return { result: 'stopped', counts: { done: 1, failed: 0, skipped: 0 } };
  };
  const o = options(controller, () => project(controller, [wave('w1', 'synced')]), '2026-06-01T12:00:00Z', { pull: true, signal: abort.signal });
  const report = await runOnce(effects, o);
  assert.is(report.status, 'stopped', report.health);
  const head = git(controller, ['rev-parse', 'HEAD']).trim();
  assert.match(git(remote, ['notes', '--ref', 't2t', 'show', head]), /"result":"stopped"/, 'the record reached the remote');
});

test('pull: records a cycle could not push (network down) are pushed by the next cycle, even when it applies nothing', async () => {
  const { controller, remote } = remoteSetup();
  const head = git(controller, ['rev-parse', 'HEAD']).trim();
  const changes = [{ id: 'c1', wave: 'w1', user: 'alice@contoso.com', resource: 'targetUser', action: 'create', status: 'done' as const }];
  // an apply made while the remote was unreachable: recorded locally only
  await writeApplyRecord(controller, {
    formatVersion: 1, project: 'demo', commit: head, dirty: false, appliedBy: await appliedBy(controller), startedAt: '2026-06-01T11:00:00.000Z',
    finishedAt: '2026-06-01T11:00:01.000Z', result: 'succeeded', waves: [], changes, counts: countChanges(changes),
  });
  const { effects, calls } = fakeEffects({ changes: [] });
  const report = await runOnce(effects, options(controller, () => project(controller, [wave('w1', 'synced')]), '2026-06-01T12:00:00Z', { pull: true }));
  assert.is(report.status, 'ok', report.health);
  assert.equal(calls.apply, [], 'nothing applied this cycle');
  assert.match(git(remote, ['notes', '--ref', 't2t', 'show', head]), /"startedAt":"2026-06-01T11:00:00.000Z"/, 'the waiting record reached the remote');
});

test('pull: a diverged checkout is refused, never reset, and nothing is applied', async () => {
  const { controller, dev } = remoteSetup();
  write(dev, 'a.yaml', 'x: 1\n');
  commitAll(dev, 'remote change');
  git(dev, ['push', '--quiet', 'origin', 'main']);
  write(controller, 'b.yaml', 'y: 1\n');
  const local = commitAll(controller, 'local change on the controller');
  const { effects, calls } = fakeEffects({ changes: [{ id: 'c', wave: 'w', resource: 'r', action: 'create' }] });
  const o = options(controller, () => project(controller, [wave('w', 'synced')]), '2026-06-01T12:00:00Z', { pull: true });
  const report = await runOnce(effects, o);
  assert.is(report.status, 'failed');
  assert.is(report.pull?.status, 'refused');
  assert.match(report.health, /^reconcile cycle 1: failed \(not pulling: main \([0-9a-f]{12}\) and origin\/main \([0-9a-f]{12}\) have diverged/);
  assert.is(git(controller, ['rev-parse', 'HEAD']).trim(), local, 'the checkout is left alone');
  assert.equal(calls, { discover: [], plan: 0, apply: [] });
  assert.ok(o.sink.lines().some((l) => l.level === 50 && /diverged/.test(String(l.msg))));
});

test('t2t reconcile --once on a real project with fake effects: JSON log lines and the health line', async () => {
  const dir = join(fx.root, 'project');
  cpSync(join(process.cwd(), 'examples', 'contoso-fabrikam'), dir, { recursive: true });
  const saved = reconcileDeps.effects;
  const { effects, calls } = fakeEffects();
  reconcileDeps.effects = () => effects;
  try {
    const r = await runCli(['reconcile', dir, '--once', '--no-pull'], { env: { T2T_STATE_DIR: '' } });
    assert.is(r.code, 0, r.stderr + r.stdout);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { msg: string; name: string });
    assert.ok(lines.every((l) => l.name === 'reconcile'));
    assert.match(lines.at(-1)!.msg, /^reconcile cycle 1: ok, \d+ changes? applied/);
    assert.ok(calls.plan === 1);
    assert.ok(existsSync(join(dir, '.t2t', 't2t.log')), 'also logged to the state directory');
    const bad = await runCli(['reconcile', dir, '--interval', '0']);
    assert.is(bad.code, 1);
    assert.match(bad.stderr, /--interval must be a number of seconds/);
  } finally {
    reconcileDeps.effects = saved;
  }
});

test.run();
