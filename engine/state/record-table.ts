// A collection's records in memory: in the order they are stored (the shard files' rows, file
// after file, then the keys added since), and, once a key is looked up or written, in maps by key.
//
// Why not maps from the start: `t2t plan` reads a cache of 500,000 records and looks none of them
// up by key (it indexes them itself), and filling maps costs more than reading the rows into two
// arrays (a third more for 256 maps partitioned by key hash, more still for one map of 200,000).
// Why the stored order: it is the order the records were allocated in, which discovery makes the
// order a plan visits them (cache-order.ts), so a reader that goes through them in that order
// finds each next record next to the last.
import type { JournalOp } from './collection-journal.js';
import type { RecordSink } from './shard-codec.js';

/** Maps by key, partitioned by a hash of the key (filling 256 small maps is faster than one big
 *  one); a shard file holds the records of the partitions whose number modulo the shard count is
 *  its own, when the shard count divides the partition count. */
const PARTITIONS = 256;

/** FNV-1a over UTF-16 code units: fast, stable across runs and platforms. */
export function shardOf(key: string, shards: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % shards;
}

export class RecordTable<T> {
  /** The files' rows as read (keys and values side by side), then patched by the journal. */
  private keys: string[] = [];
  private values: T[] = [];
  /** Built on the first lookup or write. */
  private maps: Map<string, T>[] | undefined;
  /** Keys put after the maps were built that no file held, in the order first put. */
  private added: string[] = [];
  /** Keys deleted after the maps were built (one put again keeps its place). */
  private deleted = new Set<string>();
  /** A write since the maps were built: the stored order must be looked up again. */
  private changed = false;
  private count = 0;
  private readonly parts: number;

  constructor(private readonly shardCount: number) {
    this.parts = PARTITIONS % shardCount === 0 ? PARTITIONS : shardCount;
  }

  get size(): number {
    return this.count;
  }

  /** Receives a shard file's rows as they are read. */
  readonly loading: RecordSink<T> = {
    set: (key: string, value: T) => {
      this.keys.push(key);
      this.values.push(value);
      this.count++;
    },
  };

  /** Applies a journal read at opening: the last op on a key holds, a clear empties what came
   *  before it, keys the files did not hold come after theirs in the order the journal first put
   *  them. Done on the arrays, with a map of the journal's keys only. */
  replay(ops: readonly JournalOp<T>[]): void {
    if (ops.length === 0) return;
    let from = 0;
    for (let i = 0; i < ops.length; i++) if (ops[i]!.op === 'clear') from = i + 1;
    if (from > 0) {
      this.keys = [];
      this.values = [];
    }
    const last = new Map<string, T | null>();
    for (let i = from; i < ops.length; i++) {
      const o = ops[i]!;
      if (o.op === 'put') last.set(o.key, o.value);
      else if (o.op === 'delete') last.set(o.key, null);
    }
    const keys: string[] = [];
    const values: T[] = [];
    for (let i = 0; i < this.keys.length; i++) {
      const k = this.keys[i]!;
      const change = last.get(k);
      if (change === undefined) {
        keys.push(k);
        values.push(this.values[i]!);
        continue;
      }
      last.delete(k);
      if (change === null) continue;
      keys.push(k);
      values.push(change);
    }
    for (const [k, v] of last) {
      if (v === null) continue;
      keys.push(k);
      values.push(v);
    }
    this.keys = keys;
    this.values = values;
    this.count = keys.length;
  }

  private map(key: string): Map<string, T> {
    return this.built()[shardOf(key, this.parts)]!;
  }

  private built(): Map<string, T>[] {
    if (this.maps) return this.maps;
    const maps = Array.from({ length: this.parts }, () => new Map<string, T>());
    for (let i = 0; i < this.keys.length; i++) maps[shardOf(this.keys[i]!, this.parts)]!.set(this.keys[i]!, this.values[i]!);
    this.maps = maps;
    return maps;
  }

  get(key: string): T | undefined {
    return this.map(key).get(key);
  }

  has(key: string): boolean {
    return this.map(key).has(key);
  }

  set(key: string, value: T): void {
    const m = this.map(key);
    const before = m.size;
    m.set(key, value);
    this.changed = true;
    if (m.size === before) return;
    this.count++;
    if (!this.deleted.has(key)) this.added.push(key);
  }

  delete(key: string): boolean {
    if (!this.map(key).delete(key)) return false;
    this.count--;
    this.changed = true;
    this.deleted.add(key);
    return true;
  }

  clear(): void {
    this.keys = [];
    this.values = [];
    this.maps = undefined;
    this.added = [];
    this.deleted = new Set();
    this.changed = false;
    this.count = 0;
  }

  /** Every value once, in stored order. */
  orderedValues(): T[] {
    if (!this.changed) return this.values.slice();
    const out: T[] = [];
    for (const [, v] of this.current()) out.push(v);
    return out;
  }

  *entries(): IterableIterator<[string, T]> {
    if (!this.changed) {
      for (let i = 0; i < this.keys.length; i++) yield [this.keys[i]!, this.values[i]!];
      return;
    }
    yield* this.current();
  }

  /** After writes: the files' keys then the added ones, each with its value now (deleted ones
   *  left out). */
  private *current(): IterableIterator<[string, T]> {
    for (const list of [this.keys, this.added]) {
      for (const k of list) {
        const v = this.get(k);
        if (v !== undefined) yield [k, v];
      }
    }
  }

  /** The records shard `i` of `shardCount` holds. */
  shardRecords(i: number): ReadonlyMap<string, T> {
    const maps = this.built();
    if (this.parts === this.shardCount) return maps[i]!;
    const all = new Map<string, T>();
    for (let p = i; p < this.parts; p += this.shardCount) for (const [k, v] of maps[p]!) all.set(k, v);
    return all;
  }
}
