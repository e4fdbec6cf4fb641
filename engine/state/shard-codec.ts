// The content of one shard file, compact: records are rows of values under shared key lists
// ("shapes"), so 100,000 records of one kind spell their property names once per shard instead
// of once per record. Reading a flat array of values is about twice as fast as reading the same
// records as objects (no property-name lookups), and the file is half the size.
//
//   {formatVersion: 5, shapes: [["id","name",["attributes","dept"]],...], values: ["Member",12,...],
//    rows: [key, shape, v1, ..., vn, key, ...]}
//
// The file holds that value in V8's serialization format (node:v8 serialize), not as JSON text,
// one value per segment of up to SEGMENT_RECORDS records (since format 5, see below):
// reading it back is two to three times faster than JSON.parse (string lengths are known, nothing
// is scanned for quotes and escapes), and loading the cache is most of a warm `t2t plan`. A file
// V8 cannot read (damaged, or written by a newer Node.js) is refused like any other bad shard.
//
// A shape lists the property names in order; a nested plain object is a list of its name and its
// own shape, its values inline among the row's (so a user's attributes cost no names either).
// A record that is not a plain object (a string, an array, null) is stored as `key, -1, value`.
// Properties whose value is undefined are left out, as JSON.stringify leaves them out.
//
// Values (since format 3): every number in a record, at any depth, is written as an index into
// the segment's `values` table, and so is every string that occurs more than once in the segment
// ("Member", "US", a department, a SKU id): reading then makes a small integer instead of one more
// string per occurrence, which is most of the cost of loading a cache. Strings that occur once
// stay inline; true, false and null are written as they are.

import { deserialize, serialize } from 'node:v8';

export const SHARD_FORMAT_VERSION = 5;

/** Records per segment (since format 5): a file is a run of segments, each its own value of
 *  shapes, values and rows, read one after the other. One value for a whole 200,000-record
 *  collection was read three times slower than 256 files of 800 (V8 deserializes a rows array of
 *  millions of entries, and the young generation's collections scan it, far more slowly), and a
 *  file per few hundred records cannot hold a collection in one order (cache-order.ts). */
const SEGMENT_RECORDS = 512;

/** The bytes are not a shard of this format (unreadable, or another version or shape). */
export class ShardFormatError extends Error {}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return (proto === Object.prototype || proto === null) && typeof (v as { toJSON?: unknown }).toJSON !== 'function';
}

/** A property: its name, or for a nested plain object its name and the object's own shape. */
type ShapeEntry = string | [string, ...ShapeEntry[]];

/** The value table of a shard being written: numbers and repeated strings by index. */
class ValueTable {
  readonly values: unknown[] = [];
  private readonly index = new Map<unknown, number>();
  constructor(private readonly repeated: ReadonlySet<string>) {}

