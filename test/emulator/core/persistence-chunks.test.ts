// The emulator's save is chunked (a 100,000-user tenant does not fit in one string): the chunks
// must spell exactly what JSON.stringify would, for every shape the sections hold.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { jsonChunks } from '../../../emulator/store/persistence.js';

const replacer = (_k: string, v: unknown) => (v instanceof Map || v instanceof Set ? undefined : v);

test('chunks join to JSON.stringify for nested objects, large maps, arrays, holes and skipped values', () => {
  const many = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`id-${i}`, { n: i, tags: i % 3 ? ['a', 'b'] : [], nested: { deep: [1, { x: null }] } }]));
  const bigArray = Array.from({ length: 200 }, (_, i) => (i % 7 === 0 ? undefined : i % 5 === 0 ? [i, [i]] : { i }));
  const value = {
    users: many,
    list: bigArray,
    index: new Map([['a', 1]]),
    set: new Set([1]),
    skipped: undefined,
    when: new Date(0),
    text: 'quote " and \\\\ backslash',
    section: { arr: Array.from({ length: 100 }, (_, i) => ({ i, m: new Map() })) },
  };
  const joined = [...jsonChunks(value)].join('');
  assert.is(joined, JSON.stringify(value, replacer));
  assert.ok([...jsonChunks(value)].length > 300, 'large collections are walked entry by entry');
});

test('scalars and empty containers', () => {
  for (const v of [null, 1, 'x', true, [], {}, [undefined], { a: undefined }]) assert.is([...jsonChunks(v)].join(''), JSON.stringify(v, replacer));
});

test.run();
