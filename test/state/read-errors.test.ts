// A cache file the file system will not let t2t read (written by another user, for example by a
// `sudo t2t discover`; a directory where the file should be) is reported as a read the user must
// fix, naming the file, never as "cannot write the t2t state" (nothing was being written), and is
// never mistaken for a corrupt file and discarded.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSynthetic } from '../../bench/plan/generate.js';
import { writeProjectFiles } from '../../bench/plan/project-files.js';
import { writeCache } from '../../bench/plan/run.js';
import { openCollection } from '../../engine/state/sharded-store.js';
import { UserError } from '../../engine/errors.js';
import { runCli } from '../helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 't2t-read-errors-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));

/** A project of 200 users with its discovery cache (shard files, journals and their heads). */
async function projectWithCache(name: string): Promise<string> {
  const dir = join(tmp, name);
  const { project, inventory } = generateSynthetic(200, { settled: false, waves: 2 });
  await writeProjectFiles(dir, project);
  await writeCache(join(dir, '.t2t'), project, inventory);
  return dir;
}

/** Every file of the tree, depth first. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

const NOBODY = 65534;

/** Runs `f` as a user who may not read `file` but owns everything else of `dir`: as root (who reads
 *  anything), the project is given to uid 65534, `file` stays root's with mode 600, and `f` runs
 *  with that effective uid; otherwise `file` gets mode 000. */
async function withUnreadable<T>(dir: string, file: string, f: () => Promise<T>): Promise<T> {
  const mode = statSync(file).mode;
  if (process.getuid?.() !== 0) {
    chmodSync(file, 0o000);
    try {
      return await f();
    } finally {
      chmodSync(file, mode);
    }
  }
  const own = (p: string) => chownSync(p, NOBODY, NOBODY);
  const walk = (p: string): void => {
    own(p);
    if (statSync(p).isDirectory()) for (const e of readdirSync(p)) walk(join(p, e));
  };
  walk(dir);
  chownSync(file, 0, 0);
  chmodSync(file, 0o600);
  chmodSync(dir, 0o755);
  chmodSync(tmp, 0o755); // made 700 by mkdtemp
  process.seteuid!(NOBODY);
  try {
    return await f();
  } finally {
    process.seteuid!(0);
  }
}

test('plan --offline with a cache file another user wrote: cannot read, naming the file and the fix; the cache is kept', async () => {
  const dir = await projectWithCache('plan');
  const state = join(dir, '.t2t');
  const warm = await runCli(['plan', dir, '--offline'], { env: { T2T_STATE_DIR: '', HOME: tmp } });
  assert.is(warm.code, 0, warm.stderr); // every module the command loads is loaded now
  const cacheFiles = filesUnder(join(state, 'inventory'));
  for (const kind of ['collection.json', 'journal.jsonl', 'shard-000.v8']) {
    const file = cacheFiles.find((f) => f.endsWith(kind));
    assert.ok(file, `the cache has a ${kind}: ${cacheFiles.join(', ')}`);
    const r = await withUnreadable(dir, file!, () => runCli(['plan', dir, '--offline'], { env: { T2T_STATE_DIR: '', HOME: tmp } }));
    assert.is(r.code, 1, `${kind}: ${r.stderr}`);
    assert.match(r.stderr, `error: cannot read the t2t state ${file}: permission denied (EACCES)\n`);
    assert.match(r.stderr, /\nhint: the user running t2t \(.+\) may not read it: it was probably written by another user \(t2t run with sudo, or from another account\)\. Give the state directory back to .+ \(as root: chown -R .+ /);
    assert.match(r.stderr, ` ${state}) or run t2t as the user who wrote it, or set T2T_STATE_DIR to another directory`);
    assert.not.match(r.stderr, /cannot write|writable|bug in t2t|at .*\.js/);
    assert.ok(existsSync(file!), 'the unreadable file is not discarded as corrupt');
  }
  assert.equal(filesUnder(join(state, 'inventory')), cacheFiles, 'the cache is as it was');
  const after = await runCli(['plan', dir, '--offline'], { env: { T2T_STATE_DIR: '', HOME: tmp } });
  assert.is(after.code, 0, after.stderr);
  const untimed = (text: string) => text.replace(/finishes by \S+/g, 'finishes by …');
  assert.is(untimed(after.stdout), untimed(warm.stdout), 'readable again, the same plan');
});

test('a directory where a cache file should be: cannot read it (EISDIR), not a write, and not discarded', async () => {
  for (const file of ['collection.json', 'journal.jsonl', 'shard-000.v8']) {
    const dir = mkdtempSync(join(tmp, 'isdir-'));
    const c = await openCollection<{ n: number }>(dir, 'users', { shards: 1 });
    c.put('a', { n: 1 });
    await c.flush();
    const path = join(dir, 'users', file);
    if (existsSync(path)) unlinkSync(path);
    mkdirSync(path);
    const e = await openCollection(dir, 'users', { shards: 1, onCorrupt: 'reset', stateDir: dir }).then(
      () => undefined,
      (x: unknown) => x,
    );
    assert.instance(e, UserError, file);
    assert.is((e as UserError).code, 'state.unreadable');
    assert.is((e as UserError).message, `cannot read the t2t state ${path}: it is a directory (EISDIR)`);
    assert.match((e as UserError).hint!, `remove what stands at ${path} (${dir} holds only caches and logs`);
    assert.ok(statSync(path).isDirectory(), 'left where it is');
  }
});

test.run();
