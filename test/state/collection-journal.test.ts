// The journal of a sharded collection: flushes append the changed records, loads replay them,
// compaction folds them into the shards it touches, and crashes at any step reopen correctly.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, rmdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCollection, shardOf, STORE_FORMAT_VERSION, type Collection } from '../../engine/state/sharded-store.js';
import { encodeJournal } from '../../engine/state/collection-journal.js';
import { UserError } from '../../engine/errors.js';
import { byShardThenKey } from '../helpers/store-order.js';
import { user, type User } from '../helpers/store-records.js';

interface Meta {
  deltaLink: string;
}

const tmp = mkdtempSync(join(tmpdir(), 't2t-journal-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));
let seq = 0;
const fresh = () => join(tmp, `case-${++seq}`);
const shardName = (key: string, shards: number) => `shard-${String(shardOf(key, shards)).padStart(3, '0')}.v8`;

async function filled(dir: string, count: number, shards: number) {
  const c = await openCollection<User, Meta>(dir, 'users', { shards });
  for (let i = 0; i < count; i++) c.put(`id-${i}`, user(i));
  c.setMeta('deltaLink', 'link-1');
  await c.flush();
  return c;
}

/** Each shard file's identity: a rename (atomic rewrite) gives a new inode. */
function shardStamps(root: string): Map<string, string> {
  return new Map(
    readdirSync(root)
      .filter((f) => f.startsWith('shard-'))
      .map((f) => {
        const s = statSync(join(root, f));
        return [f, `${s.ino}:${s.mtimeMs}:${s.size}`];
      }),
  );
}

function contents<T>(c: Collection<T, Meta>): Record<string, T> {
  return Object.fromEntries([...c.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
}

test('a flush after 1,000 puts into 100,000 records appends about 1,000 records, not the shards', async () => {
  const dir = fresh();
  const root = join(dir, 'users');
  const c = await filled(dir, 100_000, 256);
  assert.not.ok(existsSync(join(root, 'journal.jsonl')), 'a first fill of the whole collection writes the shards');
  const stamps = shardStamps(root);
  assert.is(stamps.size, 256);
  const shardBytes = [...stamps.keys()].reduce((sum, f) => sum + statSync(join(root, f)).size, 0);
  const oneLine = JSON.stringify(['p', 'id-99999', user(99999, -99999)]).length + 1;
  const head = readFileSync(join(root, 'collection.json'), 'utf8');

  for (let i = 0; i < 100_000; i += 100) c.put(`id-${i}`, user(i, -i));
  c.setMeta('deltaLink', 'link-2');
  const r = await c.flush();
  assert.is(r.filesWritten, 1, 'the journal only: the meta is in its commit');
  const journalBytes = statSync(join(root, 'journal.jsonl')).size;
  assert.is(r.bytesWritten, journalBytes);
  assert.is(readFileSync(join(root, 'collection.json'), 'utf8'), head, 'collection.json not rewritten');
  assert.ok(journalBytes <= 1000 * oneLine + 100, `${journalBytes} bytes for 1,000 records of at most ${oneLine}`);
  assert.ok(r.bytesWritten * 20 < shardBytes, `${r.bytesWritten} bytes written, the shards hold ${shardBytes}`);
  assert.equal(shardStamps(root), stamps, 'no shard rewritten');

  const again = await openCollection<User, Meta>(dir, 'users');
  assert.is(again.size, 100_000);
  assert.is(again.getMeta('deltaLink'), 'link-2');
  for (let i = 0; i < 100_000; i += 50) assert.equal(again.get(`id-${i}`), user(i, i % 100 === 0 ? -i : i));
});

test('deletes, new keys and overwrites replay on reopen; a second append adds to the journal', async () => {
  const dir = fresh();
  const c = await filled(dir, 500, 8);
  c.delete('id-1');
  c.put('new-1', user(1001));
  c.put('id-2', user(2, 20));
  await c.flush();
  c.put('id-2', user(2, 200)); // the later line wins
  c.delete('new-1');
  c.put('new-2', user(1002));
  const r = await c.flush();
  assert.is(r.filesWritten, 1);
  const lines = readFileSync(join(dir, 'users', 'journal.jsonl'), 'utf8').trimEnd().split('\n');
  assert.is(lines.length, 1 + 6 + 2, 'a header, one line a change and a commit an append');
  const again = await openCollection<User, Meta>(dir, 'users');
  assert.is(again.size, 500);
  assert.not.ok(again.has('id-1'));
  assert.not.ok(again.has('new-1'));
  assert.equal(again.get('id-2'), user(2, 200));
  assert.equal(again.get('new-2'), user(1002));
  assert.equal(contents(again), contents(c));
});

test('an append a crash cut short (no commit, or a torn line) is ignored, records and meta alike, and cut off before the next append', async () => {
  const dir = fresh();
  const root = join(dir, 'users');
  const c = await filled(dir, 300, 4);
  c.put('id-5', user(5, 55));
  c.setMeta('deltaLink', 'link-5');
  await c.flush();
  const journal = join(root, 'journal.jsonl');
  const good = readFileSync(journal, 'utf8');
  assert.ok(good.endsWith('["m",{"deltaLink":"link-5"}]\n'), 'an append ends with its commit, the meta in it');
  // whole lines, but the commit never made it (its newline missing): none of it counts
  const cut = JSON.stringify(['p', 'id-6', user(6, 66)]) + '\n' + JSON.stringify(['m', { deltaLink: 'link-6' }]);
  appendFileSync(journal, cut);
  const view = await openCollection<Partial<User>, Meta>(dir, 'users', { omit: ['upn'] });
  assert.equal(view.get('id-6'), { id: 'id-6', n: 6 });
  assert.is(view.getMeta('deltaLink'), 'link-5');
  assert.is(readFileSync(journal, 'utf8'), good + cut, 'a view leaves the file alone');
  const reopened = await openCollection<User, Meta>(dir, 'users');
  assert.equal(reopened.get('id-6'), user(6), 'the uncommitted put does not count');
  assert.is(reopened.getMeta('deltaLink'), 'link-5', 'nor its meta');
  assert.is(readFileSync(journal, 'utf8'), good, 'the cut-short append is cut off');

  // a committed append, then a torn line after it
  appendFileSync(journal, encodeJournal<User>([{ op: 'put', key: 'id-6', value: user(6, 66) }], { deltaLink: 'link-6' }, STORE_FORMAT_VERSION, false));
  appendFileSync(journal, '["p","id-7",{"id":"id-7","up');
  const again = await openCollection<User, Meta>(dir, 'users');
  assert.is(again.get('id-6')!.n, 66, 'the committed append counts');
  assert.is(again.getMeta('deltaLink'), 'link-6');
  assert.equal(again.get('id-7'), user(7), 'the torn line does not');
  assert.ok(readFileSync(journal, 'utf8').endsWith('\n'), 'the torn tail is cut off');
  again.put('id-8', user(8, 88));
  await again.flush();
  const last = await openCollection<User, Meta>(dir, 'users');
  assert.equal([last.get('id-5')!.n, last.get('id-6')!.n, last.get('id-7')!.n, last.get('id-8')!.n], [55, 66, 7, 88]);
  assert.is(last.getMeta('deltaLink'), 'link-6');
  assert.is(last.size, 300);
});

test('a journal torn inside its header is an empty journal', async () => {
  const dir = fresh();
  await filled(dir, 100, 4);
  writeFileSync(join(dir, 'users', 'journal.jsonl'), '{"formatVers');
  const c = await openCollection<User, Meta>(dir, 'users');
  assert.is(c.size, 100);
  c.put('id-1', user(1, 11));
  await c.flush();
  assert.is((await openCollection<User, Meta>(dir, 'users')).get('id-1')!.n, 11);
});

test('a corrupt journal (a complete line that is not an entry) follows onCorrupt: UserError naming the file, or reset', async () => {
  for (const bad of ['["p","id-1"]\n', 'not json\n', '["x","id-1",1]\n', '["p","",{}]\n']) {
    const dir = fresh();
    const c = await filled(dir, 100, 4);
    c.put('id-2', user(2, 22));
    await c.flush();
    const journal = join(dir, 'users', 'journal.jsonl');
    appendFileSync(journal, bad);
    appendFileSync(journal, '["d","id-3"]\n');
    try {
      await openCollection<User>(dir, 'users');
      assert.unreachable(`should have thrown for ${bad}`);
    } catch (e) {
      assert.instance(e, UserError);
      assert.is((e as UserError).code, 'state.corrupt');
      assert.ok((e as UserError).message.includes(journal), (e as UserError).message);
      assert.match((e as UserError).message, /line 4/); // header, put, commit, then the bad line
      assert.match((e as UserError).hint!, /delete .*users.*discover --full/);
    }
    const reset = await openCollection<User>(dir, 'users', { onCorrupt: 'reset' });
    assert.is(reset.size, 0);
    assert.match(reset.resetReason!, /corrupt.*journal\.jsonl/);
  }
});

test('a journal of another format version is discarded with its own note, never misread', async () => {
  const dir = fresh();
  await filled(dir, 100, 4);
  writeFileSync(join(dir, 'users', 'journal.jsonl'), `{"formatVersion":${STORE_FORMAT_VERSION + 1}}\n["d","id-1"]\n`);
  try {
    await openCollection<User>(dir, 'users');
    assert.unreachable('should have thrown');
  } catch (e) {
    assert.match((e as UserError).message, /another format.*journal\.jsonl.*another version of t2t/);
  }
  const c = await openCollection<User>(dir, 'users', { onCorrupt: 'reset' });
  assert.is(c.size, 0);
  assert.match(c.resetReason!, /written by another version of t2t/);
});

test('compaction rewrites only the shards the journal touches, keeps the contents, removes the journal', async () => {
  const dir = fresh();
  const root = join(dir, 'users');
  const c = await filled(dir, 1000, 64);
  for (const k of ['id-3', 'id-500']) c.put(k, user(Number(k.slice(3)), -1));
  c.delete('id-77');
  c.put('brand-new', user(5000));
  await c.flush();
  const expected = contents(c);
  const stamps = shardStamps(root);
  const touched = new Set(['id-3', 'id-500', 'id-77', 'brand-new'].map((k) => shardName(k, 64)));

  const eager = await openCollection<User, Meta>(dir, 'users', { compaction: { minLines: 0, share: 0 } });
  assert.equal(contents(eager), expected);
  const r = await eager.flush(); // nothing pending: the journal alone is over the limit
  assert.not.ok(existsSync(join(root, 'journal.jsonl')));
  const after = shardStamps(root);
  for (const [f, stamp] of stamps) assert.is(after.get(f) !== stamp, touched.has(f), f);
  const rewritten = [...touched].reduce((sum, f) => sum + statSync(join(root, f)).size, 0);
  const head = statSync(join(root, 'collection.json')).size;
  // the shards, the journal removed, and collection.json twice: marked before, unmarked after
  assert.is(r.filesWritten, touched.size + 3);
  assert.ok(r.bytesWritten > rewritten + 2 * head && r.bytesWritten < rewritten + 2 * head + 64, `${r.bytesWritten} bytes`);
  assert.not.match(readFileSync(join(root, 'collection.json'), 'utf8'), /compacting/);
  assert.equal(contents(await openCollection<User, Meta>(dir, 'users')), expected);
});

test('with the default limits the journal grows until it holds more than 1/8 of the records, then compacts', async () => {
  const dir = fresh();
  const root = join(dir, 'users');
  const c = await filled(dir, 1000, 16);
  for (let i = 0; i < 100; i++) c.put(`id-${i}`, user(i, -i));
  await c.flush();
  assert.ok(existsSync(join(root, 'journal.jsonl')));
  for (let i = 100; i < 130; i++) c.put(`id-${i}`, user(i, -i)); // 130 lines > 125
  await c.flush();
  assert.not.ok(existsSync(join(root, 'journal.jsonl')));
  const again = await openCollection<User, Meta>(dir, 'users');
  assert.equal(contents(again), contents(c));
  assert.is(again.get('id-129')!.n, -129);
});

test('crash between compaction steps: the journal left over the rewritten shards (all or some) replays to the same records, under the earlier meta, marked interrupted', async () => {
  const dir = fresh();
  const root = join(dir, 'users');
  const c = await filled(dir, 400, 16);
  // the journal: updates, a delete, a new key
  for (let i = 0; i < 40; i++) c.put(`id-${i}`, user(i, i + 10_000));
  c.delete('id-50');
  c.put('j-new', user(9000));
  await c.flush();
  const journalState = contents(c);
  const oldJournal = readFileSync(join(root, 'journal.jsonl'), 'utf8');
  const inJournal = (k: string) => k === 'j-new' || k === 'id-50' || /^id-([0-9]|[1-3][0-9])$/.test(k);

  // A compacting flush with changes to keys the journal names (id-1, id-2) and to others.
  const eager = await openCollection<User, Meta>(dir, 'users', { compaction: { minLines: 0, share: 0 } });
  eager.put('id-1', user(1, -1));
  eager.put('id-200', user(200, -200));
  eager.put('p-new', user(9001));
  eager.delete('id-2');
  eager.delete('id-300');
  eager.setMeta('deltaLink', 'link-2');
  const final = contents(eager);

  // Crash mid-compaction: one shard cannot be written (its temp file's place is taken), so the
  // flush stops with that shard old, the others new and the journal still there.
  const keep = shardName('id-200', 16);
  const blocker = join(root, `.${keep}.tmp`);
  mkdirSync(blocker);
  try {
    await eager.flush();
    assert.unreachable('the blocked shard write must fail the flush');
  } catch (e) {
    assert.is((e as NodeJS.ErrnoException).code, 'EISDIR');
  }
  rmdirSync(blocker);
  const leftOver = readFileSync(join(root, 'journal.jsonl'), 'utf8');
  assert.is(
    leftOver,
    oldJournal + encodeJournal<User>([{ op: 'put', key: 'id-1', value: user(1, -1) }, { op: 'delete', key: 'id-2' }], { deltaLink: 'link-1' }, STORE_FORMAT_VERSION, false),
    'the changes to keys the journal names were appended first, and only those, committed with the earlier meta',
  );
  const marked = JSON.parse(readFileSync(join(root, 'collection.json'), 'utf8')) as { meta: Meta; compacting?: boolean };
  assert.is(marked.meta.deltaLink, 'link-1', 'the meta is not ahead');
  assert.is(marked.compacting, true, 'collection.json says a compaction is under way');
  const reopened = await openCollection<User, Meta>(dir, 'users');
  assert.is(reopened.interrupted, true);
  assert.is(reopened.getMeta('deltaLink'), 'link-1');
  const partial = contents(reopened);
  for (const k of new Set([...Object.keys(final), ...Object.keys(journalState)])) {
    if (inJournal(k)) assert.equal(partial[k], final[k], `${k}: the journal's last word`);
    else if (shardName(k, 16) === keep) assert.equal(partial[k], journalState[k], `${k}: as before the flush`);
    else assert.equal(partial[k], final[k], `${k}: as after the flush`);
  }

  // The retry completes the compaction.
  await eager.flush();
  assert.not.ok(existsSync(join(root, 'journal.jsonl')));
  const done = await openCollection<User, Meta>(dir, 'users');
  assert.equal(contents(done), final);
  assert.is(done.interrupted, false);
  assert.is(done.getMeta('deltaLink'), 'link-2');

  // Crash after every shard was written and the journal removed, before collection.json got the
  // new meta: the records are the new ones, the meta the earlier one, marked.
  writeFileSync(join(root, 'collection.json'), JSON.stringify({ formatVersion: STORE_FORMAT_VERSION, shards: 16, meta: { deltaLink: 'link-1' }, compacting: true }));
  const late = await openCollection<User, Meta>(dir, 'users');
  assert.equal(contents(late), final);
  assert.is(late.interrupted, true);
  assert.is(late.getMeta('deltaLink'), 'link-1');
  // the next flush, even one with nothing else to write, leaves collection.json unmarked
  late.setMeta('deltaLink', 'link-3');
  await late.flush();
  const after = await openCollection<User, Meta>(dir, 'users');
  assert.is(after.interrupted, false);
  assert.is(after.getMeta('deltaLink'), 'link-3');
  assert.equal(contents(after), final);
});

test('clear over a journal: the flush rewrites the shards and drops the journal, and nothing cleared comes back', async () => {
  const dir = fresh();
  const root = join(dir, 'users');
  const c = await filled(dir, 300, 8);
  c.put('id-1', user(1, 11));
  await c.flush();
  c.clear();
  c.put('after', user(7777));
  await c.flush();
  assert.not.ok(existsSync(join(root, 'journal.jsonl')));
  const again = await openCollection<User, Meta>(dir, 'users');
  assert.equal(contents(again), { after: user(7777) });
  assert.is(again.getMeta('deltaLink'), undefined);
  assert.is(readdirSync(root).filter((f) => f.startsWith('shard-')).length, 1);
});

test('orderedValues after a journal replay: the shard files\' rows, then the keys the journal added', async () => {
  const dir = fresh();
  const keys = Array.from({ length: 300 }, (_, i) => `k-${(i * 7919) % 1000}`);
  const c = await openCollection<{ k: string }>(dir, 'items', { shards: 8 });
  for (const k of keys) c.put(k, { k });
  await c.flush();
  c.put('a-first', { k: 'a-first' });
  c.put('m-middle', { k: 'm-middle' });
  c.put('z-last', { k: 'z-last' });
  c.delete(keys[0]!);
  await c.flush();
  assert.ok(existsSync(join(dir, 'items', 'journal.jsonl')));
  const loaded = await openCollection<{ k: string }>(dir, 'items');
  assert.equal(loaded.orderedValues().map((v) => v.k), [...[...keys].sort(byShardThenKey(8)).filter((k) => k !== keys[0]), 'a-first', 'm-middle', 'z-last']);
});

test('omit views replay the journal with omit applied to its records, and stay read-only', async () => {
  const dir = fresh();
  const c = await filled(dir, 200, 4);
  c.put('id-7', user(7, 77));
  c.put('fresh', user(999));
  c.delete('id-8');
  c.put('odd', 'not an object' as unknown as User);
  await c.flush();
  const view = await openCollection<Partial<User>, Meta>(dir, 'users', { omit: ['upn'] });
  assert.equal(view.get('id-7'), { id: 'id-7', n: 77 });
  assert.equal(view.get('fresh'), { id: 'id-999', n: 999 });
  assert.equal(view.get('id-9'), { id: 'id-9', n: 9 }, 'shard records too');
  assert.is(view.get('odd'), 'not an object');
  assert.not.ok(view.has('id-8'));
  assert.is(view.size, 201);
  assert.throws(() => view.put('x', {}), /read-only view/);
  const full = await openCollection<User, Meta>(dir, 'users');
  assert.equal(full.get('id-7'), user(7, 77), 'the files are untouched');
});

test("a '__proto__' property in a journal record stays an own property, also in an omit view", async () => {
  const dir = fresh();
  const c = await filled(dir, 100, 4);
  const tricky = JSON.parse('{"id":"t","__proto__":{"polluted":true},"upn":"x"}') as User;
  c.put('t', tricky);
  await c.flush();
  for (const omit of [undefined, ['upn']]) {
    const v = await openCollection<Record<string, unknown>>(dir, 'users', omit ? { omit } : {});
    const t = v.get('t')!;
    assert.is(Object.getPrototypeOf(t), Object.prototype);
    assert.equal(Object.keys(t).includes('__proto__'), true);
    assert.is((t as { polluted?: boolean }).polluted, undefined);
  }
});

test.run();
