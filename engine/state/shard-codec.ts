// The text of one shard file, compact: records are rows of values under shared key lists
// ("shapes"), so 100,000 records of one kind spell their property names once per shard instead
// of once per record. JSON.parse of a flat array of values is about twice as fast as of the same
// records as objects (no property-name lookups), and the file is half the size.
//
//   {"formatVersion":2,"shapes":[["id","name",...],...],"rows":[key, shape, v1, ..., vn, key, ...]}
//
// A record that is not a plain object (a string, an array, null) is stored as `key, -1, value`.
// Properties whose value is undefined are left out, as JSON.stringify leaves them out.

export const SHARD_FORMAT_VERSION = 2;

/** The shard text is well-formed JSON but not a shard of this format. */
export class ShardFormatError extends Error {}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return (proto === Object.prototype || proto === null) && typeof (v as { toJSON?: unknown }).toJSON !== 'function';
}

export function encodeShard(records: ReadonlyMap<string, unknown>): string {
  const shapes: string[][] = [];
  const shapeIndex = new Map<string, number>();
  const rows: unknown[] = [];
  // Rows in key order: a collection loads as sorted runs, which a sort by key (the inventory's
  // order) merges instead of sorting from scratch.
  const keys = [...records.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const key of keys) {
    const value = records.get(key);
    if (!isPlainObject(value)) {
      rows.push(key, -1, value);
      continue;
    }
    const names = Object.keys(value).filter((k) => value[k] !== undefined);
    const signature = names.join('\0');
    let shape = shapeIndex.get(signature);
    if (shape === undefined) {
      shape = shapes.length;
      shapes.push(names);
      shapeIndex.set(signature, shape);
    }
    rows.push(key, shape);
    for (const k of names) rows.push(value[k]);
  }
  return JSON.stringify({ formatVersion: SHARD_FORMAT_VERSION, shapes, rows });
}

type Build = (row: unknown[], at: number) => unknown;

// One compiled builder per key list, shared by every shard: objects built by an object literal
// all get one hidden class, as JSON.parse would give them.
const builders = new Map<string, Build>();

function builderFor(keys: string[]): Build {
  const signature = keys.join('\0');
  let build = builders.get(signature);
  if (build) return build;
  if (keys.includes('__proto__')) {
    // An object literal would set the prototype: define it as an own property, as JSON.parse does.
    build = (row, at) => {
      const o: Record<string, unknown> = {};
      keys.forEach((k, j) => Object.defineProperty(o, k, { value: row[at + j], enumerable: true, writable: true, configurable: true }));
      return o;
    };
  } else {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the keys are JSON-quoted
    build = new Function('row', 'at', `return {${keys.map((k, j) => `${JSON.stringify(k)}: row[at + ${j}]`).join(', ')}};`) as Build;
  }
  builders.set(signature, build);
  return build;
}

/** The records of a parsed shard; throws ShardFormatError when it is not one. */
export function decodeShard<T>(data: unknown): Map<string, T> {
  if (typeof data !== 'object' || data === null) throw new ShardFormatError('not a JSON object');
  const { formatVersion, shapes, rows } = data as { formatVersion?: unknown; shapes?: unknown; rows?: unknown };
  if (formatVersion !== SHARD_FORMAT_VERSION) throw new ShardFormatError(`format version ${JSON.stringify(formatVersion)}, expected ${SHARD_FORMAT_VERSION}`);
  if (!Array.isArray(shapes) || !Array.isArray(rows)) throw new ShardFormatError('no shapes or rows');
  const build = shapes.map((s: unknown) => {
    if (!Array.isArray(s) || !s.every((k) => typeof k === 'string')) throw new ShardFormatError('a shape is not a list of names');
    return { width: s.length, build: builderFor(s as string[]) };
  });
  const map = new Map<string, T>();
  const n = rows.length;
  let i = 0;
  while (i < n) {
    const key = rows[i];
    const shape = rows[i + 1];
    if (typeof key !== 'string' || key === '' || typeof shape !== 'number') throw new ShardFormatError(`row at ${i} has no key and shape`);
    if (shape === -1) {
      if (i + 2 >= n) throw new ShardFormatError(`row '${key}' is cut short`);
      map.set(key, rows[i + 2] as T);
      i += 3;
      continue;
    }
    const s = build[shape];
    if (!s || i + 2 + s.width > n) throw new ShardFormatError(`row '${key}' has an unknown shape or is cut short`);
    map.set(key, s.build(rows, i + 2) as T);
    i += 2 + s.width;
  }
  return map;
}
