import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import {
  appliedBy,
  configureNotesFetch,
  countChanges,
  fetchNotes,
  NOTES_REF,
  pushNotes,
  readAllApplyRecords,
  readApplyRecords,
  writeApplyRecord,
  type ApplyRecord,
} from '../../engine/gitops/apply-records.js';
import { commitAll, git, initRepo, PROJECT_YAML, tempRoot, write, type GitFixture } from './git-fixture.js';

let fx: GitFixture;
test.before.each(() => {
  fx = tempRoot();
});
test.after.each(() => fx.cleanup());

function record(commit: string, overrides: Partial<ApplyRecord> = {}): ApplyRecord {
  const changes: ApplyRecord['changes'] = [
    { id: 'c1', wave: 'w1', user: 'alice@contoso.com', resource: 'targetUser', op: 'createUser', action: 'create', status: 'done' },
    { id: 'c2', wave: 'w1', user: 'bob@contoso.com', resource: 'license', op: 'assignLicense', action: 'update', status: 'failed', error: 'no free units of SPE_E3' },
  ];
  return {
    formatVersion: 1,
    project: 'demo',
    commit,
    dirty: false,
    appliedBy: { name: 'Ann Admin', email: 'ann@example.com', host: 'laptop' },
    startedAt: '2026-01-02T10:00:00.000Z',
    finishedAt: '2026-01-02T10:05:00.000Z',
    result: 'partial',
    waves: [{ name: 'w1', phase: 'prepared', paused: false }],
    changes,
    counts: countChanges(changes),
    ...overrides,
  };
}

function repo(): { dir: string; sha: string } {
  const dir = join(fx.root, 'work');
  initRepo(dir);
  write(dir, 'project.yaml', PROJECT_YAML);
  return { dir, sha: commitAll(dir, 'initial') };
}

test('a record is written as a git note on the applied commit and read back', async () => {
  const { dir, sha } = repo();
  await writeApplyRecord(dir, record(sha));
  assert.match(git(dir, ['notes', '--ref', 't2t', 'show', sha]), /"result":"partial"/);
  const records = await readApplyRecords(dir, { commit: sha });
  assert.equal(records, [record(sha)]);
  assert.equal(record(sha).counts, { total: 2, done: 1, failed: 1, skipped: 0 });
  assert.equal(await readApplyRecords(dir), [record(sha)]);
});

test('a second apply of the same commit appends; records of other commits stay apart', async () => {
  const { dir, sha } = repo();
  write(dir, 'waves/w1.yaml', 'x: 1\n');
  const second = commitAll(dir, 'second');
  await writeApplyRecord(dir, record(sha));
  await writeApplyRecord(dir, record(sha, { startedAt: '2026-01-03T10:00:00.000Z', finishedAt: '2026-01-03T10:01:00.000Z', result: 'succeeded' }));
  await writeApplyRecord(dir, record(second, { startedAt: '2026-01-04T10:00:00.000Z' }));
  const first = await readApplyRecords(dir, { commit: sha });
  assert.equal(first.map((r) => r.result), ['partial', 'succeeded']);
  const all = await readAllApplyRecords(dir);
  assert.equal([...all.keys()].sort(), [sha, second].sort());
  assert.is((await readApplyRecords(dir)).length, 3);
  assert.equal(await readApplyRecords(dir, { commit: 'HEAD' }), [record(second, { startedAt: '2026-01-04T10:00:00.000Z' })]);
});

test('secrets never reach a note', async () => {
  const { dir, sha } = repo();
  const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4eXoifQ.c2lnbmF0dXJl';
  const r = record(sha);
  r.changes[1]!.error = `401 from Graph with Authorization: Bearer ${jwt}`;
  (r as unknown as Record<string, unknown>).clientSecret = 'hunter2';
  await writeApplyRecord(dir, r);
  const note = git(dir, ['notes', '--ref', 't2t', 'show', sha]);
  assert.not.match(note, /hunter2/);
  assert.not.match(note, new RegExp(jwt.slice(0, 20)));
  assert.match(note, /REDACTED/);
});