  /** A value as it is written in the rows: table references for numbers and repeated strings,
   *  arrays and objects with their contents encoded the same way, everything else as it is. */
  encode(v: unknown): unknown {
    if (typeof v === 'number') return this.ref(Number.isFinite(v) ? v : null);
    if (typeof v === 'string') return this.repeated.has(v) ? this.ref(v) : v;
    if (typeof v !== 'object' || v === null) return v;
    const json = typeof (v as { toJSON?: unknown }).toJSON === 'function' ? (v as { toJSON(): unknown }).toJSON() : v;
    if (json !== v) return this.encode(json);
    if (Array.isArray(v)) return v.map((x: unknown) => (x === undefined || typeof x === 'function' || typeof x === 'symbol' ? null : this.encode(x)));
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) {
      const x = (v as Record<string, unknown>)[k];
      if (x === undefined || typeof x === 'function' || typeof x === 'symbol') continue;
      Object.defineProperty(out, k, { value: this.encode(x), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }

  private ref(v: unknown): unknown {
    if (v === null) return null; // a non-finite number is null in JSON
    let i = this.index.get(v);
    if (i === undefined) {
      i = this.values.length;
      this.values.push(v);
      this.index.set(v, i);
    }
    return i;
  }
}

/** Strings that occur more than once among the values (at any depth) of the records of `keys`. */
function repeatedStrings(keys: readonly string[], records: ReadonlyMap<string, unknown>): Set<string> {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  const visit = (v: unknown): void => {
    if (typeof v === 'string') {
      if (seen.has(v)) repeated.add(v);
      else seen.add(v);
    } else if (Array.isArray(v)) {
      for (const x of v) visit(x);
    } else if (typeof v === 'object' && v !== null) {
      for (const x of Object.values(v)) visit(x);
    }
  };
  for (const k of keys) visit(records.get(k));
  return repeated;
}

/** Pushes the object's values (depth first, encoded) and returns its shape. */
function flatten(obj: Record<string, unknown>, out: unknown[], table: ValueTable): ShapeEntry[] {
  const shape: ShapeEntry[] = [];
  for (const k of Object.keys(obj)) {
    const v = obj[k];
    if (v === undefined) continue;
    if (k !== '__proto__' && isPlainObject(v)) shape.push([k, ...flatten(v, out, table)]);
    else {
      shape.push(k);
      out.push(table.encode(v));
    }
  }
  return shape;
}

/** Where a record goes among a shard's rows (lower first; records of equal rank in key order). */
export type RowRank = (key: string, value: unknown) => number;

/** The bytes of a shard file: its rows in key order, or by `rank` when given, in segments of
 *  SEGMENT_RECORDS records, each a 4-byte length (little-endian) and a value in V8's format. */
export function encodeShard(records: ReadonlyMap<string, unknown>, rank?: RowRank): Buffer {
  const keys = orderedKeys(records, rank);
  const parts: Buffer[] = [];
  // at least one segment: an empty file is a damaged one, not an empty shard
  for (let i = 0; i === 0 || i < keys.length; i += SEGMENT_RECORDS) {
    const bytes = serialize(payloadOf(keys.slice(i, i + SEGMENT_RECORDS), records));
    const length = Buffer.alloc(4);
    length.writeUInt32LE(bytes.length);
    parts.push(length, bytes);
  }
  return Buffer.concat(parts);
}

/** The records of a shard file's bytes, segment by segment, in the order of the rows, into a Map
 *  or `into`; throws ShardFormatError when they are not a shard. */
export function readShard<T, S extends RecordSink<T> = Map<string, T>>(bytes: Buffer, omit?: ReadonlySet<string>, into: S = new Map<string, T>() as unknown as S): S {
  return readShardFrom<T, S>(bytes.length, (position, length) => bytes.subarray(position, position + length), omit, into);
}

/** Up to `length` bytes of a file from `position` (fewer at its end); valid until the next call. */
export type ReadAt = (position: number, length: number) => Buffer;

/** readShard over a file of `size` bytes read a segment at a time: the reader needs a buffer as
 *  large as a segment (about 100 KB, which stays in the processor's cache) instead of the file. */
export function readShardFrom<T, S extends RecordSink<T> = Map<string, T>>(size: number, readAt: ReadAt, omit?: ReadonlySet<string>, into: S = new Map<string, T>() as unknown as S): S {
  const steps = readShardSteps<T, S>(size, readAt, omit, into);
  while (!steps.next().done);
  return into;
}

/** readShardFrom, pausing after each segment (engine/util/run-steps.ts): a caller can let the
 *  event loop turn between segments, so that a Ctrl-C is heard while a large cache is read. Each
 *  segment is read and decoded between two pauses: nothing of `readAt`'s buffer is held across a
 *  pause. */
export function* readShardSteps<T, S extends RecordSink<T> = Map<string, T>>(size: number, readAt: ReadAt, omit?: ReadonlySet<string>, into: S = new Map<string, T>() as unknown as S): Generator<void, S, void> {
  if (size === 0) throw new ShardFormatError('an empty file');
  let at = 0;
  while (at < size) {
    const head = readAt(at, 4);
    if (head.length < 4) throw new ShardFormatError(`a segment at byte ${at} is cut short`);
    const length = head.readUInt32LE(0);
    const bytes = readAt(at + 4, length);
    if (bytes.length < length) throw new ShardFormatError(`a segment at byte ${at} is cut short`);
    let data: unknown;
    try {
      data = deserialize(bytes);
    } catch (e) {
      throw new ShardFormatError(`not readable by this Node.js ${process.version} (${(e as Error).message}): damaged, or written by another version of Node.js`);
    }
    decodeShard<T, S>(data, omit, into);
    at += 4 + length;
    if (at < size) yield;
  }
  return into;
}

/** The records' keys in the order of the rows: key order, or by rank and then key. */
function orderedKeys(records: ReadonlyMap<string, unknown>, rank?: RowRank): string[] {
  // Rows in key order, or in the order the writer ranks them: a reader gets the records in the
  // order of the rows, and V8 allocates them, and their strings, in that order (records that are
  // read together then lie together in memory, see sharded-store.ts setRowOrder).
  const keys = [...records.keys()];
  if (!rank) return keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return sortByRank(keys, (k) => rank(k, records.get(k)), (k) => k);
}

/** `items` by rank (lowest first), equal ranks by key. Each rank is computed once and the sort
 *  compares positions in a typed array: no lookup per comparison (200,000 records). */
export function sortByRank<I>(items: readonly I[], rank: (item: I) => number, key: (item: I) => string): I[] {
  const ranks = new Float64Array(items.length);
  for (let i = 0; i < items.length; i++) ranks[i] = rank(items[i]!);
  const keyAt = (i: number) => key(items[i]!);
  // equal ranks (Infinity among them: Infinity - Infinity is NaN, falsy) by key
  const order = Array.from(items, (_, i) => i).sort((a, b) => ranks[a]! - ranks[b]! || (keyAt(a) < keyAt(b) ? -1 : keyAt(a) > keyAt(b) ? 1 : 0));
  return order.map((i) => items[i]!);
}

/** The value one segment holds, for all the records: shapes, the value table and the rows. */
export function shardPayload(records: ReadonlyMap<string, unknown>, rank?: RowRank): { formatVersion: number; shapes: unknown[]; values: unknown[]; rows: unknown[] } {
  return payloadOf(orderedKeys(records, rank), records);
}

function payloadOf(keys: readonly string[], records: ReadonlyMap<string, unknown>): { formatVersion: number; shapes: unknown[]; values: unknown[]; rows: unknown[] } {
  const shapes: ShapeEntry[][] = [];
  const shapeIndex = new Map<string, number>();
  const rows: unknown[] = [];
  const table = new ValueTable(repeatedStrings(keys, records));
  for (const key of keys) {
    const value = records.get(key);
    if (!isPlainObject(value)) {
      rows.push(key, -1, table.encode(value));
      continue;
    }
    const at = rows.push(key, 0);
    const names = flatten(value, rows, table);
    const signature = JSON.stringify(names);
    let shape = shapeIndex.get(signature);
    if (shape === undefined) {
      shape = shapes.length;
      shapes.push(names);
      shapeIndex.set(signature, shape);
    }
    rows[at - 1] = shape;
  }
  return { formatVersion: SHARD_FORMAT_VERSION, shapes, values: table.values, rows };
}

type Decode = (v: unknown, values: readonly unknown[]) => unknown;
type Build = (row: unknown[], at: number, values: readonly unknown[], dv: Decode) => unknown;

/** A value as it was before encoding: table references resolved, short arrays copied (see
 *  decodeArray), longer arrays and objects (fresh from deserialize, so ours to change) resolved in
 *  place. */
function decodeValue(v: unknown, values: readonly unknown[]): unknown {
  if (typeof v === 'number') {
    const x = values[v];
    if (x === undefined) throw new ShardFormatError(`value ${v} is not in the shard's value table`);
    return x;
  }
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) return decodeArray(v, values);
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    const x = decodeValue(o[k], values);
    if (k === '__proto__') Object.defineProperty(o, k, { value: x, enumerable: true, writable: true, configurable: true });
    else o[k] = x;
  }
  return o;
}

