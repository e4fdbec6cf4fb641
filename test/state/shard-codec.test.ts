import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeShard, encodeShard, readShard, shardPayload, ShardFormatError } from '../../engine/state/shard-codec.js';

const roundTrip = (m: Map<string, unknown>) => readShard<unknown>(encodeShard(m));
/** The shard's content as JSON text, to count how often a name or value is spelled. */
const payloadText = (m: Map<string, unknown>) => JSON.stringify(shardPayload(m));

test('records of several shapes come back equal, in key order, with the same property order', () => {
  const m = new Map<string, unknown>([
    ['u-2', { id: 'u-2', name: 'Two', tags: ['a', 'b'], attributes: { dept: 'D2', n: null }, on: true }],
    ['u-1', { id: 'u-1', name: 'One', tags: [], attributes: { dept: 'D1', n: 1 }, on: false }],
    ['u-4', { id: 'u-4', name: 'Four', tags: [], attributes: {}, marker: { wave: 'w', sync: { mailbox: { items: 3 } } }, on: false }],
    ['r-1', { identity: 'r-1', type: 'MailUser', nested: [{ x: 1 }], size: 12.5 }],
    ['u-3', { name: 'Three', id: 'u-3', tags: [], attributes: {}, on: true }], // other key order: its own shape
  ]);
  const back = roundTrip(m);
  assert.equal([...back.keys()], [...m.keys()].sort(), 'in key order');
  for (const [k, v] of m) {
    assert.equal(back.get(k), v);
    assert.equal(Object.keys(back.get(k) as object), Object.keys(v as object));
  }
  const text = payloadText(m);
  assert.is(text.split('"attributes"').length - 1, 3, 'once per shape: u-2 and u-1 share one, u-3 and u-4 have their own');
  assert.is(text.split('"dept"').length - 1, 1, 'a nested object names its properties in the shape, not per record');
});

test('omit leaves top-level properties out of every shape, nested objects and later values intact', () => {
  const m = new Map<string, unknown>([
    ['a', { id: 'a', readAt: 't1', attributes: { readAt: 'kept: not top level' }, n: 1 }],
    ['b', { readAt: 't2', id: 'b', n: 2 }],
    ['c', { id: 'c', n: 3, readAt: { nested: 'object' } }],
    ['d', 'not an object'],
  ]);
  const back = readShard<unknown>(encodeShard(m), new Set(['readAt']));
  assert.equal(back.get('a'), { id: 'a', attributes: { readAt: 'kept: not top level' }, n: 1 });
  assert.equal(back.get('b'), { id: 'b', n: 2 });
  assert.equal(back.get('c'), { id: 'c', n: 3 });
  assert.is(back.get('d'), 'not an object');
  assert.equal(roundTrip(m).get('b'), { readAt: 't2', id: 'b', n: 2 }, 'decoding without omit still has every field');
});

test('numbers and repeated strings are written once, in the value table; strings seen once stay inline', () => {
  const m = new Map<string, unknown>([
    ['u-1', { id: 'u-1', type: 'Member', size: 12, tags: ['sku-e1', 'x'], nested: [{ n: 12, t: 'Member' }], f: 1.5 }],
    ['u-2', { id: 'u-2', type: 'Member', size: -7, tags: ['sku-e1'], nested: [], f: NaN }],
    ['u-3', { id: 'u-3', type: 'Guest', size: 0, tags: [], nested: [[0, 'Member']], f: Infinity }],
  ]);
  const text = payloadText(m);
  assert.is(text.split('"Member"').length - 1, 1, 'a repeated string is spelled once');
  assert.is(text.split('"sku-e1"').length - 1, 1);
  assert.ok(text.includes('"u-1"') && text.includes('"Guest"'), 'keys and strings seen once are inline');
  const back = roundTrip(m);
  const asJson = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;
  for (const [k, v] of m) assert.equal(back.get(k), asJson(v), k);
  assert.is((back.get('u-2') as { f: unknown }).f, null, 'NaN is null, as in JSON');
});

test('arrays of every length round-trip, short ones (copied when read) and long ones alike', () => {
  // items of every kind: inline and repeated strings, numbers (table references), null, booleans,
  // nested arrays and objects
  const item = (i: number): unknown => [`only-${i}`, 'Member', i, null, i % 2 === 0, [i, 'Member'], { n: i, t: 'Member' }][i % 7];
  const m = new Map<string, unknown>();
  for (let n = 0; n <= 20; n++) {
    const list = Array.from({ length: n }, (_, i) => item(i + n));
    m.set(`r-${n}`, { id: `r-${n}`, list, nested: { list } });
    m.set(`v-${n}`, list);
  }
  const back = roundTrip(m);
  const asJson = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;
  for (const [k, v] of m) assert.equal(back.get(k), asJson(v), k);
});

