// A key/value record store for the discovery cache, on lowdb, sharded by a hash of the key into
// N JSON files per collection. A 100,000-user tenant loads as N small parallel reads, and a delta
// that changes one user rewrites one small shard instead of the whole inventory.
//
// Layout of a collection:  <dir>/<name>/collection.json   {formatVersion, shards, meta}
//                          <dir>/<name>/shard-007.json     {formatVersion, shapes, rows} (shard-codec.ts)
// A missing shard file is an empty shard. Writes go through lowdb's file adapter (steno: write a
// temp file, then rename), so a crash mid-flush leaves each file either old or new, never torn.
// Shards are written before collection.json: a delta link in the meta never runs ahead of the
// records it covers, so after a crash the next delta simply re-reads a few changes.
//
// Corrupt files: by default opening fails with a UserError naming the file and saying to delete
// the cache (it is only a cache). With `onCorrupt: 'reset'` the collection is emptied instead and
// `resetReason` says why, so discovery knows it must do a full read. A cache written by an older
// t2t (another format version in collection.json) is treated the same way, with its own note: it
// is discarded, never misread.
import { mkdir, readdir, unlink, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { DataFile } from 'lowdb/node';
import { UserError } from '../errors.js';
import { decodeShard, encodeShard, SHARD_FORMAT_VERSION, ShardFormatError } from './shard-codec.js';

/** Version 1 stored records as objects ({formatVersion, records}); 2 as rows (shard-codec.ts). */
export const STORE_FORMAT_VERSION = SHARD_FORMAT_VERSION;
export const DEFAULT_SHARDS = 64;

export interface OpenOptions {
  /** Number of shard files for a new collection (an existing one keeps its own). Default 64. */
  shards?: number;
  /** What to do with a corrupt or unreadable file: fail (default) or start empty. */
  onCorrupt?: 'error' | 'reset';
  /** Top-level properties left out of every record as it is read. The collection is then a
   *  read-only view (put, delete, clear and flush throw): writing it would lose those fields. */
  omit?: readonly string[];
}

export interface FlushResult {
  /** Files rewritten or removed (shards and collection.json). */
  filesWritten: number;
  bytesWritten: number;
}

export interface Collection<T, M extends object = Record<string, unknown>> {
  readonly name: string;
  readonly dir: string;
  readonly shardCount: number;
  readonly size: number;
  /** Set when `onCorrupt: 'reset'` discarded the stored data: the cache must be rebuilt in full. */
  readonly resetReason?: string;
  get(key: string): T | undefined;
  has(key: string): boolean;
  keys(): IterableIterator<string>;
  values(): IterableIterator<T>;
  entries(): IterableIterator<[string, T]>;
  /** Every value in key order (code unit order, as `<` compares). Shards are stored in key
   *  order, so this merges sorted runs. */
  sortedValues(): T[];
  /** Stores the value; a value mutated after put must be put again to be flushed. */
  put(key: string, value: T): void;
  delete(key: string): boolean;
  getMeta<K extends keyof M>(key: K): M[K] | undefined;
  setMeta<K extends keyof M>(key: K, value: M[K] | undefined): void;
  /** Writes the dirty shards (and the metadata if changed), each atomically. */
  flush(): Promise<FlushResult>;
  /** Removes every record and the metadata (written by the next flush). */
  clear(): void;
}

interface CollectionFile<M> {
  formatVersion: number;
  shards: number;
  meta: Partial<M>;
}

/** FNV-1a over UTF-16 code units: fast, stable across runs and platforms. */
export function shardOf(key: string, shards: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % shards;
}

class CorruptFile extends Error {
  constructor(readonly file: string, readonly reason: string) {
    super(`${file}: ${reason}`);
  }
}

/** A collection written by another version of t2t. */
class OtherFormat extends CorruptFile {}

/** A shard's lowdb file: its data is the shard's records, encoded as rows (shard-codec.ts). */
function shardFile<T>(file: string, counter: { bytes: number }, omit: ReadonlySet<string> | undefined): DataFile<Map<string, T> | null> {
  return new DataFile<Map<string, T> | null>(file, {
    parse: (text) => {
      try {
        return decodeShard<T>(JSON.parse(text), omit);
      } catch (e) {
        if (e instanceof ShardFormatError) throw new CorruptFile(file, `unexpected content or format version (${e.message})`);
        throw e;
      }
    },
    stringify: (data) => {
      const text = encodeShard(data ?? new Map());
      counter.bytes += Buffer.byteLength(text);
      return text;
    },
  });
}

/** A lowdb file whose stringify counts the bytes it produces, and compact (no indentation):
 *  the cache is read by machines and 100,000 records pretty-printed are twice the size. */
function dataFile<D>(file: string, counter: { bytes: number }): DataFile<D> {
  return new DataFile<D>(file, {
    parse: (text) => JSON.parse(text) as D,
    stringify: (data) => {
      const text = JSON.stringify(data);
      counter.bytes += Buffer.byteLength(text);
      return text;
    },
  });
}

async function readJson<D>(db: Low<D | null>, file: string): Promise<D | null> {
  try {
    await db.read();
  } catch (e) {
    if (e instanceof SyntaxError) throw new CorruptFile(file, `not valid JSON (${e.message})`);
    throw e;
  }
  return db.data;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export async function openCollection<T, M extends object = Record<string, unknown>>(
  dir: string,
  name: string,
  options: OpenOptions = {},
): Promise<Collection<T, M>> {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new Error(`invalid collection name '${name}'`);
  const root = join(dir, name);
  await mkdir(root, { recursive: true });
  await removeLeftoverTempFiles(root);
  try {
    return await load<T, M>(root, name, options.shards ?? DEFAULT_SHARDS, options.omit);
  } catch (e) {
    if (!(e instanceof CorruptFile)) throw e;
    if (options.onCorrupt === 'reset') {
      await rm(root, { recursive: true, force: true });
      await mkdir(root, { recursive: true });
      const fresh = await load<T, M>(root, name, options.shards ?? DEFAULT_SHARDS);
      (fresh as { resetReason?: string }).resetReason =
        e instanceof OtherFormat
          ? `the cached '${name}' was written by another version of t2t and has been discarded (${e.message}); it is read again in full`
          : `the cached '${name}' was corrupt and has been discarded (${e.message})`;
      return fresh;
    }
    throw new UserError(
      e instanceof OtherFormat ? `the local cache is in another format: ${e.message}` : `the local cache is corrupt: ${e.message}`,
      'state.corrupt',
      `delete ${root} (it is only a cache: nothing is lost) and run 't2t discover --full'`,
      undefined,
      { cause: e },
    );
  }
}

/** A temp file left by a crash mid-write: the real file next to it is intact (old version). */
async function removeLeftoverTempFiles(root: string): Promise<void> {
  for (const f of await readdir(root)) {
    if (f.startsWith('.') && f.endsWith('.tmp')) await unlink(join(root, f)).catch(() => undefined);
  }
}

async function load<T, M extends object>(root: string, name: string, requestedShards: number, omitted?: readonly string[]): Promise<Collection<T, M>> {
  const omit = omitted?.length ? new Set(omitted) : undefined;
  const writable = () => {
    if (omit) throw new Error(`collection '${name}' was opened as a read-only view (without ${[...omit].join(', ')})`);
  };
  const counter = { bytes: 0 };
  const headFile = join(root, 'collection.json');
  const head = new Low<CollectionFile<M> | null>(dataFile<CollectionFile<M> | null>(headFile, counter), null);
  const stored = await readJson(head, headFile);
  let shardCount = requestedShards;
  let meta: Partial<M> = {};
  if (stored !== null) {
    if (isObject(stored) && typeof stored.formatVersion === 'number' && stored.formatVersion !== STORE_FORMAT_VERSION) {
      throw new OtherFormat(headFile, `written in format version ${stored.formatVersion} by another version of t2t (this one reads version ${STORE_FORMAT_VERSION})`);
    }
    if (!isObject(stored) || stored.formatVersion !== STORE_FORMAT_VERSION || !Number.isInteger(stored.shards) || stored.shards < 1 || !isObject(stored.meta)) {
      throw new CorruptFile(headFile, `unexpected content or format version (this t2t reads version ${STORE_FORMAT_VERSION})`);
    }
    shardCount = stored.shards;
    meta = stored.meta;
  }
  if (!Number.isInteger(shardCount) || shardCount < 1 || shardCount > 4096) throw new Error(`invalid shard count ${shardCount}`);

  const dbs: Low<Map<string, T> | null>[] = [];
  const files: string[] = [];
  for (let i = 0; i < shardCount; i++) {
    const file = join(root, `shard-${String(i).padStart(3, '0')}.json`);
    files.push(file);
    dbs.push(new Low<Map<string, T> | null>(shardFile<T>(file, counter, omit), null));
  }
  const contents = await Promise.all(dbs.map((db, i) => readJson(db, files[i]!)));
  const maps: Map<string, T>[] = [];
  const onDisk: boolean[] = [];
  let size = 0;
  contents.forEach((c, i) => {
    const map = c ?? new Map<string, T>();
    size += map.size;
    maps.push(map);
    onDisk.push(c !== null);
    dbs[i]!.data = null; // the maps are the truth now; lowdb need not hold them
  });

  const dirty = new Set<number>();
  let metaDirty = stored === null; // a new collection writes its head on first flush
  const at = (key: string) => maps[shardOf(key, shardCount)]!;

  const collection: Collection<T, M> = {
    name,
    dir: root,
    shardCount,
    get size() {
      return size;
    },
    get: (key) => at(key).get(key),
    has: (key) => at(key).has(key),
    *keys() {
      for (const m of maps) yield* m.keys();
    },
    *values() {
      for (const m of maps) yield* m.values();
    },
    *entries() {
      for (const m of maps) yield* m.entries();
    },
    sortedValues: () => mergeInKeyOrder(maps),
    put(key, value) {
      writable();
      if (typeof key !== 'string' || key === '') throw new Error('a record key must be a non-empty string');
      const i = shardOf(key, shardCount);
      if (!maps[i]!.has(key)) size++;
      maps[i]!.set(key, value);
      dirty.add(i);
    },
    delete(key) {
      writable();
      const i = shardOf(key, shardCount);
      if (!maps[i]!.delete(key)) return false;
      size--;
      dirty.add(i);
      return true;
    },
    getMeta: (key) => meta[key] as M[typeof key] | undefined,
    setMeta(key, value) {
      if (value === undefined) delete meta[key];
      else meta[key] = value;
      metaDirty = true;
    },
    async flush() {
      writable();
      counter.bytes = 0;
      let filesWritten = 0;
      const todo = [...dirty];
      dirty.clear();
      try {
        await Promise.all(
          todo.map(async (i) => {
            const map = maps[i]!;
            if (map.size === 0) {
              if (onDisk[i]) await unlink(files[i]!).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(e)));
              onDisk[i] = false;
            } else {
              dbs[i]!.data = map;
              await dbs[i]!.write();
              dbs[i]!.data = null;
              onDisk[i] = true;
            }
            filesWritten++;
          }),
        );
      } catch (e) {
        for (const i of todo) dirty.add(i); // retry them on the next flush
        throw e;
      }
      if (metaDirty) {
        metaDirty = false;
        head.data = { formatVersion: STORE_FORMAT_VERSION, shards: shardCount, meta };
        try {
          await head.write();
        } catch (e) {
          metaDirty = true;
          throw e;
        }
        filesWritten++;
      }
      return { filesWritten, bytesWritten: counter.bytes };
    },
    clear() {
      writable();
      maps.forEach((m, i) => {
        if (m.size > 0 || onDisk[i]) dirty.add(i);
        m.clear();
      });
      size = 0;
      meta = {};
      metaDirty = true;
    },
  };
  return collection;
}

const inKeyOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function isSorted(keys: readonly string[]): boolean {
  for (let i = 1; i < keys.length; i++) if (keys[i]! < keys[i - 1]!) return false;
  return true;
}

/** The values of all shards in key order: each shard's run (sorted first when keys were added
 *  since it was read), then the runs merged pairwise: n log(shards) comparisons, not n log(n). */
function mergeInKeyOrder<T>(maps: readonly Map<string, T>[]): T[] {
  let runs: { keys: string[]; values: T[] }[] = [];
  maps.forEach((m) => {
    if (m.size === 0) return;
    let keys = [...m.keys()];
    if (!isSorted(keys)) keys = keys.sort(inKeyOrder);
    runs.push({ keys, values: keys.map((k) => m.get(k)!) });
  });
  if (runs.length === 0) return [];
  while (runs.length > 1) {
    const next: typeof runs = [];
    for (let r = 0; r < runs.length; r += 2) next.push(r + 1 < runs.length ? mergeRuns(runs[r]!, runs[r + 1]!) : runs[r]!);
    runs = next;
  }
  return runs[0]!.values;
}

function mergeRuns<T>(a: { keys: string[]; values: T[] }, b: { keys: string[]; values: T[] }): { keys: string[]; values: T[] } {
  const n = a.keys.length + b.keys.length;
  const keys: string[] = new Array(n);
  const values: T[] = new Array(n);
  let i = 0;
  let j = 0;
  let o = 0;
  while (i < a.keys.length && j < b.keys.length) {
    if (b.keys[j]! < a.keys[i]!) {
      keys[o] = b.keys[j]!;
      values[o++] = b.values[j++]!;
    } else {
      keys[o] = a.keys[i]!;
      values[o++] = a.values[i++]!;
    }
  }
  while (i < a.keys.length) {
    keys[o] = a.keys[i]!;
    values[o++] = a.values[i++]!;
  }
  while (j < b.keys.length) {
    keys[o] = b.keys[j]!;
    values[o++] = b.values[j++]!;
  }
  return { keys, values };
}
