// A key/value record store for the discovery cache, on lowdb: sharded by a hash of the key into
// N files per collection, plus an append-only journal of the changes since the shards were
// written. A delta that changes 1,000 users appends 1,000 lines instead of rewriting the ~all
// shards they fall in.
//
// Layout of a collection:  <dir>/<name>/collection.json   {formatVersion, shards, meta[, compacting]}
//                          <dir>/<name>/shard-007.v8       segments of {formatVersion, shapes, values, rows} (shard-codec.ts)
//                          <dir>/<name>/journal.jsonl      puts/deletes since, each append ending
//                                                          with a commit of the meta (collection-journal.ts)
// A missing shard file is an empty shard, a missing journal an empty one. Loading reads the shards,
// then replays the journal's committed appends over them; the meta is the last commit's, else
// collection.json's.
//
// Order. A shard file's rows are in key order, or in the order its writer ranks them
// (setRowOrder); the records are read, and held (record-table.ts), in that order, file after file,
// then the keys the journal or later puts add. Discovery ranks them in the order a plan visits
// them and keeps the collections a plan reads in one shard each (cache-order.ts): the records then
// lie in memory in the order the planner reads them. Nothing may depend on the order otherwise.
//
// A flush appends the changed records and the meta to the journal, in one write. When the journal
// would grow past a share of the collection (`compactWhen`), the flush compacts instead: it marks
// collection.json as compacting, appends only the changes to keys the journal already holds (so
// the journal's last word on every key it names is the new one), rewrites the shards that the
// journal and the changes touch, removes the journal, then writes collection.json with the new
// meta, unmarked. Shards and collection.json are written by lowdb's file adapter (steno: a temp
// file, then rename), so each is either old or new, never torn.
//
// Crash safety. Puts and deletes are idempotent by key, so replaying a journal over shards that
// already hold its records changes nothing; a crash anywhere leaves every record either as it was
// at the last complete flush or as the interrupted flush would leave it:
//  - mid-append: an append without its commit is ignored and cut off, records and meta alike, so
//    the meta (a digest of the records, delta links) always belongs to the records;
//  - mid-compaction (some shards rewritten, the journal still there): each key reads as the journal
//    says, or, when the journal never named it, as its shard holds it (old or new); the meta is the
//    earlier flush's, so a delta link never runs ahead of the records it covers (the next delta
//    simply re-reads a few changes), and `interrupted` says that a digest in it may not match.
//
// Corrupt files: by default opening fails with a UserError naming the file and saying to delete
// the cache (it is only a cache). With `onCorrupt: 'reset'` the collection is emptied instead and
// `resetReason` says why, so discovery knows it must do a full read. A cache written by an older
// t2t (another format version in collection.json or the journal) is treated the same way, with
// its own note: it is discarded, never misread. A file the file system will not let us read
// (another user's, a directory in its place) is not corrupt: opening fails with a UserError naming
// it (state.unreadable), whatever `onCorrupt` says, and nothing is discarded.
import { mkdir, readdir, rename, unlink, rm, truncate, writeFile } from 'node:fs/promises';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Low } from 'lowdb';
import { DataFile } from 'lowdb/node';
import { UserError } from '../errors.js';
import { fileSystemRefusal, stateReadError } from './write-errors.js';
import { encodeShard, readShardSteps, ShardFormatError, sortByRank, type RecordSink, type RowRank } from './shard-codec.js';
import { runSteps, runStepsSync } from '../util/run-steps.js';
import { RecordTable, shardOf } from './record-table.js';
import { appendJournal, dropTornTail, encodeJournal, JOURNAL_FILE, JournalFormatError, readJournal, type JournalOp } from './collection-journal.js';

/** 1: records as objects; 2: rows (shard-codec.ts); 3 to 5: the shard format's version + 1, with
 *  a journal replayed over the shards; 6: every journal append ends with a commit that carries the
 *  metadata, and collection.json marks a compaction in progress; 7: a shard's rows are in the order
 *  its writer ranked them (setRowOrder), not always in key order, and are read in that order. A t2t
 *  reading another layout would misread the cache, so it sees another version and discards it.
 *  (Shards check their own format, SHARD_FORMAT_VERSION.) */