/** An array decoded: up to 8 items, a copy made by an array literal of its length; longer, in
 *  place. V8 gives each literal an allocation site, sees that the arrays it makes all survive
 *  (every record of the cache does) and then allocates them in the old generation at once. The
 *  arrays deserialize makes are allocated young whatever becomes of them: kept, each was copied
 *  twice by the young generation's collections (within it, then out of it). A user's addresses
 *  and licences, a recipient's addresses: 700,000 arrays in a 100,000-user cache; copied, the
 *  scavenges of a no-change plan took about a quarter less time (bench/plan/README.md, twelfth
 *  session). */
function decodeArray(v: unknown[], values: readonly unknown[]): unknown[] {
  switch (v.length) {
    case 0: return [];
    case 1: return [item(v[0], values)];
    case 2: return [item(v[0], values), item(v[1], values)];
    case 3: return [item(v[0], values), item(v[1], values), item(v[2], values)];
    case 4: return [item(v[0], values), item(v[1], values), item(v[2], values), item(v[3], values)];
    case 5: return [item(v[0], values), item(v[1], values), item(v[2], values), item(v[3], values), item(v[4], values)];
    case 6: return [item(v[0], values), item(v[1], values), item(v[2], values), item(v[3], values), item(v[4], values), item(v[5], values)];
    case 7: return [item(v[0], values), item(v[1], values), item(v[2], values), item(v[3], values), item(v[4], values), item(v[5], values), item(v[6], values)];
    case 8: return [item(v[0], values), item(v[1], values), item(v[2], values), item(v[3], values), item(v[4], values), item(v[5], values), item(v[6], values), item(v[7], values)];
  }
  for (let i = 0; i < v.length; i++) v[i] = decodeValue(v[i], values);
  return v;
}

