import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { history } from '../../engine/gitops/history.js';
import { countChanges, writeApplyRecord, type ApplyRecord } from '../../engine/gitops/apply-records.js';
import { runCli } from '../helpers/cli.js';
import { UserError } from '../../engine/errors.js';
import { commitAll, git, initRepo, PROJECT_YAML, tempRoot, waveYaml, write, type GitFixture } from './git-fixture.js';

let fx: GitFixture;
let project: string;
const c: Record<string, string> = {};

function record(commit: string, startedAt: string, result: ApplyRecord['result'], changes: ApplyRecord['changes']): ApplyRecord {
  return {
    formatVersion: 1,
    project: 'demo',
    commit,
    dirty: false,
    appliedBy: { name: 'CI', email: 'ci@example.com', host: 'runner-1' },
    startedAt,
    finishedAt: startedAt.replace('00.000Z', '30.000Z'),
    result,
    waves: [{ name: 'pilot', phase: 'synced', paused: false }],
    changes,
    counts: countChanges(changes),
  };
}

// A scripted GitOps repository: the project lives in projects/demo; the pilot wave moves
// discovered -> prepared -> synced, an unrelated commit follows (applied there), synced is
// reverted, and carol moves from the sales CSV to the pilot.
test.before(async () => {
  fx = tempRoot();
  initRepo(fx.root);
  project = join(fx.root, 'projects', 'demo');
  write(project, 'project.yaml', PROJECT_YAML);
  write(project, 'waves/pilot.yaml', waveYaml('pilot', { phase: 'discovered', users: ['alice@contoso.com', 'bob@contoso.com'] }));
  write(project, 'waves/sales.yaml', waveYaml('sales', { phase: 'discovered', csv: 'waves/sales.csv' }));
  write(project, 'waves/sales.csv', 'user\ncarol@contoso.com\ndave@contoso.com\n');
  c.add = commitAll(fx.root, 'Add the pilot and sales waves');
  write(project, 'waves/pilot.yaml', waveYaml('pilot', { phase: 'prepared', users: ['alice@contoso.com', 'bob@contoso.com'] }));
  c.prepare = commitAll(fx.root, 'Prepare the pilot', { name: 'Bea Ops', email: 'bea@example.com' });
  write(project, 'waves/pilot.yaml', waveYaml('pilot', { phase: 'synced', emailRewrite: 'dayOne', users: ['alice@contoso.com', 'bob@contoso.com'] }));
  c.sync = commitAll(fx.root, 'Sync the pilot');
  write(fx.root, 'README.md', 'not a manifest\n');
  c.docs = commitAll(fx.root, 'Docs');
  git(fx.root, ['revert', '--no-edit', c.sync], { GIT_AUTHOR_DATE: '2026-01-02T00:00:00Z', GIT_COMMITTER_DATE: '2026-01-02T00:00:00Z' });
  c.revert = git(fx.root, ['rev-parse', 'HEAD']).trim();
  write(project, 'waves/sales.csv', 'user\ndave@contoso.com\n');
  write(project, 'waves/pilot.yaml', waveYaml('pilot', { phase: 'prepared', users: ['alice@contoso.com', 'bob@contoso.com', 'carol@contoso.com'] }));
  c.move = commitAll(fx.root, 'Move carol to the pilot');

  await writeApplyRecord(fx.root, record(c.prepare, '2026-01-01T12:00:00.000Z', 'succeeded', [
    { id: 'p1', wave: 'pilot', user: 'alice@contoso.com', resource: 'targetUser', action: 'create', status: 'done' },
    { id: 'p2', wave: 'pilot', user: 'bob@contoso.com', resource: 'targetUser', action: 'create', status: 'done' },
  ]));
  // applied after the Docs commit: the declaration of "Sync the pilot"
  await writeApplyRecord(fx.root, record(c.docs, '2026-01-01T15:00:00.000Z', 'partial', [
    { id: 's1', wave: 'pilot', user: 'alice@contoso.com', resource: 'license', op: 'assignLicense', action: 'update', status: 'done' },
    { id: 's2', wave: 'pilot', user: 'bob@contoso.com', resource: 'license', op: 'assignLicense', action: 'update', status: 'failed', error: 'no free units of SPE_E3' },
  ]));
});
test.after(() => fx.cleanup());