export const STORE_FORMAT_VERSION = 7;
export const DEFAULT_SHARDS = 64;
/** The most shard files a collection may have (a collection.json that says more is damaged). */
const MAX_SHARDS = 4096;

/** When a flush folds the journal into the shards: once the journal would hold more lines than
 *  max(minLines, share x records), or more than maxBytes. A journal line parses about twice as
 *  slowly as a shard row and is about twice its size, so a journal of 1/8 of the records adds at
 *  most about a quarter to a load; and a compaction (which rewrites ~every shard, what every
 *  flush cost before the journal) comes once in ~12 deltas that change 1 % of a tenant. The floor
 *  keeps small collections from compacting on every flush; the byte cap bounds fat records. */
export interface CompactionLimits {
  minLines: number;
  share: number;
  maxBytes: number;
}
export const DEFAULT_COMPACTION: CompactionLimits = { minLines: 64, share: 1 / 8, maxBytes: 32 * 1024 * 1024 };

export interface OpenOptions {
  /** Number of shard files for a new collection (an existing one keeps its own). Default 64. */
  shards?: number;
  /** What to do with a corrupt or unreadable file: fail (default) or start empty. */
  onCorrupt?: 'error' | 'reset';
  /** Top-level properties left out of every record as it is read. The collection is then a
   *  read-only view (put, delete, clear and flush throw): writing it would lose those fields. */
  omit?: readonly string[];
  /** When a flush compacts the journal (DEFAULT_COMPACTION; tests lower it). */
  compaction?: Partial<CompactionLimits>;
  /** Reading the shard files lets the event loop turn now and then (every `turnEveryMs`, default
   *  50, at the end of a segment), and stops with a UserError (state.interrupted) once this is
   *  aborted: a Ctrl-C is heard while a large cache is read. */
  signal?: AbortSignal;
  turnEveryMs?: number;
  /** The state directory the collection is in: named in the hint when the file system refuses a
   *  read of one of its files (state.unreadable). */
  stateDir?: string;
}

export interface FlushResult {
  /** Files appended to, rewritten or removed (journal, shards and collection.json). */
  filesWritten: number;
  /** Bytes appended to the journal plus bytes of the files rewritten. */
  bytesWritten: number;
}

export interface Collection<T, M extends object = Record<string, unknown>> {
  readonly name: string;
  readonly dir: string;
  readonly shardCount: number;
  readonly size: number;
  /** Set when `onCorrupt: 'reset'` discarded the stored data: the cache must be rebuilt in full. */
  readonly resetReason?: string;
  /** Found on opening: the last flush stopped in the middle of a compaction (a crash). Each record
   *  is as one of the two flushes left it, and the metadata is the earlier flush's, so a delta link
   *  never runs ahead of the records; a digest kept in the metadata may no longer match them. The
   *  next flush removes the mark from collection.json (this value stays as opening found it). */
  readonly interrupted: boolean;
  get(key: string): T | undefined;
  has(key: string): boolean;
  keys(): IterableIterator<string>;
  values(): IterableIterator<T>;
  entries(): IterableIterator<[string, T]>;
  /** Every value once, in stored order: as the shard files hold them (file after file, each in
   *  key order or ranked by its writer's setRowOrder) when the collection was opened, then the
   *  keys added since. Readers must not depend on it (the planner does not): it is the order that
   *  is cheapest to read, since it is the order the records were allocated in. */
  orderedValues(): T[];
  /** The order the rows of each shard written from now on are in: lowest rank first, equal ranks in
   *  key order; by key when unset. A writer that ranks records in the order a reader will visit
   *  them makes the reader's records, and their strings, lie in that order in memory (V8 allocates
   *  them as it reads the rows): a plan reads a user's records user by user, wave by wave, and
   *  runs a third faster over records laid out so (bench/plan/README.md, tenth session). Which
   *  shard holds a key does not change. */
  setRowOrder(rank: RowRank | undefined): void;
  /** Stores the value; a value mutated after put must be put again to be flushed. */
  put(key: string, value: T): void;
  delete(key: string): boolean;
  getMeta<K extends keyof M>(key: K): M[K] | undefined;
  setMeta<K extends keyof M>(key: K, value: M[K] | undefined): void;
  /** Appends the changes and the metadata to the journal in one write (or compacts the journal
   *  into the shards). */
  flush(): Promise<FlushResult>;
  /** Removes every record and the metadata (written by the next flush, which rewrites the shards). */
  clear(): void;
}