/** An array's item decoded: an inline string as it is (the common case, no call). */
function item(x: unknown, values: readonly unknown[]): unknown {
  return typeof x === 'string' ? x : decodeValue(x, values);
}

// One compiled builder per key list, shared by every shard: objects built by an object literal
// all get one hidden class, as JSON.parse would give them.
const builders = new Map<string, Build>();

/** How many values a shape takes; throws ShardFormatError when it is not a shape. */
function widthOf(shape: unknown): number {
  if (!Array.isArray(shape)) throw new ShardFormatError('a shape is not a list of names');
  let n = 0;
  for (const e of shape) {
    if (typeof e === 'string') n++;
    else if (Array.isArray(e) && typeof e[0] === 'string') n += widthOf(e.slice(1));
    else throw new ShardFormatError('a shape is not a list of names');
  }
  return n;
}

function mentionsProto(shape: ShapeEntry[]): boolean {
  return shape.some((e) => (typeof e === 'string' ? e === '__proto__' : e[0] === '__proto__' || mentionsProto(e.slice(1) as ShapeEntry[])));
}

/** Builds one object of the shape from row[at...]; returns the next index. Defines every property
 *  as an own one (as JSON.parse does), so a '__proto__' name sets no prototype. */
function buildSlowly(shape: ShapeEntry[], row: unknown[], at: number, values: readonly unknown[], into: Record<string, unknown>): number {
  for (const e of shape) {
    const name = typeof e === 'string' ? e : e[0];
    let value: unknown;
    if (typeof e === 'string') value = decodeValue(row[at++], values);
    else {
      const nested: Record<string, unknown> = {};
      at = buildSlowly(e.slice(1) as ShapeEntry[], row, at, values, nested);
      value = nested;
    }
    Object.defineProperty(into, name, { value, enumerable: true, writable: true, configurable: true });
  }
  return at;
}

