// With --data DIR the tenants survive restarts: loaded at start, saved (debounced) after writes and
// on shutdown. tenants.json holds the emulator's small state and each tenant's own fields; each
// tenant's sections (directory, exchange, mail, drive) go to files of their own, written chunk by
// chunk: a 100,000-user tenant is far larger than the longest string V8 can hold, so neither the
// whole state nor a section is ever one string when saved. Every file is written to a temporary
// file and renamed, tenants.json last, so a crash mid-save leaves the previous save readable.
// Sections must be plain JSON: Map and Set values are left out (a section keeping such an index
// rebuilds it lazily), as are non-enumerable properties.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { TenantState } from './tenant-state.js';
import type { Emulator } from './emulator-state.js';

/** 1: everything in tenants.json; 2: sections in files of their own (both are read). */
const FORMAT_VERSION = 2;
const FILE = 'tenants.json';
const SECTIONS = ['directory', 'exchange', 'mail', 'drive'] as const;

export interface SavedState {
  formatVersion: number;
  savedAt: string;
  clockOffsetMs: number;
  tenants: TenantState[];
}

const skip = (v: unknown) => v === undefined || typeof v === 'function' || v instanceof Map || v instanceof Set;
const replacer = (_k: string, v: unknown) => (v instanceof Map || v instanceof Set ? undefined : v);

/** JSON text of `value` in pieces: objects and arrays with many entries are walked entry by entry,
 *  everything small is stringified whole. Same text as JSON.stringify(value, replacer). */
export function* jsonChunks(value: unknown, depth = 0): Generator<string> {
  const small = (n: number) => n < 64 && depth > 1;
  if (value === null || typeof value !== 'object' || depth > 6 || typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    yield JSON.stringify(value, replacer) ?? 'null';
  } else if (Array.isArray(value)) {
    if (small(value.length)) {
      yield JSON.stringify(value, replacer);
      return;
    }
    yield '[';
    for (let i = 0; i < value.length; i++) {
      if (i) yield ',';
      const v: unknown = value[i];
      if (skip(v)) yield 'null';
      else yield* jsonChunks(v, depth + 1);
    }
    yield ']';
  } else {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => !skip(v));
    if (small(entries.length)) {
      yield JSON.stringify(value, replacer);
      return;
    }
    yield '{';
    let first = true;
    for (const [k, v] of entries) {
      yield `${first ? '' : ','}${JSON.stringify(k)}:`;
      first = false;
      yield* jsonChunks(v, depth + 1);
    }
    yield '}';
  }
}

/** Write chunks to `path` through a temporary file, coalesced into writes of about 1 MiB. */
function writeChunked(path: string, chunks: Iterable<string>): void {
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    let buf = '';
    for (const c of chunks) {
      buf += c;
      if (buf.length >= 1 << 20) {
        writeSync(fd, buf);
        buf = '';
      }
    }
    if (buf) writeSync(fd, buf);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

function readJson<T>(file: string): T {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (e) {
    throw new Error(`cannot read the emulator data ${file}: ${(e as Error).message} (move the data directory away to start with fresh tenants)`);
  }
}

const sectionFile = (dataDir: string, index: number, section: string) => join(dataDir, 'tenants', `${index}-${section}.json`);

export function loadSaved(dataDir: string): SavedState | undefined {
  const file = join(dataDir, FILE);
  if (!existsSync(file)) return undefined;
  const saved = readJson<SavedState>(file);
  if (saved.formatVersion === 1) return saved;
  if (saved.formatVersion !== FORMAT_VERSION) {
    throw new Error(`the emulator data ${file} has format version ${String(saved.formatVersion)}, this emulator reads versions 1 and ${FORMAT_VERSION} (move the data directory away to start with fresh tenants)`);
  }
  saved.tenants.forEach((t, i) => {
    const record = t as unknown as Record<string, unknown>;
    for (const s of SECTIONS) record[s] = readJson(sectionFile(dataDir, i, s));
  });
  return saved;
}

export class Persistence {
  private timer: NodeJS.Timeout | undefined;
  private dirty = false;
  /** How long the last save took: saves are spaced at least 10x that apart, so a big tenant
   *  under a stream of writes spends at most ~10 % of its time serialising. */
  private lastSaveMs = 0;

  constructor(private emulator: Emulator, readonly dataDir: string, private debounceMs = 250) {
    mkdirSync(join(dataDir, 'tenants'), { recursive: true });
  }

  /** Note a change; the save follows within max(debounceMs, 10 x the last save's duration). */
  changed(): void {
    this.dirty = true;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush().catch((e: unknown) => process.stderr.write(`t2t emulator: saving ${this.dataDir} failed: ${(e as Error).message}\n`));
    }, Math.max(this.debounceMs, this.lastSaveMs * 10));
    this.timer.unref();
  }

  /** Save now if anything changed. */
  async flush(): Promise<void> {
    if (!this.dirty) return;
    this.saveNow();
  }

  /** Final save on shutdown. */
  async close(): Promise<void> {
    this.saveNow();
  }

  /** Synchronous save: sections first, tenants.json last (it names what the sections belong to). */
  saveNow(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const t0 = Date.now();
    const tenants = this.emulator.tenants.map((t, i) => {
      const record = t as unknown as Record<string, unknown>;
      for (const s of SECTIONS) writeChunked(sectionFile(this.dataDir, i, s), jsonChunks(record[s]));
      return Object.fromEntries(Object.entries(record).filter(([k]) => !(SECTIONS as readonly string[]).includes(k)));
    });
    const state = { formatVersion: FORMAT_VERSION, savedAt: new Date().toISOString(), clockOffsetMs: this.emulator.clockOffsetMs, tenants };
    writeChunked(join(this.dataDir, FILE), [JSON.stringify(state, replacer)]);
    this.dirty = false;
    this.lastSaveMs = Date.now() - t0;
  }
}