interface CollectionFile<M> {
  formatVersion: number;
  shards: number;
  /** The metadata when no journal commit is newer. */
  meta: Partial<M>;
  /** Written before a compaction starts, removed when it ends. */
  compacting?: boolean;
}

/** A journal append's ops with its puts in rank order (equal ranks by key, a clear first, deletes
 *  last), so that the records it adds are read in that order. One op per key, so their order
 *  changes nothing else. */
function rankOps<T>(ops: JournalOp<T>[], rank: RowRank): void {
  const sorted = sortByRank(
    ops,
    (o) => (o.op === 'clear' ? -Infinity : o.op === 'put' ? rank(o.key, o.value) : Infinity),
    (o) => (o.op === 'clear' ? '' : o.key),
  );
  for (let i = 0; i < sorted.length; i++) ops[i] = sorted[i]!;
}

/** The shard file of a key: FNV-1a over the key's UTF-16 code units, modulo the shard count. */
export { shardOf };

class CorruptFile extends Error {
  constructor(readonly file: string, readonly reason: string) {
    super(`${file}: ${reason}`);
  }
}

/** A collection written by another version of t2t. */
class OtherFormat extends CorruptFile {}

/** A file the file system would not let us read (another user's, a directory in its place): not
 *  corrupt, so never discarded; reported as a read (state.unreadable), not as a write. */
class UnreadableFile extends Error {
  constructor(readonly file: string, cause: unknown) {
    super(`${file}: ${(cause as Error).message}`, { cause });
  }
}

/** Rethrows a read the file system refused as UnreadableFile, anything else as it is. */
function refusedRead(file: string): (e: unknown) => never {
  return (e) => {
    throw fileSystemRefusal(e) ? new UnreadableFile(file, e) : e;
  };
}

function readInterrupted(): UserError {
  return new UserError('interrupted while reading the local cache: nothing was changed', 'state.interrupted', 'run the command again');
}

let scratch = Buffer.allocUnsafe(1 << 20);

/** A file's bytes, read a segment at a time into a buffer reused from one segment and one file to
 *  the next: decoding copies everything out of it. A fresh buffer per shard file (a thousand for a
 *  100,000-user cache) was 90 ms of allocation and page faults, and a buffer the size of a 35 MB
 *  file is as many page faults again; a segment's fits in the processor's cache. Pauses after each
 *  segment (readShardSteps): the buffer holds nothing across a pause, so files read in turns
 *  share it. */
function* readSegments<T>(file: string, omit: ReadonlySet<string> | undefined, into: RecordSink<T>): Generator<void, void, void> {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    yield* readShardSteps<T, RecordSink<T>>(
      size,
      (position, length) => {
        // a damaged length asks past the end: read what there is (the codec then says cut short)
        const want = Math.max(0, Math.min(length, size - position));
        if (want > scratch.length) scratch = Buffer.allocUnsafe(Math.max(want, scratch.length * 2));
        let n = 0;
        while (n < want) {
          const got = readSync(fd, scratch, n, want - n, position + n);
          if (got === 0) break;
          n += got;
        }
        return scratch.subarray(0, n);
      },
      omit,
      into,
    );
  } finally {
    closeSync(fd);
  }
}

/** A shard file: the shard's records, as bytes (shard-codec.ts). Written as steno writes lowdb's
 *  text files: a temp file (".<name>.tmp", removed on open if a crash left it), then a rename, so
 *  the file is always either the old or the new shard. */
class ShardFile<T> {
  constructor(
    private readonly file: string,
    private readonly counter: { bytes: number },
    private readonly omit: ReadonlySet<string> | undefined,
    private readonly rows: { rank?: RowRank },
  ) {}

  /** Decodes the file's records into `into`, in the order of its rows, pausing after each segment;
   *  false when there is no file. */
  *read(into: RecordSink<T>): Generator<void, boolean, void> {
    try {
      yield* readSegments(this.file, this.omit, into);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
      if (e instanceof ShardFormatError) throw new CorruptFile(this.file, `unexpected content or format version (${e.message})`);
      return refusedRead(this.file)(e);
    }
  }

