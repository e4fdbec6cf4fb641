import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir, hostname } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { acquireLock } from '../../engine/state/lock.js';
import { UserError } from '../../engine/errors.js';

const tmp = mkdtempSync(join(tmpdir(), 't2t-lock-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));
let seq = 0;
const fresh = () => join(tmp, `s${++seq}`);

/** The pid of a process that has run and exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

test('acquire, release, acquire again', async () => {
  const dir = fresh();
  const a = await acquireLock(dir, { command: 'apply' });
  assert.ok(existsSync(join(dir, 'lock.json')));
  assert.is(a.warning, undefined);
  assert.is(a.holder.pid, process.pid);
  await a.release();
  assert.not.ok(existsSync(join(dir, 'lock.json')));
  const b = await acquireLock(dir, { command: 'reconcile' });
  await b.release();
  await b.release(); // idempotent
  assert.equal(readdirSync(dir), []); // no temp files left
});

test('a held lock refuses with a UserError naming the holder', async () => {
  const dir = fresh();
  const held = await acquireLock(dir, { command: 'apply', user: 'alice' });
  try {
    await acquireLock(dir, { command: 'reconcile' });
    assert.unreachable('should have been refused');
  } catch (e) {
    assert.instance(e, UserError);
    const u = e as UserError;
    assert.is(u.code, 'state.locked');
    assert.ok(u.message.includes(`'t2t apply' (pid ${process.pid} on ${hostname()}, user alice, started ${held.holder.startedAt})`), u.message);
    assert.match(u.hint!, /lock\.json/);
  }
  await held.release();
});

test('contention: of many concurrent acquirers exactly one wins', async () => {
  const dir = fresh();
  const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => acquireLock(dir, { command: `apply-${i}` })));
  const won = results.filter((r) => r.status === 'fulfilled');
  assert.is(won.length, 1);
  for (const r of results) if (r.status === 'rejected') assert.is((r.reason as UserError).code, 'state.locked');
  await (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof acquireLock>>>).value.release();
});

test('a stale lock (holder pid dead on this host) is taken over with a warning', async () => {
  const dir = fresh();
  const dead = deadPid();
  const stale = await acquireLock(dir, { command: 'apply', pid: dead });
  const lock = await acquireLock(dir, { command: 'reconcile' });
  assert.match(lock.warning!, new RegExp(`took over a stale lock of 't2t apply' \\(pid ${dead} on `));
  await stale.release(); // the old holder's release must not remove the new lock
  assert.ok(existsSync(join(dir, 'lock.json')));
  await lock.release();
  assert.not.ok(existsSync(join(dir, 'lock.json')));
});

test('a lock from another host is never taken over', async () => {
  const dir = fresh();
  await acquireLock(dir, { command: 'apply', pid: deadPid(), host: 'some-other-host' });
  try {
    await acquireLock(dir, { command: 'apply' });
    assert.unreachable('should have been refused');
  } catch (e) {
    assert.match((e as Error).message, /on some-other-host/);
  }
});

test('an unreadable lock file is refused with a hint to delete it', async () => {
  const dir = fresh();
  await acquireLock(dir, { command: 'apply' }).then((l) => l.release());
  writeFileSync(join(dir, 'lock.json'), '{"pid":');
  try {
    await acquireLock(dir, { command: 'apply' });
    assert.unreachable('should have been refused');
  } catch (e) {
    assert.is((e as UserError).code, 'state.lockCorrupt');
    assert.match((e as UserError).hint!, /delete .*lock\.json/);
  }
});

test.run();
