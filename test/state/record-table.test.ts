// The records of a collection in memory: stored order (the files' rows, then keys added since),
// a journal applied at opening, maps built on the first lookup.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RecordTable } from '../../engine/state/record-table.js';

function loaded(keys: string[], shards = 4): RecordTable<string> {
  const t = new RecordTable<string>(shards);
  for (const k of keys) t.loading.set(k, `${k}:file`);
  return t;
}

test('rows as read, in that order; lookups find them; entries in the same order', () => {
  const t = loaded(['z', 'a', 'm']);
  assert.equal(t.orderedValues(), ['z:file', 'a:file', 'm:file']);
  assert.is(t.size, 3);
  assert.is(t.get('a'), 'a:file');
  assert.ok(t.has('m'));
  assert.not.ok(t.has('b'));
  assert.equal([...t.entries()].map(([k]) => k), ['z', 'a', 'm']);
});

test('a journal replayed: the last op on a key holds, a changed key keeps its place, new keys follow in the order first put, a clear drops what came before it', () => {
  const t = loaded(['z', 'a', 'm', 'q']);
  t.replay([
    { op: 'put', key: 'new-2', value: 'n2' },
    { op: 'put', key: 'a', value: 'a1' },
    { op: 'delete', key: 'm' },
    { op: 'put', key: 'new-1', value: 'n1' },
    { op: 'put', key: 'a', value: 'a2' },
    { op: 'delete', key: 'new-1' },
    { op: 'put', key: 'new-1', value: 'n1b' },
    { op: 'delete', key: 'gone-never-there' },
  ]);
  assert.equal(t.orderedValues(), ['z:file', 'a2', 'q:file', 'n2', 'n1b']);
  assert.is(t.size, 5);
  assert.is(t.get('m'), undefined);

  const c = loaded(['z', 'a']);
  c.replay([{ op: 'put', key: 'before', value: 'b' }, { op: 'clear' }, { op: 'put', key: 'after', value: 'x' }, { op: 'put', key: 'a', value: 'a-after' }]);
  assert.equal(c.orderedValues(), ['x', 'a-after']);
  assert.is(c.get('z'), undefined);
  assert.is(c.size, 2);
});

test('writes after opening: a changed key keeps its place, a key deleted and put again too, new keys come last; size follows', () => {
  const t = loaded(['z', 'a', 'm']);
  t.set('b-new', 'b');
  t.set('a', 'a2');
  t.delete('m');
  t.set('m', 'm2');
  t.delete('z');
  t.set('c-new', 'c');
  t.delete('b-new');
  t.set('b-new', 'b2');
  assert.equal(t.orderedValues(), ['a2', 'm2', 'b2', 'c']);
  assert.equal([...t.entries()], [['a', 'a2'], ['m', 'm2'], ['b-new', 'b2'], ['c-new', 'c']]);
  assert.is(t.size, 4);
  assert.not.ok(t.delete('z'), 'already gone');
  t.clear();
  assert.equal(t.orderedValues(), []);
  t.set('after-clear', 'x');
  assert.equal(t.orderedValues(), ['x']);
  assert.is(t.size, 1);
});

test('a shard file gets the records whose key hashes to it, with a shard count that divides the partitions or not', () => {
  for (const shards of [1, 4, 3]) {
    const keys = Array.from({ length: 200 }, (_, i) => `k-${i}`);
    const t = loaded(keys, shards);
    const seen: string[] = [];
    for (let i = 0; i < shards; i++) seen.push(...t.shardRecords(i).keys());
    assert.equal(seen.sort(), [...keys].sort(), `${shards} shards: every record in exactly one shard`);
  }
});

test.run();
