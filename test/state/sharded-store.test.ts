import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCollection, shardOf, STORE_FORMAT_VERSION } from '../../engine/state/sharded-store.js';
import { UserError } from '../../engine/errors.js';
import { byShardThenKey } from '../helpers/store-order.js';
import { user, type User } from '../helpers/store-records.js';

interface Meta {
  deltaLink: string;
  discoveredAt: string;
}

const tmp = mkdtempSync(join(tmpdir(), 't2t-store-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));
let seq = 0;
const fresh = () => join(tmp, `case-${++seq}`);

async function filled(dir: string, count: number, shards = 16) {
  const c = await openCollection<User, Meta>(dir, 'users', { shards });
  for (let i = 0; i < count; i++) c.put(`id-${i}`, user(i));
  c.setMeta('deltaLink', 'https://graph/delta?token=1');
  await c.flush();
  return c;
}

test('round trip: records and meta survive a reopen; size, get, iteration', async () => {
  const dir = fresh();
  await filled(dir, 500);
  const c = await openCollection<User, Meta>(dir, 'users');
  assert.is(c.size, 500);
  assert.is(c.shardCount, 16); // the stored count wins over the default
  assert.equal(c.get('id-42'), user(42));
  assert.is(c.get('nope'), undefined);
  assert.is(c.getMeta('deltaLink'), 'https://graph/delta?token=1');
  assert.is([...c.values()].length, 500);
  assert.equal(new Set([...c.keys()]).size, 500);
  assert.ok(c.delete('id-1'));
  assert.not.ok(c.delete('id-1'));
  c.put('id-0', { ...user(0), n: -1 }); // overwrite does not change size
  assert.is(c.size, 499);
  await c.flush();
  const again = await openCollection<User, Meta>(dir, 'users');
  assert.is(again.size, 499);
  assert.is(again.get('id-0')!.n, -1);
  assert.not.ok(again.has('id-1'));
});

test('a new, empty collection opens and flushes', async () => {
  const c = await openCollection<User>(fresh(), 'empty', { shards: 4 });
  assert.is(c.size, 0);
  const r = await c.flush();
  assert.is(r.filesWritten, 1); // the head only
});

test('one put appends one journal line and its commit, in one write: no shard is rewritten', async () => {
  const dir = fresh();
  const c = await filled(dir, 1000, 16);
  const root = join(dir, 'users');
  const shardFiles = readdirSync(root).filter((f) => f.startsWith('shard-'));
  assert.is(shardFiles.length, 16);
  assert.not.ok(existsSync(join(root, 'journal.jsonl')), 'the first fill wrote the shards');
  const before = new Map(shardFiles.map((f) => [f, statSync(join(root, f)).mtimeMs + ':' + statSync(join(root, f)).ino]));
  c.put('id-7', { ...user(7), n: 7777 });
  const r = await c.flush();
  assert.is(r.filesWritten, 1);
  const journal = readFileSync(join(root, 'journal.jsonl'), 'utf8');
  assert.is(r.bytesWritten, Buffer.byteLength(journal));
  assert.ok(r.bytesWritten < 200, `${r.bytesWritten} bytes for one record`);
  assert.match(journal, /"id-7".*7777/);
  assert.ok(journal.endsWith('["m",{"deltaLink":"https://graph/delta?token=1"}]\n'), journal);
  for (const f of shardFiles) assert.is(statSync(join(root, f)).mtimeMs + ':' + statSync(join(root, f)).ino, before.get(f), f);
  const nothing = await c.flush();
  assert.equal(nothing, { filesWritten: 0, bytesWritten: 0 });
  assert.is((await openCollection<User>(dir, 'users')).get('id-7')!.n, 7777);
});

test('meta changes append one commit to the journal, and survive a reopen', async () => {
  const dir = fresh();
  const c = await filled(dir, 100, 8);
  const head = readFileSync(join(dir, 'users', 'collection.json'), 'utf8');
  c.setMeta('discoveredAt', '2026-01-01T00:00:00Z');
  const r = await c.flush();
  assert.is(r.filesWritten, 1);
  assert.match(readFileSync(join(dir, 'users', 'journal.jsonl'), 'utf8'), /^\["m",\{.*"discoveredAt":"2026-01-01T00:00:00Z".*\}\]$/m);
  assert.is(readFileSync(join(dir, 'users', 'collection.json'), 'utf8'), head);
  assert.is((await openCollection<User, Meta>(dir, 'users')).getMeta('discoveredAt'), '2026-01-01T00:00:00Z');
});

test('crash safety: a temp file left by an interrupted flush is ignored and removed', async () => {
  const dir = fresh();
  await filled(dir, 200, 4);
  const shard = `shard-${String(shardOf('id-3', 4)).padStart(3, '0')}.v8`;
  const leftover = join(dir, 'users', `.${shard}.tmp`);
  writeFileSync(leftover, '{"formatVersion":1,"records":{"id-3":{"id":"id-3","upn":"torn'); // crash mid-write
  const c = await openCollection<User>(dir, 'users');
  assert.is(c.size, 200);
  assert.equal(c.get('id-3'), user(3)); // the previous, complete version
  assert.not.ok(readdirSync(join(dir, 'users')).some((f) => f.endsWith('.tmp')));
});

test('a corrupt shard is a UserError naming the file and saying to delete the cache', async () => {
  const dir = fresh();
  await filled(dir, 50, 4);
  const shard = join(dir, 'users', 'shard-002.v8');
  writeFileSync(shard, '{"formatVersion":1,"records":{"id-');
  try {
    await openCollection<User>(dir, 'users');
    assert.unreachable('should have thrown');
  } catch (e) {
    assert.instance(e, UserError);
    const u = e as UserError;
    assert.is(u.code, 'state.corrupt');
    assert.ok(u.message.includes(shard), u.message);
    assert.match(u.hint!, /delete .*users.*discover --full/);
  }
});

test("onCorrupt: 'reset' discards the collection and says why", async () => {
  const dir = fresh();
  await filled(dir, 50, 4);
  writeFileSync(join(dir, 'users', 'collection.json'), '[]');
  const c = await openCollection<User>(dir, 'users', { onCorrupt: 'reset', shards: 8 });
  assert.is(c.size, 0);
  assert.is(c.shardCount, 8);
  assert.match(c.resetReason!, /corrupt.*collection\.json/);
  c.put('id-1', user(1));
  await c.flush();
  const again = await openCollection<User>(dir, 'users');
  assert.is(again.size, 1);
  assert.is(again.shardCount, 8);
  assert.is(again.resetReason, undefined);
});

test('a collection.json whose shard count is out of range (edited by hand) is damaged, not a bug of t2t', async () => {
  const dir = fresh();
  await filled(dir, 50, 4);
  const head = join(dir, 'users', 'collection.json');
  writeFileSync(head, JSON.stringify({ ...(JSON.parse(readFileSync(head, 'utf8')) as object), shards: 5000 }));
  try {
    await openCollection<User>(dir, 'users');
    assert.unreachable('should have thrown');
  } catch (e) {
    assert.instance(e, UserError);
    assert.is((e as UserError).code, 'state.corrupt');
    assert.ok((e as UserError).message.includes(head), (e as UserError).message);
  }
  const c = await openCollection<User>(dir, 'users', { onCorrupt: 'reset', shards: 4 });
  assert.is(c.size, 0);
  assert.match(c.resetReason!, /corrupt.*collection\.json/);
});

test('clear empties records and meta; flush removes the shard files', async () => {
  const dir = fresh();
  const c = await filled(dir, 100, 4);
  c.clear();
  assert.is(c.size, 0);
  assert.is(c.getMeta('deltaLink'), undefined);
  await c.flush();
  assert.equal(readdirSync(join(dir, 'users')), ['collection.json']);
  const again = await openCollection<User, Meta>(dir, 'users');
  assert.is(again.size, 0);
  assert.is(again.getMeta('deltaLink'), undefined);
});

test('shardOf is stable and spreads keys', () => {
  assert.is(shardOf('abc', 64), shardOf('abc', 64));
  const counts = new Array(16).fill(0);
  for (let i = 0; i < 16000; i++) counts[shardOf(`00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, 16)]++;
  assert.ok(Math.min(...counts) > 700 && Math.max(...counts) < 1300, String(counts));
});

test('a cache written in the older format (records as objects) is discarded with its own note, never misread', async () => {
  const dir = fresh();
  const root = join(dir, 'users');
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'collection.json'), JSON.stringify({ formatVersion: 1, shards: 1, meta: { deltaLink: 'x' } }));
  writeFileSync(join(root, 'shard-000.json'), JSON.stringify({ formatVersion: 1, records: { 'id-1': user(1) } }));
  try {
    await openCollection<User>(dir, 'users');
    assert.unreachable('should have thrown');
  } catch (e) {
    assert.instance(e, UserError);
    assert.match((e as UserError).message, new RegExp(`another format.*format version 1.*reads version ${STORE_FORMAT_VERSION}`));
    assert.match((e as UserError).hint!, /delete .*users.*discover --full/);
  }
  const c = await openCollection<User, Meta>(dir, 'users', { onCorrupt: 'reset' });
  assert.is(c.size, 0);
  assert.is(c.getMeta('deltaLink'), undefined);
  assert.match(c.resetReason!, /written by another version of t2t.*read again in full/);
  assert.not.match(c.resetReason!, /corrupt/);
});

test('shard files spell each property name once, not once per record', async () => {
  const dir = fresh();
  await filled(dir, 200, 2);
  const text = readFileSync(join(dir, 'users', 'shard-000.v8')).toString('latin1');
  assert.is(text.split('upn').length - 1, 1, 'the name once, in the shape');
  const again = await openCollection<User>(dir, 'users');
  for (let i = 0; i < 200; i++) assert.equal(again.get(`id-${i}`), user(i));
});

test('orderedValues: the files\' rows in order (key order without a ranking), then the keys added since; a key deleted and put again keeps its place', async () => {
  const dir = fresh();
  const keys = Array.from({ length: 300 }, (_, i) => `k-${(i * 7919) % 1000}`);
  const c = await openCollection<{ k: string; v?: number }>(dir, 'items', { shards: 8 });
  for (const k of keys) c.put(k, { k });
  await c.flush();
  const loaded = await openCollection<{ k: string; v?: number }>(dir, 'items');
  const stored = [...keys].sort(byShardThenKey(8));
  assert.equal(loaded.orderedValues().map((v) => v.k), stored);
  loaded.put('z-new', { k: 'z-new' });
  loaded.put('a-new', { k: 'a-new' });
  loaded.delete(stored[0]!);
  loaded.delete(stored[5]!);
  loaded.put(stored[5]!, { k: stored[5]!, v: 2 });
  loaded.put(stored[9]!, { k: stored[9]!, v: 3 });
  const now = loaded.orderedValues();
  assert.equal(now.map((v) => v.k), [...stored.slice(1), 'z-new', 'a-new']);
  assert.equal([now[4], now[8]], [{ k: stored[5]!, v: 2 }, { k: stored[9]!, v: 3 }], 'the values put last');
  assert.equal((await openCollection<{ k: string }>(fresh(), 'empty')).orderedValues(), []);
});

test('setRowOrder: each shard file holds its rows by rank (equal ranks by key), and they are read back in that order, with 1, 8 and 3 shards', async () => {
  const keys = Array.from({ length: 700 }, (_, i) => `k-${(i * 7919) % 1000}`);
  // ranks run against key order; a tenth share one rank, a tenth have none (last)
  const rankOf = (i: number) => (i % 10 === 0 ? 5 : i % 10 === 1 ? null : 1000 - i);
  const rank = (r: number | null) => r ?? Infinity;
  for (const shards of [1, 8, 3]) {
    const dir = fresh();
    const c = await openCollection<{ k: string; r: number | null }>(dir, 'items', { shards });
    c.setRowOrder((_key, value) => rank((value as { r: number | null }).r));
    keys.forEach((k, i) => c.put(k, { k, r: rankOf(i) }));
    await c.flush();
    const loaded = await openCollection<{ k: string; r: number | null }>(dir, 'items');
    const expected: string[] = [];
    for (let file = 0; file < shards; file++) {
      const mine = keys.map((k, i) => ({ k, r: rankOf(i) })).filter((x) => shardOf(x.k, shards) === file);
      mine.sort((a, b) => (rank(a.r) === rank(b.r) ? (a.k < b.k ? -1 : 1) : rank(a.r) - rank(b.r)));
      expected.push(...mine.map((x) => x.k));
    }
    assert.equal(loaded.orderedValues().map((v) => v.k), expected, `${shards} shards`);
    assert.is(loaded.size, keys.length);
    keys.forEach((k, i) => assert.equal(loaded.get(k), { k, r: rankOf(i) }));
    assert.is(readdirSync(join(dir, 'items')).filter((f) => f.startsWith('shard-')).length, shards);
  }
});

test('omit: records are read without those fields, and the view refuses every write', async () => {
  const dir = fresh();
  await filled(dir, 50);
  const view = await openCollection<Partial<User>, Meta>(dir, 'users', { omit: ['upn'] });
  assert.equal(view.get('id-7'), { id: 'id-7', n: 7 });
  assert.is(view.getMeta('deltaLink'), 'https://graph/delta?token=1');
  for (const write of [() => view.put('x', {}), () => view.delete('id-1'), () => view.clear(), () => view.setRowOrder(undefined)]) {
    assert.throws(write, /read-only view \(without upn\)/);
  }
  try {
    await view.flush();
    assert.unreachable('flush of a view must fail');
  } catch (e) {
    assert.match(String(e), /read-only view/);
  }
  const full = await openCollection<User, Meta>(dir, 'users');
  assert.equal(full.get('id-7'), user(7), 'the files are untouched');
});

test('a read given a signal stops at its next turn of the event loop once the signal is aborted, changing nothing; else it reads every record', async () => {
  const dir = fresh();
  await filled(dir, 3000, 1); // one file of six segments
  const aborted = new AbortController();
  aborted.abort('SIGINT');
  try {
    await openCollection<User, Meta>(dir, 'users', { shards: 1, signal: aborted.signal, turnEveryMs: 0 });
    assert.unreachable('the read must stop');
  } catch (e) {
    assert.instance(e, UserError);
    assert.is((e as UserError).code, 'state.interrupted');
    assert.match((e as Error).message, /^interrupted while reading the local cache: nothing was changed$/);
  }
  // the signal is looked at only where the reading of the segments turns the event loop
  const read = await openCollection<User, Meta>(dir, 'users', { shards: 1, signal: new AbortController().signal, turnEveryMs: 0 });
  assert.is(read.size, 3000);
  assert.equal(read.get('id-2999'), user(2999));
  assert.is(read.getMeta('deltaLink'), 'https://graph/delta?token=1');
});

test('collections read at once, in steps, each get their own records (the read buffer is shared between steps); a read stopped midway closes its file', async () => {
  const dirs = [fresh(), fresh(), fresh(), fresh()];
  for (const [i, dir] of dirs.entries()) {
    const c = await openCollection<User, Meta>(dir, 'users', { shards: 1 });
    for (let n = 0; n < 1500 + i * 300; n++) c.put(`id-${i}-${n}`, user(n + i * 10_000));
    await c.flush();
  }
  const signal = new AbortController().signal;
  const read = await Promise.all(dirs.map((dir) => openCollection<User, Meta>(dir, 'users', { shards: 1, signal, turnEveryMs: 0 })));
  for (const [i, c] of read.entries()) {
    assert.is(c.size, 1500 + i * 300);
    for (const n of [0, 777, 1499]) assert.equal(c.get(`id-${i}-${n}`), user(n + i * 10_000));
  }
  // stopped after its first segment: the generator is closed, and with it the file
  const openFiles = () => readdirSync('/proc/self/fd').length;
  const before = openFiles();
  const stop = new AbortController();
  setImmediate(() => stop.abort('SIGINT'));
  try {
    await openCollection<User, Meta>(dirs[3]!, 'users', { shards: 1, signal: stop.signal, turnEveryMs: 0 });
    assert.unreachable('the read must stop');
  } catch (e) {
    assert.is((e as UserError).code, 'state.interrupted');
  }
  assert.is(openFiles(), before, 'no file left open');
});

test.run();
