// The records of one collection in the order of their last write (`_seq`), so a delta page after
// seq N costs a binary search plus the page instead of a scan and sort of every record (a
// 100,000-user tenant pages its delta in 1,000 rounds). In memory only: built from the records on
// the first delta query, then appended to on every write; an entry a later write superseded is
// skipped when read and dropped when the log is rebuilt (it is, once it holds 4x the records).
import type { Tracked } from './tenant-state.js';

interface Log {
  seqs: number[];
  recs: Tracked[];
  built: number;
}

const logs = new WeakMap<object, Log>();

function build(collection: Record<string, Tracked>): Log {
  const recs = Object.values(collection).sort((a, b) => a._seq - b._seq);
  const log: Log = { seqs: recs.map((r) => r._seq), recs, built: recs.length };
  logs.set(collection, log);
  return log;
}

/** Call after `rec._seq` took a new value (the record must already be in `collection`). */
export function noteWrite(collection: object, rec: Tracked): void {
  const log = logs.get(collection);
  if (!log) return;
  const last = log.seqs[log.seqs.length - 1];
  if ((last !== undefined && rec._seq <= last) || log.seqs.length > 4 * log.built + 10_000) {
    logs.delete(collection); // out of order or mostly superseded entries: rebuilt on the next read
    return;
  }
  log.seqs.push(rec._seq);
  log.recs.push(rec);
}

/** Up to `size` records with lo < _seq <= upto that `keep` accepts, in _seq order; `more` when
 *  another one follows. */
export function changesAfter<T extends Tracked>(collection: Record<string, T>, lo: number, upto: number, keep: (r: T) => boolean, size: number): { items: T[]; more: boolean } {
  const log = logs.get(collection) ?? build(collection);
  let a = 0;
  let b = log.seqs.length;
  while (a < b) {
    const m = (a + b) >> 1;
    if (log.seqs[m]! <= lo) a = m + 1;
    else b = m;
  }
  const items: T[] = [];
  for (let i = a; i < log.seqs.length; i++) {
    const s = log.seqs[i]!;
    if (s > upto) break;
    const r = log.recs[i] as T;
    if (r._seq !== s || !keep(r)) continue;
    if (items.length === size) return { items, more: true };
    items.push(r);
  }
  return { items, more: false };
}
