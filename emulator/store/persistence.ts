// With --data DIR the tenants survive restarts: loaded at start, saved (debounced) after writes and
// on shutdown. One JSON file, written to a temporary file and renamed, so a crash mid-write leaves
// the previous save intact. Sections must be plain JSON: Map and Set values are left out (a section
// keeping such an index rebuilds it lazily), as are non-enumerable properties.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { TenantState } from './tenant-state.js';
import type { Emulator } from './emulator-state.js';

const FORMAT_VERSION = 1;
const FILE = 'tenants.json';

export interface SavedState {
  formatVersion: number;
  savedAt: string;
  clockOffsetMs: number;
  tenants: TenantState[];
}

const replacer = (_k: string, v: unknown) => (v instanceof Map || v instanceof Set ? undefined : v);

export function loadSaved(dataDir: string): SavedState | undefined {
  const file = join(dataDir, FILE);
  if (!existsSync(file)) return undefined;
  let saved: SavedState;
  try {
    saved = JSON.parse(readFileSync(file, 'utf8')) as SavedState;
  } catch (e) {
    throw new Error(`cannot read the emulator data ${file}: ${(e as Error).message} (move the file away to start with fresh tenants)`);
  }
  if (saved.formatVersion !== FORMAT_VERSION) {
    throw new Error(`the emulator data ${file} has format version ${String(saved.formatVersion)}, this emulator reads version ${FORMAT_VERSION} (move the file away to start with fresh tenants)`);
  }
  return saved;
}

export class Persistence {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private dirty = false;
  /** How long the last save took: saves are spaced at least 10x that apart, so a big tenant
   *  under a stream of writes spends at most ~10 % of its time serialising. */
  private lastSaveMs = 0;

  constructor(private emulator: Emulator, readonly dataDir: string, private debounceMs = 250) {
    mkdirSync(dataDir, { recursive: true });
  }

  private snapshot(): string {
    const s: SavedState = { formatVersion: FORMAT_VERSION, savedAt: new Date().toISOString(), clockOffsetMs: this.emulator.clockOffsetMs, tenants: this.emulator.tenants };
    return JSON.stringify(s, replacer);
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

  /** Save now if anything changed (async, one write at a time). */
  async flush(): Promise<void> {
    if (this.writing) await this.writing;
    if (!this.dirty) return;
    this.dirty = false;
    const file = join(this.dataDir, FILE);
    const tmp = `${file}.${process.pid}.tmp`;
    this.writing = (async () => {
      const t0 = Date.now();
      const text = this.snapshot();
      this.lastSaveMs = Date.now() - t0;
      await writeFile(tmp, text);
      await rename(tmp, file);
    })();
    try {
      await this.writing;
    } finally {
      this.writing = undefined;
    }
  }

  /** Final save on shutdown: waits for a write in progress, then saves whatever is left. */
  async close(): Promise<void> {
    if (this.writing) await this.writing.catch(() => undefined);
    this.saveNow();
  }

  /** Synchronous save. */
  saveNow(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const file = join(this.dataDir, FILE);
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, this.snapshot());
    renameSync(tmp, file);
    this.dirty = false;
  }
}