test('every manifest commit, newest first, with what it declared', async () => {
  const h = await history(project);
  assert.is(h.project, 'demo');
  assert.is(h.projectPath, 'projects/demo');
  assert.equal(h.entries.map((e) => e.commit), [c.move, c.revert, c.sync, c.prepare, c.add], 'the Docs commit touches no manifest');
  const [move, revert, sync, prepare, add] = h.entries;
  assert.equal(add!.waves.map((w) => [w.name, w.change, w.now?.phase, w.now?.members.total]), [['pilot', 'added', 'discovered', 2], ['sales', 'added', 'discovered', 2]]);
  assert.is(add!.projectChanged, true);
  assert.equal(prepare!.waves.map((w) => [w.name, w.before?.phase, w.now?.phase]), [['pilot', 'discovered', 'prepared']]);
  assert.is(prepare!.author.name, 'Bea Ops');
  assert.equal(sync!.waves[0]!.now, { name: 'pilot', file: 'waves/pilot.yaml', phase: 'synced', paused: false, emailRewrite: 'dayOne', members: { users: 2, groups: 0, csvUsers: 0, total: 2 } });
  assert.equal(revert!.revert, { of: c.sync, subject: 'Sync the pilot' });
  assert.equal(revert!.waves.map((w) => [w.before?.phase, w.now?.phase, w.now?.emailRewrite]), [['synced', 'prepared', 'none']]);
  assert.equal(move!.waves.map((w) => [w.name, w.change, w.before?.members.total, w.now?.members.total]), [['pilot', 'changed', 2, 3], ['sales', 'changed', 2, 1]]);
  assert.is(move!.revert, undefined);
});

test('apply records joined: on their commit, or on the newest manifest commit before them', async () => {
  const h = await history(project);
  const byCommit = new Map(h.entries.map((e) => [e.commit, e]));
  assert.equal(byCommit.get(c.prepare)!.applies.map((a) => [a.result, a.commit, a.counts.done]), [['succeeded', c.prepare, 2]]);
  const sync = byCommit.get(c.sync)!.applies;
  assert.equal(sync.map((a) => [a.result, a.commit, a.counts.failed, a.appliedBy.name]), [['partial', c.docs, 1, 'CI']]);
  assert.equal(byCommit.get(c.revert)!.applies, []);
  assert.equal(byCommit.get(c.move)!.applies, []);
  assert.is(sync[0]!.changes, undefined, 'changes only with --user');
});

test('--wave: only the commits touching that wave file or its CSV', async () => {
  assert.equal((await history(project, { wave: 'sales' })).entries.map((e) => e.commit), [c.move, c.add]);
  const pilot = await history(project, { wave: 'pilot' });
  assert.equal(pilot.entries.map((e) => e.commit), [c.move, c.revert, c.sync, c.prepare, c.add]);
  assert.ok(pilot.entries.every((e) => e.waves.length === 1 && e.waves[0]!.name === 'pilot'));
  try {
    await history(project, { wave: 'pilto' });
    assert.unreachable('an unknown wave is an error');
  } catch (e) {
    assert.match((e as Error).message, /no wave 'pilto' in .* \(did you mean 'pilot'\?\)/);
    assert.is((e as UserError).hint, 'the waves at HEAD: pilot, sales');
  }
});

test('--user: the wave it was put in, its phase, and the changes applied to that user', async () => {
  const carol = await history(project, { user: 'Carol@Contoso.com' });
  assert.equal(carol.entries.map((e) => e.commit), [c.move, c.add]);
  assert.equal(carol.entries[0]!.user, { address: 'carol@contoso.com', wave: 'pilot', phase: 'prepared', previousWave: 'sales', previousPhase: 'discovered' });
  assert.equal(carol.entries[1]!.user, { address: 'carol@contoso.com', wave: 'sales', phase: 'discovered', previousWave: null });
  assert.equal(carol.entries[1]!.waves.map((w) => w.name), ['sales']);

  const bob = await history(project, { user: 'bob@contoso.com' });
  const sync = bob.entries.find((e) => e.commit === c.sync)!;
  assert.equal(sync.user, { address: 'bob@contoso.com', wave: 'pilot', phase: 'synced', previousWave: 'pilot', previousPhase: 'prepared' });
  assert.equal(sync.applies[0]!.changes, [{ id: 's2', wave: 'pilot', user: 'bob@contoso.com', resource: 'license', op: 'assignLicense', action: 'update', status: 'failed', error: 'no free units of SPE_E3' }]);
});