test('values that are not plain objects, undefined properties and a __proto__ key round-trip as JSON would', () => {
  const proto = JSON.parse('{"__proto__": {"polluted": true}, "id": "p"}') as Record<string, unknown>;
  const nestedProto = JSON.parse('{"id": "q", "attributes": {"a": 1, "__proto__": {"polluted": true}}}') as Record<string, unknown>;
  const m = new Map<string, unknown>([
    ['s', 'a string'],
    ['a', [1, 'two', null, { __proto__: 'x' }]],
    ['n', null],
    ['u', { id: 'u', gone: undefined, kept: 0 }],
    ['p', proto],
    ['q', nestedProto],
  ]);
  const back = roundTrip(m);
  assert.is(back.get('s'), 'a string');
  assert.equal(JSON.stringify(back.get('a')), JSON.stringify([1, 'two', null, { __proto__: 'x' }]));
  assert.is(back.get('n'), null);
  assert.equal(Object.keys(back.get('u') as object), ['id', 'kept']);
  const p = back.get('p') as Record<string, unknown>;
  assert.is(Object.getPrototypeOf(p), Object.prototype, 'no prototype was set');
  assert.equal(Object.keys(p), ['__proto__', 'id']);
  assert.equal(JSON.stringify(p), JSON.stringify(proto));
  const q = back.get('q') as { attributes: Record<string, unknown> };
  assert.is(Object.getPrototypeOf(q.attributes), Object.prototype);
  assert.equal(JSON.stringify(q), JSON.stringify(nestedProto));
  assert.is(({} as Record<string, unknown>)['polluted'], undefined);
});

test('anything that is not a shard of this format is refused, never misread', () => {
  const bad: unknown[] = [
    null,
    { formatVersion: 1, records: { a: { id: 'a' } } },
    { formatVersion: 2, shapes: [['id']], rows: ['a', 0, 'x'] }, // an older format
    { formatVersion: 4, shapes: [['id']], values: [], rows: ['a', 0, 'x'] }, // the format before segments
    { formatVersion: 5, shapes: [['id']], rows: ['a', 0, 'x'] }, // no value table
    { formatVersion: 5, shapes: [['id']], values: [] },
    { formatVersion: 5, shapes: [['id']], values: [], rows: ['a', 0] }, // cut short
    { formatVersion: 5, shapes: [['id']], values: [], rows: ['a', 3, 'x'] }, // unknown shape
    { formatVersion: 5, shapes: [[1]], values: [], rows: [] },
    { formatVersion: 5, shapes: [[[2, 'x']]], values: [], rows: [] },
    { formatVersion: 5, shapes: [['id', ['nested', 'a', 'b']]], values: [], rows: ['a', 0, 'x', 1] }, // cut short
    { formatVersion: 5, shapes: [], values: [], rows: [7, -1, 'x'] },
    { formatVersion: 5, shapes: [['id']], values: ['v'], rows: ['a', 0, 1] }, // a reference past the table
    { formatVersion: 5, shapes: [['id']], values: ['v'], rows: ['a', 0, -1] },
    { formatVersion: 5, shapes: [['id']], values: ['v'], rows: ['a', 0, 0.5] },
    { formatVersion: 5, shapes: [], values: ['v'], rows: ['a', -1, [0, 3]] }, // inside an array
  ];
  for (const b of bad) assert.throws(() => decodeShard(b), (e: unknown) => e instanceof ShardFormatError, JSON.stringify(b));
  const bytes = encodeShard(new Map([['a', { id: 'a' }]]));
  for (const damaged of [Buffer.alloc(0), bytes.subarray(0, bytes.length - 3), Buffer.from('{"formatVersion":4}'), Buffer.from([0xff, 0x0f, 0x6f, 0x22])]) {
    assert.throws(() => readShard(damaged), (e: unknown) => e instanceof ShardFormatError, damaged.toString('hex'));
  }
});

test('a shard of more than 512 records is written in segments, its rows by rank when given (equal ranks by key), and read back in that order', () => {
  const m = new Map<string, unknown>();
  for (let i = 0; i < 1300; i++) m.set(`k-${String(i).padStart(4, '0')}`, { id: i, dept: `D${i % 7}`, unique: `u-${i}` });
  const rank = (key: string) => (Number(key.slice(2)) % 3 === 0 ? 0 : 1300 - Number(key.slice(2)));
  const bytes = encodeShard(m, rank);
  const segments: number[] = [];
  for (let at = 0; at < bytes.length; at += 4 + bytes.readUInt32LE(at)) segments.push(bytes.readUInt32LE(at));
  assert.is(segments.length, 3, '512 + 512 + 276 records');
  const expected = [...m.keys()].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : 1));
  const back = readShard<unknown>(bytes);
  assert.equal([...back.keys()], expected);
  for (const [k, v] of m) assert.equal(back.get(k), v);
  assert.equal([...readShard<unknown>(encodeShard(m)).keys()], [...m.keys()], 'key order without a rank');
  assert.equal([...readShard<unknown>(encodeShard(new Map())).keys()], [], 'an empty shard is one empty segment');
  // a segment whose length runs past the end, or a length cut short, is refused
  const longer = Buffer.from(bytes);
  longer.writeUInt32LE(bytes.length, 0);
  for (const damaged of [longer, bytes.subarray(0, 4 + segments[0]! + 2)]) {
    assert.throws(() => readShard(damaged), (e: unknown) => e instanceof ShardFormatError && /cut short/.test((e as Error).message));
  }
});

test.run();
