import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { isWorkingTreeDirty, manifestRevision, requireCleanWorkingTree, withoutCredentials } from '../../engine/gitops/revision.js';
import { UserError } from '../../engine/errors.js';
import { commitAll, git, initRepo, PROJECT_YAML, tempRoot, waveYaml, write, type GitFixture } from './git-fixture.js';

let fx: GitFixture;
test.before.each(() => {
  fx = tempRoot();
});
test.after.each(() => fx.cleanup());

test('a clean repository: HEAD commit, not dirty, branch and remote without credentials', async () => {
  initRepo(fx.root);
  write(fx.root, 'project.yaml', PROJECT_YAML);
  const sha = commitAll(fx.root, 'initial');
  git(fx.root, ['remote', 'add', 'origin', 'https://bot:s3cr3t-token@example.com/org/migration.git']);
  const rev = await manifestRevision(fx.root);
  assert.is(rev.commit, sha);
  assert.is(rev.dirty, false);
  assert.is(rev.branch, 'main');
  assert.is(rev.remote, 'origin');
  assert.is(rev.remoteUrl, 'https://example.com/org/migration.git');
  assert.not.match(JSON.stringify(rev), /s3cr3t/);
});

test('modified, staged, untracked and deleted files under the project are dirty; .t2t is not', async () => {
  initRepo(fx.root);
  write(fx.root, 'project.yaml', PROJECT_YAML);
  write(fx.root, 'waves/w1.yaml', waveYaml('w1', { phase: 'prepared' }));
  write(fx.root, 'waves/w2.yaml', waveYaml('w2', { phase: 'prepared' }));
  commitAll(fx.root, 'initial');
  write(fx.root, '.t2t/inventory/x.json', '{}');
  assert.is((await isWorkingTreeDirty(fx.root)).dirty, false, '.t2t alone is clean');

  write(fx.root, 'waves/w1.yaml', waveYaml('w1', { phase: 'synced' }));
  git(fx.root, ['rm', '--quiet', 'waves/w2.yaml']);
  write(fx.root, 'waves/w3.yaml', waveYaml('w3', { phase: 'discovered' }));
  const state = await isWorkingTreeDirty(fx.root);
  assert.equal(state, { dirty: true, files: ['waves/w1.yaml', 'waves/w2.yaml', 'waves/w3.yaml'], inRepo: true });
  assert.is((await manifestRevision(fx.root)).dirty, true);
});

test('untracked files count only when they are manifest files: a plan saved into the project does not make it dirty', async () => {
  initRepo(fx.root);
  write(fx.root, 'project.yaml', PROJECT_YAML);
  write(fx.root, 'waves/w1.yaml', waveYaml('w1', { phase: 'prepared' }));
  commitAll(fx.root, 'initial');
  // what CI writes beside the manifests (examples/ci/ci.sh with PROJECT=.)
  write(fx.root, 'plan.json', '{}');
  write(fx.root, 'plan.md', '# plan\n');
  const inputs = ['project.yaml', 'waves/w1.yaml'];
  assert.is((await manifestRevision(fx.root, process.env, inputs)).dirty, false);
  assert.equal(await requireCleanWorkingTree(fx.root, { inputs }), { dirty: false, files: [], inRepo: true });
  // without the list of manifest files, every untracked file counts (as before)
  assert.equal((await isWorkingTreeDirty(fx.root)).files, ['plan.json', 'plan.md']);

  // a new wave file not committed yet is a manifest change; so is any change to a tracked file
  write(fx.root, 'waves/w2.yaml', waveYaml('w2', { phase: 'discovered' }));
  assert.equal((await isWorkingTreeDirty(fx.root, process.env, [...inputs, 'waves/w2.yaml'])).files, ['waves/w2.yaml']);
  write(fx.root, 'waves/w1.yaml', waveYaml('w1', { phase: 'synced' }));
  assert.equal((await isWorkingTreeDirty(fx.root, process.env, inputs)).files, ['waves/w1.yaml']);
  assert.is((await manifestRevision(fx.root, process.env, inputs)).dirty, true);
});

test('a project in a subdirectory: only its own files count, paths relative to it', async () => {
  initRepo(fx.root);
  const project = join(fx.root, 'projects', 'contoso');
  write(project, 'project.yaml', PROJECT_YAML);
  write(fx.root, 'README.md', 'hello\n');
  const sha = commitAll(fx.root, 'initial');
  write(fx.root, 'README.md', 'changed outside the project\n');
  write(fx.root, 'projects/other/project.yaml', PROJECT_YAML);
  let rev = await manifestRevision(project);
  assert.is(rev.commit, sha);
  assert.is(rev.dirty, false);

  write(project, 'waves/new.yaml', waveYaml('new', { phase: 'discovered' }));
  rev = await manifestRevision(project);
  assert.is(rev.dirty, true);
  assert.equal((await isWorkingTreeDirty(project)).files, ['waves/new.yaml']);
});

test('not a git repository: commit null with a note, never dirty', async () => {
  write(fx.root, 'project.yaml', PROJECT_YAML);
  const rev = await manifestRevision(fx.root);
  assert.is(rev.commit, null);
  assert.is(rev.dirty, false);
  assert.match(rev.note ?? '', /not in a git repository/);
  assert.equal(await isWorkingTreeDirty(fx.root), { dirty: false, files: [], inRepo: false });
});

test('a project directory that does not exist: no repository, no crash', async () => {
  const rev = await manifestRevision(join(fx.root, 'missing'));
  assert.is(rev.commit, null);
});

test('a repository without commits: commit null, every file dirty', async () => {
  initRepo(fx.root);
  write(fx.root, 'project.yaml', PROJECT_YAML);
  const rev = await manifestRevision(fx.root);
  assert.is(rev.commit, null);
  assert.is(rev.dirty, true);
  assert.match(rev.note ?? '', /no commit yet/);
});

test('requireCleanWorkingTree refuses naming the files, unless allowDirty', async () => {
  initRepo(fx.root);
  write(fx.root, 'project.yaml', PROJECT_YAML);
  commitAll(fx.root, 'initial');
  await requireCleanWorkingTree(fx.root); // clean: no throw
  write(fx.root, 'project.yaml', PROJECT_YAML + '# edited\n');
  try {
    await requireCleanWorkingTree(fx.root);
    assert.unreachable('should refuse');
  } catch (e) {
    assert.instance(e, UserError);
    assert.match((e as UserError).message, /uncommitted changes: project\.yaml/);
    assert.match((e as UserError).hint ?? '', /--allow-dirty/);
  }
  const allowed = await requireCleanWorkingTree(fx.root, { allowDirty: true });
  assert.is(allowed.dirty, true);
});

test('withoutCredentials keeps ssh and plain URLs', () => {
  assert.is(withoutCredentials('git@github.com:org/repo.git'), 'git@github.com:org/repo.git');
  assert.is(withoutCredentials('https://x-access-token:ghs_abc@github.com/o/r'), 'https://github.com/o/r');
});

test.run();