test('--limit keeps the newest entries', async () => {
  assert.equal((await history(project, { limit: 2 })).entries.map((e) => e.commit), [c.move, c.revert]);
});

test('t2t history prints one block per commit, newest first', async () => {
  const r = await runCli(['history', 'projects/demo'], { cwd: fx.root });
  assert.is(r.code, 0, r.stderr);
  const blocks = r.stdout.split('\ncommit ').slice(1);
  assert.is(blocks.length, 5);
  assert.match(blocks[0]!, /^[0-9a-f]{12} .* Ann Admin <ann@example.com>\n    Move carol to the pilot\n/);
  assert.match(blocks[1]!, new RegExp(`revert of ${c.sync!.slice(0, 12)} \\("Sync the pilot"\\)`));
  assert.match(blocks[1]!, /pilot: phase synced -> prepared, emailRewrite dayOne -> none; now phase prepared/);
  assert.match(blocks[1]!, /applied: not yet/);
  assert.match(blocks[2]!, /pilot: phase prepared -> synced/);
  assert.match(blocks[2]!, /by CI <ci@example.com> on runner-1: partial \(2 changes: 1 done, 1 failed, 0 skipped\) \[at [0-9a-f]{12}\]/);
  assert.match(blocks[4]!, /sales: added, phase discovered, not paused, emailRewrite none, 2 members/);
});

test('t2t history --user --output json, and option errors', async () => {
  const r = await runCli(['history', project, '--user', 'bob@contoso.com', '--output', 'json', '--limit', '3']);
  assert.is(r.code, 0, r.stderr);
  const h = JSON.parse(r.stdout);
  assert.is(h.entries.length, 3);
  assert.is(h.filter.user, 'bob@contoso.com');
  const text = await runCli(['history', project, '--user', 'bob@contoso.com']);
  assert.match(text.stdout, /user bob@contoso.com: in pilot \(phase synced\)/);
  assert.match(text.stdout, /license update \(assignLicense\): failed — no free units of SPE_E3/);
  const bad = await runCli(['history', project, '--limit', 'x']);
  assert.is(bad.code, 1);
  assert.match(bad.stderr, /--limit must be a whole number/);
});

test('a shallow clone (CI: git clone --depth N): the oldest commit it holds is not shown as adding every wave', async () => {
  const clone = join(fx.root, '..', `${fx.root.split('/').pop()}-shallow`);
  git(join(fx.root, '..'), ['clone', '--quiet', '--depth', '2', `file://${fx.root}`, clone]);
  try {
    const h = await history(join(clone, 'projects', 'demo'));
    assert.equal(h.entries.map((e) => e.commit), [c.move, c.revert]);
    assert.is(h.entries[0]!.shallow, undefined);
    const cut = h.entries[1]!;
    assert.is(cut.shallow, true);
    assert.equal(cut.files, []);
    assert.is(cut.projectChanged, false);
    assert.equal(cut.waves.map((w) => [w.name, w.change, w.now?.phase]), [['pilot', 'unknown', 'prepared'], ['sales', 'unknown', 'discovered']]);
    const carol = await history(join(clone, 'projects', 'demo'), { user: 'carol@contoso.com' });
    assert.equal(carol.entries[1]!.user, { address: 'carol@contoso.com', wave: 'sales', phase: 'discovered' });
    const text = await runCli(['history', join(clone, 'projects', 'demo')]);
    const block = text.stdout.split('\ncommit ')[2]!;
    assert.match(block, /declared \(what this commit changed is unknown: its parent is not in this shallow clone; 'git fetch --unshallow' fetches it\):\n    pilot: phase prepared, not paused/);
    assert.not.match(block, /added|project settings changed/);
  } finally {
    rmSync(clone, { recursive: true, force: true });
  }
});

test('outside a git repository: a one-line user error', async () => {
  const other = tempRoot();
  try {
    write(other.root, 'project.yaml', PROJECT_YAML);
    const r = await runCli(['history', other.root]);
    assert.is(r.code, 1);
    assert.match(r.stderr, /^error: .* is not in a git repository/);
    assert.match(r.stderr, /hint: keep the manifests in git/);
  } finally {
    other.cleanup();
  }
});

test.run();