test('writing to a commit that does not exist is a user error naming it', async () => {
  const { dir } = repo();
  try {
    await writeApplyRecord(dir, record('0123456789012345678901234567890123456789'));
    assert.unreachable();
  } catch (e) {
    assert.match((e as Error).message, /commit 0123456789012345678901234567890123456789 is not in the repository/);
  }
});

test('notes written without a git identity fall back to t2t; appliedBy reads git config', async () => {
  const { dir, sha } = repo();
  assert.equal(await appliedBy(dir), { name: 'Ann Admin', email: 'ann@example.com', host: (await import('node:os')).hostname() });
  git(dir, ['config', '--unset', 'user.name']);
  git(dir, ['config', '--unset', 'user.email']);
  await writeApplyRecord(dir, record(sha));
  assert.is((await readApplyRecords(dir, { commit: sha })).length, 1);
});

test('notes survive a clone: pushed to a bare remote, fetched into a fresh clone, merged both ways', async () => {
  const remote = join(fx.root, 'remote.git');
  git(fx.root, ['init', '--quiet', '--bare', remote]);
  const { dir, sha } = repo();
  git(dir, ['remote', 'add', 'origin', remote]);
  git(dir, ['push', '--quiet', 'origin', 'main']);
  assert.equal(await fetchNotes(dir, 'origin'), { fetched: false }, 'nothing pushed yet');
  await writeApplyRecord(dir, record(sha));
  assert.equal(await pushNotes(dir, 'origin'), { pushed: true });

  const clone = join(fx.root, 'clone');
  git(fx.root, ['clone', '--quiet', remote, clone]);
  git(clone, ['config', 'user.name', 'CI']);
  git(clone, ['config', 'user.email', 'ci@example.com']);
  assert.equal(await readApplyRecords(clone), [], 'a plain clone has no notes');
  assert.equal(await fetchNotes(clone, 'origin'), { fetched: true });
  assert.equal(await readApplyRecords(clone, { commit: sha }), [record(sha)]);

  // both sides append meanwhile: the push of one merges the other's record instead of dropping it
  const fromCi = record(sha, { startedAt: '2026-01-05T00:00:00.000Z', appliedBy: { name: 'CI', email: 'ci@example.com', host: 'runner' } });
  const fromLaptop = record(sha, { startedAt: '2026-01-06T00:00:00.000Z', result: 'succeeded' });
  await writeApplyRecord(clone, fromCi);
  await pushNotes(clone, 'origin');
  await writeApplyRecord(dir, fromLaptop);
  await pushNotes(dir, 'origin');
  await fetchNotes(clone, 'origin');
  const merged = await readApplyRecords(clone, { commit: sha });
  assert.equal(merged.map((r) => r.startedAt), ['2026-01-02T10:00:00.000Z', '2026-01-05T00:00:00.000Z', '2026-01-06T00:00:00.000Z']);
});

test('configureNotesFetch: a plain git fetch brings the records, readers see them', async () => {
  const remote = join(fx.root, 'remote.git');
  git(fx.root, ['init', '--quiet', '--bare', remote]);
  const { dir, sha } = repo();
  git(dir, ['remote', 'add', 'origin', remote]);
  git(dir, ['push', '--quiet', 'origin', 'main']);
  const clone = join(fx.root, 'clone');
  git(fx.root, ['clone', '--quiet', remote, clone]);
  const configured = await configureNotesFetch(clone, 'origin');
  assert.equal(configured, { added: true, refspec: `+${NOTES_REF}:refs/notes/remotes/origin/t2t` });
  assert.is((await configureNotesFetch(clone, 'origin')).added, false, 'idempotent');

  await writeApplyRecord(dir, record(sha));
  await pushNotes(dir, 'origin');
  git(clone, ['fetch', '--quiet', 'origin']);
  assert.equal(await readApplyRecords(clone, { commit: sha }), [record(sha)]);
  try {
    await configureNotesFetch(clone, 'upstream');
    assert.unreachable();
  } catch (e) {
    assert.match((e as Error).message, /no git remote named 'upstream'/);
  }
});

test.run();
