// The append-only journal of a sharded collection (sharded-store.ts): the puts and deletes made
// since the shards were last written, so a flush costs the changed records, not the shards they
// fall in. One JSON value a line (JSON never holds a raw newline, so a line is one record):
//
//   {"formatVersion":3}            first line: the store format the journal belongs to
//   ["p","<key>",<value>]          put (the record as plain JSON)
//   ["d","<key>"]                  delete
//   ["c"]                          clear: every record before it is gone
//
// A line counts only once its newline is written: a crash mid-append leaves a last line without
// one (or a prefix of it), which is ignored, never parsed, and cut off before the next append so
// no later line is glued onto it. A line that has its newline but is not one of the above is
// corruption, not a torn write.
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
  ops: JournalOp<T>[];
  /** Bytes of the complete lines (header included); 0 when there is no journal. */
  validBytes: number;
  /** Bytes of a torn last line after them (a crash mid-append). */
  tornBytes: number;
}

/** The journal's text for the given ops; `withHeader` when the file is empty or new. */
export function encodeJournal<T>(ops: Iterable<JournalOp<T>>, formatVersion: number, withHeader: boolean): string {
  const lines: string[] = withHeader ? [JSON.stringify({ formatVersion })] : [];
  for (const o of ops) {
    if (o.op === 'put') lines.push(JSON.stringify(['p', o.key, o.value === undefined ? null : o.value]));
    else if (o.op === 'delete') lines.push(JSON.stringify(['d', o.key]));
    else lines.push('["c"]');
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
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
  const complete = text.slice(0, end);
  const validBytes = Buffer.byteLength(complete);
  const tornBytes = Buffer.byteLength(text) - validBytes;
  if (end === 0) return { ops: [], validBytes: 0, tornBytes };
  const lines = complete.split('\n');
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
  for (let i = 1; i < lines.length; i++) {
    const line = parse(lines[i]!, i + 1);
    if (!Array.isArray(line)) throw new JournalFormatError(`line ${i + 1} is not a journal entry`);
    const [op, key, value] = line as unknown[];
    if (op === 'c' && line.length === 1) ops.push({ op: 'clear' });
    else if (typeof key !== 'string' || key === '') throw new JournalFormatError(`line ${i + 1} has no record key`);
    else if (op === 'p' && line.length === 3) ops.push({ op: 'put', key, value: (omit ? without(value, omit) : value) as T });
    else if (op === 'd' && line.length === 2) ops.push({ op: 'delete', key });
    else throw new JournalFormatError(`line ${i + 1} is not a journal entry`);
  }
  return { ops, validBytes, tornBytes };
}

/** Cuts a torn last line off, so the next append starts on a line of its own. */
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