  async write(data: ReadonlyMap<string, T>): Promise<void> {
    const bytes = encodeShard(data, this.rows.rank);
    this.counter.bytes += bytes.length;
    const temp = join(dirname(this.file), `.${basename(this.file)}.tmp`);
    await writeFile(temp, bytes);
    await rename(temp, this.file);
  }
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
    refusedRead(file)(e);
  }
  return db.data;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const ignoreMissing = (e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(e));

export async function openCollection<T, M extends object = Record<string, unknown>>(
  dir: string,
  name: string,
  options: OpenOptions = {},
): Promise<Collection<T, M>> {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new Error(`invalid collection name '${name}'`);
  const root = join(dir, name);
  const limits = { ...DEFAULT_COMPACTION, ...options.compaction };
  await mkdir(root, { recursive: true });
  try {
    await removeLeftoverTempFiles(root);
    return await load<T, M>(root, name, options.shards ?? DEFAULT_SHARDS, limits, options.omit, options.signal ? { signal: options.signal, turnEveryMs: options.turnEveryMs ?? 50 } : undefined);
  } catch (e) {
    if (e instanceof UnreadableFile) throw stateReadError(e.cause, e.file, options.stateDir);
    if (!(e instanceof CorruptFile)) throw e;
    if (options.onCorrupt === 'reset') {
      await rm(root, { recursive: true, force: true });
      await mkdir(root, { recursive: true });
      const fresh = await load<T, M>(root, name, options.shards ?? DEFAULT_SHARDS, limits);
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
  for (const f of await readdir(root).catch(refusedRead(root))) {
    if (f.startsWith('.') && f.endsWith('.tmp')) await unlink(join(root, f)).catch(() => undefined);
  }
}

/** A change not yet flushed: the new value, or null for a delete. */
type Pending<T> = { value: T } | null;

async function load<T, M extends object>(
  root: string,
  name: string,
  requestedShards: number,
  limits: CompactionLimits,
  omitted?: readonly string[],
  pacing?: { signal: AbortSignal; turnEveryMs: number },
): Promise<Collection<T, M>> {
  const omit = omitted?.length ? new Set(omitted) : undefined;
  const writable = () => {
    if (omit) throw new Error(`collection '${name}' was opened as a read-only view (without ${[...omit].join(', ')})`);
  };
  const counter = { bytes: 0 };
  const rows: { rank?: RowRank } = {};
  const headFile = join(root, 'collection.json');
  const head = new Low<CollectionFile<M> | null>(dataFile<CollectionFile<M> | null>(headFile, counter), null);
  const stored = await readJson(head, headFile);
  let shardCount = requestedShards;
  let meta: Partial<M> = {};
  if (stored !== null) {
    if (isObject(stored) && typeof stored.formatVersion === 'number' && stored.formatVersion !== STORE_FORMAT_VERSION) {
      throw new OtherFormat(headFile, `written in format version ${stored.formatVersion} by another version of t2t (this one reads version ${STORE_FORMAT_VERSION})`);
    }
    if (!isObject(stored) || stored.formatVersion !== STORE_FORMAT_VERSION || !Number.isInteger(stored.shards) || stored.shards < 1 || stored.shards > MAX_SHARDS || !isObject(stored.meta)) {
      throw new CorruptFile(headFile, `unexpected content or format version (this t2t reads version ${STORE_FORMAT_VERSION})`);
    }
    shardCount = stored.shards;
    meta = stored.meta;
  }
  if (!Number.isInteger(shardCount) || shardCount < 1 || shardCount > MAX_SHARDS) throw new Error(`invalid shard count ${shardCount}`);

  const shardFiles: ShardFile<T>[] = [];
  const files: string[] = [];
  for (let i = 0; i < shardCount; i++) {
    const file = join(root, `shard-${String(i).padStart(3, '0')}.v8`);
    files.push(file);
    shardFiles.push(new ShardFile<T>(file, counter, omit, rows));
  }
  const records = new RecordTable<T>(shardCount);
  const journalFile = join(root, JOURNAL_FILE);
  const readingJournal = readJournal<T>(journalFile, STORE_FORMAT_VERSION, omit).catch((e: unknown) => {
    if (!(e instanceof JournalFormatError)) return refusedRead(journalFile)(e);
    if (e.otherVersion !== undefined) throw new OtherFormat(journalFile, `${e.message} by another version of t2t (this one reads version ${STORE_FORMAT_VERSION})`);
    throw new CorruptFile(journalFile, `unexpected content (${e.message})`);
  });
  readingJournal.catch(() => undefined); // awaited below; a shard's failure must not leave it unhandled
  const onDisk: boolean[] = [];
  const reading = (function* () {
    for (const f of shardFiles) onDisk.push(yield* f.read(records.loading));
  })();
  if (pacing) await runSteps(reading, pacing.signal, readInterrupted, { turnEveryMs: pacing.turnEveryMs });
  else runStepsSync(reading);

  // What the journal on disk holds: its keys decide which shards a compaction rewrites and which
  // changes it must also append (see flush).
  const journal = { lines: 0, bytes: 0, keys: new Set<string>(), cleared: false, suspect: false };
  const note = (o: JournalOp<T>) => {
    journal.lines++;
    if (o.op === 'clear') journal.cleared = true;
    else journal.keys.add(o.key);
  };
  const replayed = await readingJournal;
  // the journal's last commit is newer than collection.json's metadata
  if (replayed.meta) meta = replayed.meta as Partial<M>;
  const interrupted = stored?.compacting === true;
  records.replay(replayed.ops);
  for (const o of replayed.ops) note(o);
  journal.bytes = replayed.validBytes;
  // An append without its commit (crash mid-append) is cut off before anything is appended after it; a
  // read-only view leaves the file alone and just does not read it.
  if (replayed.tornBytes > 0 && !omit) await dropTornTail(journalFile, replayed.validBytes);

  const pending = new Map<string, Pending<T>>();
  let pendingClear = false;
  let metaDirty = false; // setMeta since the last flush
  let committed: Partial<M> = { ...meta }; // the metadata on disk (a journal commit or collection.json)
  // collection.json to write on the next flush: a new collection's, or one a crash left marked
  let headDirty = stored === null || interrupted;
  let flushing: Promise<unknown> = Promise.resolve();

  /** Writes the shard (or removes it when empty); false when there was nothing to do. */
  const writeShard = async (i: number): Promise<boolean> => {
    const held = records.shardRecords(i);
    if (held.size === 0) {
      if (!onDisk[i]) return false;
      await unlink(files[i]!).catch(ignoreMissing);
      onDisk[i] = false;
      return true;
    }
    await shardFiles[i]!.write(held);
    onDisk[i] = true;
    return true;
  };

  const writeHead = async (m: Partial<M>, compacting: boolean) => {
    head.data = { formatVersion: STORE_FORMAT_VERSION, shards: shardCount, meta: m, ...(compacting ? { compacting } : {}) };
    await head.write();
  };

  const doFlush = async (): Promise<FlushResult> => {
    counter.bytes = 0;
    let filesWritten = 0;
    let appended = 0;
    const changes = new Map(pending);
    const cleared = pendingClear;
    pending.clear();
    pendingClear = false;
    const ops: JournalOp<T>[] = cleared ? [{ op: 'clear' }] : [];
    for (const [key, p] of changes) ops.push(p ? { op: 'put', key, value: p.value } : { op: 'delete', key });

    try {
      if (journal.suspect) {
        // an append failed and could not be cut back: cut it back now, before appending again
        await truncate(journalFile, journal.bytes).catch(ignoreMissing);
        journal.suspect = false;
      }
      /** Appends the batch and a commit with this metadata. */
      const append = async (batch: JournalOp<T>[], commitMeta: Partial<M>, encoded?: string) => {
        const text = encoded ?? encodeJournal(batch, commitMeta, STORE_FORMAT_VERSION, journal.bytes === 0);
        try {
          appended += await appendJournal(journalFile, text, journal.bytes);
        } catch (e) {
          journal.suspect = true;
          throw e;
        }
        journal.bytes += Buffer.byteLength(text);
        for (const o of batch) note(o);
        filesWritten++;
      };

      let compact = cleared || journal.lines + ops.length > Math.max(limits.minLines, limits.share * records.size) || journal.bytes > limits.maxBytes;
      let text: string | undefined;
      if (!compact && (ops.length > 0 || metaDirty)) {
        if (rows.rank) rankOps(ops, rows.rank);
        text = encodeJournal(ops, meta, STORE_FORMAT_VERSION, journal.bytes === 0);
        compact = journal.bytes + Buffer.byteLength(text) > limits.maxBytes;
      }
      if (!compact) {
        // the records and the metadata in one write, valid together or not at all
        if (text !== undefined) {
          await append(ops, meta, text);
          committed = { ...meta };
          metaDirty = false;
        }
      } else {
        // From here until collection.json is written again, a crash leaves some shards rewritten
        // and others not: marked, so the next open knows its digest cannot be trusted.
        await writeHead(committed, true);
        filesWritten++;
        headDirty = true; // until the compaction completes, or a later flush writes it unmarked
        // The shards a compaction must rewrite: those of every key the journal or the changes name
        // (all stored ones after a clear). The changes to keys the journal names are appended first,
        // so that if the journal outlives a crash below, its last word on each key is the new one.
        const touched = new Set<number>();
        if (journal.cleared || cleared) onDisk.forEach((d, i) => d && touched.add(i));
        for (const k of journal.keys) touched.add(shardOf(k, shardCount));
        for (const k of changes.keys()) touched.add(shardOf(k, shardCount));
        // committed with the earlier metadata: its delta links must not run ahead of the shards
        // not yet rewritten
        const first = journal.lines > 0 ? (journal.cleared || cleared ? ops : ops.filter((o) => o.op !== 'clear' && journal.keys.has(o.key))) : [];
        if (first.length > 0) await append(first, committed);
        // every write settles before the flush returns or fails: none is left in flight
        const written = await Promise.allSettled([...touched].map(writeShard));
        filesWritten += written.filter((w) => w.status === 'fulfilled' && w.value).length;
        const failed = written.find((w): w is PromiseRejectedResult => w.status === 'rejected');
        if (failed) throw failed.reason;
        // the journal goes before the new metadata is written: were it left under collection.json's
        // new metadata, its last commit (the earlier metadata) would be read as newer
        if (journal.bytes > 0) {
          await unlink(journalFile).catch(ignoreMissing);
          filesWritten++;
        }
        Object.assign(journal, { lines: 0, bytes: 0, keys: new Set<string>(), cleared: false });
        await writeHead(meta, false);
        filesWritten++;
        committed = { ...meta };
        metaDirty = false;
        headDirty = false;
      }
      if (headDirty) {
        await writeHead(committed, false);
        filesWritten++;
        headDirty = false;
      }
    } catch (e) {
      // Retry these changes on the next flush, under any made since.
      for (const [key, p] of changes) if (!pending.has(key) && !pendingClear) pending.set(key, p);
      if (cleared) pendingClear = true;
      throw e;
    }

    return { filesWritten, bytesWritten: appended + counter.bytes };
  };

  const collection: Collection<T, M> = {
    name,
    dir: root,
    shardCount,
    interrupted,
    get size() {
      return records.size;
    },
    get: (key) => records.get(key),
    has: (key) => records.has(key),
    *keys() {
      for (const [k] of records.entries()) yield k;
    },
    *values() {
      for (const [, v] of records.entries()) yield v;
    },
    *entries() {
      yield* records.entries();
    },
    orderedValues: () => records.orderedValues(),
    setRowOrder(rank) {
      writable();
      rows.rank = rank;
    },
    put(key, value) {
      writable();
      if (typeof key !== 'string' || key === '') throw new Error('a record key must be a non-empty string');
      records.set(key, value);
      pending.set(key, { value });
    },
    delete(key) {
      writable();
      if (!records.delete(key)) return false;
      pending.set(key, null);
      return true;
    },
    getMeta: (key) => meta[key] as M[typeof key] | undefined,
    setMeta(key, value) {
      if (value === undefined) delete meta[key];
      else meta[key] = value;
      metaDirty = true;
    },
    flush() {
      writable();
      // one flush at a time: appends and compactions must not interleave
      const run = flushing.then(doFlush);
      flushing = run.catch(() => undefined);
      return run;
    },
    clear() {
      writable();
      records.clear();
      pending.clear();
      pendingClear = true;
      meta = {};
      metaDirty = true;
    },
  };
  return collection;
}