/** `omit` leaves top-level properties out (their values are skipped). */
function literal(shape: ShapeEntry[], next: { i: number }, omit?: ReadonlySet<string>): string {
  const parts: string[] = [];
  for (const e of shape) {
    if (typeof e === 'string') {
      const at = next.i++;
      // inline for the common values (a string, a table reference), the decoder for the rest
      if (!omit?.has(e)) parts.push(`${JSON.stringify(e)}: (x = row[at + ${at}], typeof x === 'string' ? x : typeof x === 'number' ? values[x] ?? dv(x, values) : dv(x, values))`);
    } else {
      const nested = literal(e.slice(1) as ShapeEntry[], next);
      if (!omit?.has(e[0])) parts.push(`${JSON.stringify(e[0])}: ${nested}`);
    }
  }
  return `{${parts.join(', ')}}`;
}

function builderFor(shape: ShapeEntry[], omit?: ReadonlySet<string>): Build {
  const omitted = omit && omit.size ? [...omit].sort() : [];
  const signature = JSON.stringify([shape, omitted]);
  let build = builders.get(signature);
  if (build) return build;
  if (mentionsProto(shape)) {
    // An object literal would set the prototype.
    build = (row, at, values) => {
      const o: Record<string, unknown> = {};
      buildSlowly(shape, row, at, values, o);
      for (const k of omitted) delete o[k];
      return o;
    };
  } else {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- every name is JSON-quoted
    build = new Function('row', 'at', 'values', 'dv', `let x; return ${literal(shape, { i: 0 }, omit)};`) as Build;
  }
  builders.set(signature, build);
  return build;
}

/** Where decoded records go, in the order of the rows: a Map, or a store's own sink. */
export interface RecordSink<T> {
  set(key: string, value: T): unknown;
}

/** The records of a parsed shard; throws ShardFormatError when it is not one. `omit` names
 *  top-level properties to leave out of every record (a read-only view of the records: decoding
 *  without them costs nothing, copying each record afterwards would). */
export function decodeShard<T, S extends RecordSink<T> = Map<string, T>>(data: unknown, omit?: ReadonlySet<string>, into: S = new Map<string, T>() as unknown as S): S {
  if (typeof data !== 'object' || data === null) throw new ShardFormatError('not a JSON object');
  const { formatVersion, shapes, values, rows } = data as { formatVersion?: unknown; shapes?: unknown; values?: unknown; rows?: unknown };
  if (formatVersion !== SHARD_FORMAT_VERSION) throw new ShardFormatError(`format version ${JSON.stringify(formatVersion)}, expected ${SHARD_FORMAT_VERSION}`);
  if (!Array.isArray(shapes) || !Array.isArray(values) || !Array.isArray(rows)) throw new ShardFormatError('no shapes, values or rows');
  const build = shapes.map((s: unknown) => ({ width: widthOf(s), build: builderFor(s as ShapeEntry[], omit) }));
  const map = into;
  const n = rows.length;
  let i = 0;
  while (i < n) {
    const key = rows[i];
    const shape = rows[i + 1];
    if (typeof key !== 'string' || key === '' || typeof shape !== 'number') throw new ShardFormatError(`row at ${i} has no key and shape`);
    if (shape === -1) {
      if (i + 2 >= n) throw new ShardFormatError(`row '${key}' is cut short`);
      map.set(key, decodeValue(rows[i + 2], values) as T);
      i += 3;
      continue;
    }
    const s = build[shape];
    if (!s || i + 2 + s.width > n) throw new ShardFormatError(`row '${key}' has an unknown shape or is cut short`);
    map.set(key, s.build(rows, i + 2, values, decodeValue) as T);
    i += 2 + s.width;
  }
  return map;
}
