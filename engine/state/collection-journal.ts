// The append-only journal of a sharded collection (sharded-store.ts): the puts and deletes made
// since the shards were last written, so a flush costs the changed records, not the shards they
// fall in. One JSON value a line (JSON never holds a raw newline, so a line is one record):
//
//   {"formatVersion":6}            first line: the store format the journal belongs to
//   ["p","<key>",<value>]          put (the record as plain JSON)
//   ["d","<key>"]                  delete
//   ["c"]                          clear: every record before it is gone
//   ["m",<meta>]                   commit: ends every append, with the collection's metadata as
//                                  of that flush (its digest and delta links)
//
// An append counts only once its commit line is written, newline included: a crash mid-append
// leaves lines after the last commit (or a prefix of one), which are ignored, never applied, and
// cut off before the next append. So the records and the metadata that describes them (the digest
// of the inventory hash, a delta link) are always from the same flush. A complete line that is not
// one of the above is corruption, not a torn write.
import { open, readFile, truncate } from 'node:fs/promises';

export const JOURNAL_FILE = 'journal.jsonl';

export type JournalOp<T> = { op: 'put'; key: string; value: T } | { op: 'delete'; key: string } | { op: 'clear' };

/** The journal is not a journal of this format (a complete line is not a journal line). */
export class JournalFormatError extends Error {
  constructor(
    message: string,
    /** Set when the journal's header names another format version. */
    readonly otherVersion?: number,
  ) {
    super(message);
  }
}

export interface ReadJournal<T> {
  /** The committed ops, in order. */
  ops: JournalOp<T>[];
  /** The metadata of the last commit; undefined when nothing was committed. */
  meta?: Record<string, unknown>;
  /** Bytes up to the end of the last commit (the header when there is none); 0 when there is no
   *  journal. */
  validBytes: number;
  /** Bytes after them: an append a crash cut short. */
  tornBytes: number;
}

/** The text of one append: the ops, then the commit with the metadata; `withHeader` when the file
 *  is empty or new. */
export function encodeJournal<T>(ops: Iterable<JournalOp<T>>, meta: object, formatVersion: number, withHeader: boolean): string {
  const lines: string[] = withHeader ? [JSON.stringify({ formatVersion })] : [];
  for (const o of ops) {
    if (o.op === 'put') lines.push(JSON.stringify(['p', o.key, o.value === undefined ? null : o.value]));
    else if (o.op === 'delete') lines.push(JSON.stringify(['d', o.key]));
    else lines.push('["c"]');
  }
  lines.push(JSON.stringify(['m', meta]));
  return `${lines.join('\n')}\n`;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The object without the omitted top-level properties (a fresh object: JSON.parse gave it). */
function without(value: unknown, omit: ReadonlySet<string>): unknown {
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value)) {
    if (omit.has(k)) continue;
    // an own property, as JSON.parse defines it: '__proto__' must not set the prototype
    if (k === '__proto__') Object.defineProperty(out, k, { value: value[k], enumerable: true, writable: true, configurable: true });
    else out[k] = value[k];
  }
  return out;
}

/** Reads the journal; a missing file is an empty journal. Throws JournalFormatError. */
export async function readJournal<T>(file: string, formatVersion: number, omit?: ReadonlySet<string>): Promise<ReadJournal<T>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { ops: [], validBytes: 0, tornBytes: 0 };
    throw e;
  }
  const end = text.lastIndexOf('\n') + 1; // complete lines end here
  const totalBytes = Buffer.byteLength(text);
  if (end === 0) return { ops: [], validBytes: 0, tornBytes: totalBytes };
  const lines = text.slice(0, end).split('\n');
  lines.pop(); // the empty string after the last newline
  const parse = (line: string, n: number): unknown => {
    try {
      return JSON.parse(line) as unknown;
    } catch {
      throw new JournalFormatError(`line ${n} is not valid JSON`);
    }
  };
  const head = parse(lines[0]!, 1);
  if (!isPlainObject(head) || typeof head.formatVersion !== 'number') throw new JournalFormatError('line 1 is not a journal header');
  if (head.formatVersion !== formatVersion) throw new JournalFormatError(`written in format version ${head.formatVersion}`, head.formatVersion);
  const ops: JournalOp<T>[] = [];
  let committed = 0; // ops up to the last commit
  let meta: Record<string, unknown> | undefined;
  let validBytes = Buffer.byteLength(lines[0]!) + 1; // the header
  let bytes = validBytes;
  for (let i = 1; i < lines.length; i++) {
    const line = parse(lines[i]!, i + 1);
    bytes += Buffer.byteLength(lines[i]!) + 1;
    if (!Array.isArray(line)) throw new JournalFormatError(`line ${i + 1} is not a journal entry`);
    const [op, key, value] = line as unknown[];
    if (op === 'm' && line.length === 2 && isPlainObject(key)) {
      committed = ops.length;
      meta = key;
      validBytes = bytes;
    } else if (op === 'c' && line.length === 1) ops.push({ op: 'clear' });
    else if (typeof key !== 'string' || key === '') throw new JournalFormatError(`line ${i + 1} has no record key`);
    else if (op === 'p' && line.length === 3) ops.push({ op: 'put', key, value: (omit ? without(value, omit) : value) as T });
    else if (op === 'd' && line.length === 2) ops.push({ op: 'delete', key });
    else throw new JournalFormatError(`line ${i + 1} is not a journal entry`);
  }
  ops.length = committed; // an append without its commit was cut short by a crash: not applied
  return { ops, ...(meta ? { meta } : {}), validBytes, tornBytes: totalBytes - validBytes };
}

/** Cuts off what follows the last commit (an append a crash cut short), so the next append starts
 *  on a line of its own and nothing uncommitted is ever read as part of it. */
export async function dropTornTail(file: string, validBytes: number): Promise<void> {
  await truncate(file, validBytes);
}

/** Appends the text in one write. On failure the file is cut back to `validBytes` (best effort),
 *  so a half-written batch never sits in front of a later one. Returns the bytes written. */
export async function appendJournal(file: string, text: string, validBytes: number): Promise<number> {
  const bytes = Buffer.from(text, 'utf8');
  const handle = await open(file, 'a');
  try {
    let done = 0;
    while (done < bytes.length) {
      const { bytesWritten } = await handle.write(bytes, done, bytes.length - done);
      done += bytesWritten;
    }
  } catch (e) {
    await handle.truncate(validBytes).catch(() => undefined);
    throw e;
  } finally {
    await handle.close();
  }
  return bytes.length;
}
