// A state directory the file system will not take (a file in its place, a dangling or looping
// symbolic link, a read-only or full disk) is the user's to fix: one line naming the path, the
// reason and what to do, never "unexpected failure ... a bug in t2t" (found by a safety audit).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync, cpSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stateDir } from '../../engine/state/paths.js';
import { acquireLock } from '../../engine/state/lock.js';
import { UserError } from '../../engine/errors.js';
import { refusalAsUserError } from '../../engine/cli/main.js';
import { runCli } from '../helpers/cli.js';
import { EXAMPLE_DIR } from '../helpers/example-project.js';

const tmp = mkdtempSync(join(tmpdir(), 't2t-write-errors-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  assert.unreachable('expected a throw');
}

test('a file where the state directory should be: state.unwritable naming it', () => {
  const project = mkdtempSync(join(tmp, 'file-'));
  writeFileSync(join(project, '.t2t'), 'not a directory\n');
  const e = thrown(() => stateDir(project, {})) as UserError;
  assert.instance(e, UserError);
  assert.is(e.code, 'state.unwritable');
  assert.match(e.message, `cannot write the t2t state ${join(project, '.t2t')}: a file of that name exists and is not a directory (EEXIST)`);
  assert.match(e.hint!, /T2T_STATE_DIR/);
});

test('a dangling symbolic link as the state directory names where it points', () => {
  const project = mkdtempSync(join(tmp, 'dangling-'));
  const target = join(tmp, 'gone', 'state');
  symlinkSync(target, join(project, '.t2t'));
  const e = thrown(() => stateDir(project, {})) as UserError;
  assert.is(e.code, 'state.unwritable');
  assert.match(e.message, `it is a symbolic link to ${target}, which does not exist`);
  assert.match(e.hint!, `create ${target}, or remove the link`);
});

test('a symbolic link to itself: ELOOP, with a hint to fix the link', () => {
  const project = mkdtempSync(join(tmp, 'loop-'));
  symlinkSync('.t2t', join(project, '.t2t'));
  const e = thrown(() => stateDir(project, {})) as UserError;
  assert.is(e.code, 'state.unwritable');
  assert.match(e.message, /too many levels of symbolic links \(ELOOP\)/);
});

test('the lock in a state directory that cannot be made is refused, and leaves no temp file', async () => {
  const project = mkdtempSync(join(tmp, 'lock-'));
  writeFileSync(join(project, 'state'), 'a file\n');
  const e = (await acquireLock(join(project, 'state', 'sub'), { command: 'apply' }).then(
    () => undefined,
    (x: unknown) => x,
  )) as UserError;
  assert.instance(e, UserError);
  assert.is(e.code, 'state.unwritable');
  assert.equal(readdirSync(project), ['state']);
});

test('a write the system refused anywhere else: named, with the state directory in the hint, not a bug', () => {
  const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' });
  const e = refusalAsUserError(full, '/srv/p/.t2t') as UserError;
  assert.instance(e, UserError);
  assert.is(e.message, 'the file system refused a write: no space left on the device (ENOSPC)');
  assert.match(e.hint!, 't2t writes its caches and logs in /srv/p/.t2t; T2T_STATE_DIR moves them');
  const inState = Object.assign(new Error("EROFS: read-only file system, open '/srv/p/.t2t/reconcile.json'"), { code: 'EROFS', path: '/srv/p/.t2t/reconcile.json' });
  assert.is((refusalAsUserError(inState, '/srv/p/.t2t') as UserError).message, 'cannot write the t2t state /srv/p/.t2t/reconcile.json: the file system is read-only (EROFS)');
  const bug = new TypeError("Cannot read properties of undefined (reading 'x')");
  assert.is(refusalAsUserError(bug, '/srv/p/.t2t'), bug, 'a real bug stays one');
});

test('t2t plan with a file in place of .t2t: exit 1, one error and a hint, no stack trace', async () => {
  const project = join(tmp, 'cli-project');
  cpSync(EXAMPLE_DIR, project, { recursive: true, filter: (src) => !src.includes('.t2t') });
  writeFileSync(join(project, '.t2t'), 'x\n');
  const r = await runCli(['plan', project, '--offline'], { env: { T2T_STATE_DIR: '' } });
  assert.is(r.code, 1);
  assert.match(r.stderr, /^error: cannot write the t2t state .*\.t2t: a file of that name exists and is not a directory \(EEXIST\)\nhint: move away the file/);
  assert.not.match(r.stderr, /unexpected failure|bug in t2t|at .*\.js/);
  assert.ok(existsSync(join(project, '.t2t')));
});

test.run();
