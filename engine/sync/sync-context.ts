// What every workload's sync shares: the caller's options, the running totals, periodic
// checkpoints through saveWatermark, and small helpers on tenant errors.
import { TenantError } from '../errors.js';
import type { SyncWatermark, WorkloadName } from '../inventory/model.js';
import type { TenantClient } from '../tenant/client.js';

export type SyncMode = 'initial' | 'delta';

export interface SyncWorkloadOptions {
  source: TenantClient;
  target: TenantClient;
  sourceUserId: string;
  targetUserId: string;
  workload: WorkloadName;
  mode: SyncMode;
  watermark?: SyncWatermark;
  signal?: AbortSignal;
  /** Running totals of the watermark (items and bytes copied so far, this run included). */
  onProgress?: (p: { items: number; bytes: number }) => void;
  /** Persist a checkpoint (the executor writes it into the marker). Called every few batches and at the end. */
  saveWatermark?: (w: SyncWatermark) => Promise<void>;
  /** Things the user should know that do not stop the sync (MIME fallback makes drafts…). */
  onWarning?: (message: string) => void;
  /** Mail only: 'auto' (default) uses the full-fidelity import/export API when both mailboxes offer it,
   *  else MIME; 'mime' forces the MIME path (items become drafts). */
  mailTransport?: 'auto' | 'mime';
  /** Items per delta page asked of the service (default 100). Checkpoints fall on page boundaries. */
  pageSize?: number;
  /** Checkpoint after this many import batches (default 5). */
  checkpointEvery?: number;
  /** Requests in flight per mailbox (default and maximum 4: Exchange's MailboxConcurrency). */
  concurrency?: number;
  /** The target user was not created by t2t (an adopted user): its mailbox and OneDrive may hold
   *  items of its own, which t2t cannot tell from copies it cannot pair any more. Then only what is
   *  known to be a copy is removed when its source item is deleted: in OneDrive a paired copy, in
   *  mail nothing (a mail copy carries no mark of its own). */
  keepUnpaired?: boolean;
}

/** Mutable run state shared by the workload implementations. */
export class SyncRun {
  items: number;
  bytes: number;
  readonly links: Record<string, string>;
  /** Where the mail sync keeps its delta positions when the target folders can hold them
   *  (folder-positions.ts); unset: the marker keeps them all. */
  positions:
    | { readonly keys: ReadonlySet<string>; readonly set: string; flush(links: Readonly<Record<string, string>>): Promise<void>; savedAt(targetFolderId: string): number | undefined }
    | undefined;
  readonly startedAt = new Date();
  /** Set by begin(): this run's start, written in the watermark. */
  private began: string | undefined;
  private sinceCheckpoint = 0;
  private saving: Promise<void> = Promise.resolve();

  constructor(readonly o: SyncWorkloadOptions) {
    this.items = o.watermark?.items ?? 0;
    this.bytes = o.watermark?.bytes ?? 0;
    this.links = { ...(o.watermark?.deltaLinks ?? {}) };
  }

  get signal(): AbortSignal | undefined {
    return this.o.signal;
  }

  /** Concurrency per mailbox: never above Exchange's 4. */
  get concurrency(): number {
    return Math.max(1, Math.min(4, this.o.concurrency ?? 4));
  }

  checkAbort(): void {
    if (this.o.signal?.aborted) throw this.o.signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
  }

  copied(items: number, bytes: number): void {
    this.items += items;
    this.bytes += bytes;
    this.o.onProgress?.({ items: this.items, bytes: this.bytes });
  }

  warn(message: string): void {
    this.o.onWarning?.(message);
  }

  /** The watermark as it stands (no completion time set yet). */
  snapshot(links: Readonly<Record<string, string>> = this.links): SyncWatermark {
    const w = this.o.watermark;
    return {
      ...(w?.initialDoneAt ? { initialDoneAt: w.initialDoneAt } : {}),
      ...(w?.lastDeltaAt ? { lastDeltaAt: w.lastDeltaAt } : {}),
      items: this.items,
      bytes: this.bytes,
      ...this.positionFields(links),
      ...this.startField(),
    };
  }

  private startField(): Pick<SyncWatermark, 'startedAt'> {
    const s = this.began ?? this.o.watermark?.startedAt;
    return s ? { startedAt: s } : {};
  }

  /** Write in the watermark that this run began, before it copies anything: a run that crashes
   *  after copying items then leaves a start later than the completion times (unfinishedRun). */
  async begin(): Promise<void> {
    this.began = this.startedAt.toISOString();
    await this.checkpoint();
  }

  /** A run began after the last completed one and did not complete (a crash, an abort, or its
   *  last marker write failed): it may have copied any item, even one created after that completion. */
  unfinishedRun(): boolean {
    const s = this.o.watermark?.startedAt;
    if (!s) return false;
    const end = this.previousRunEnd();
    return end === undefined || Date.parse(s) >= end;
  }

  /** The delta positions the marker keeps: those not kept on the target folders. */
  private positionFields(links: Readonly<Record<string, string>>): Pick<SyncWatermark, 'deltaLinks' | 'positionsSet'> {
    const elsewhere = this.positions?.keys;
    if (!elsewhere?.size) return { deltaLinks: { ...links } };
    return { deltaLinks: Object.fromEntries(Object.entries(links).filter(([k]) => !elsewhere.has(k))), positionsSet: this.positions!.set };
  }

  /** Count a finished batch of items (up to 20). */
  batchDone(): void {
    this.sinceCheckpoint += 1;
  }

  /** At a resumable position (a page fully done): save when `checkpointEvery` batches ran since the last save. */
  async pageDone(): Promise<void> {
    if (this.sinceCheckpoint >= (this.o.checkpointEvery ?? 5)) await this.checkpoint();
  }

  /** Save the positions and the watermark now (serialised: one save at a time, in order). The
   *  positions go first: a crash between the two leaves positions the marker does not name yet,
   *  which the next run ignores (those folders are read from the start: slower, never wrong). */
  async checkpoint(): Promise<void> {
    this.sinceCheckpoint = 0;
    if (!this.o.saveWatermark && !this.positions) return;
    const links = { ...this.links };
    const next = this.saving.then(async () => {
      await this.positions?.flush(links);
      await this.o.saveWatermark?.(this.snapshot(links));
    });
    this.saving = next.catch(() => undefined);
    await next;
  }

  /** The final watermark: links, totals, and the completion time (initialDoneAt the first
   *  time a run completes, lastDeltaAt afterwards, whatever the mode said). */
  finish(): SyncWatermark {
    const w = this.o.watermark;
    const now = new Date().toISOString();
    return {
      initialDoneAt: w?.initialDoneAt ?? now,
      ...(w?.initialDoneAt ? { lastDeltaAt: now } : {}),
      items: this.items,
      bytes: this.bytes,
      ...this.positionFields(this.links),
      ...this.startField(),
    };
  }

  /** The end of the previous completed run: target items created after it cannot be copies we made before it. */
  previousRunEnd(): number | undefined {
    const w = this.o.watermark;
    const times = [w?.initialDoneAt, w?.lastDeltaAt].filter((t): t is string => !!t).map((t) => Date.parse(t));
    return times.length ? Math.max(...times) : undefined;
  }
}

/** HTTP status of a failed tenant call, if it was one. */
export function statusOf(e: unknown): number | undefined {
  return e instanceof TenantError ? e.details.status : undefined;
}

/** The service does not offer this operation here (absent route, not enabled, not permitted). */
export function isUnavailable(e: unknown): boolean {
  const s = statusOf(e);
  return s === 400 || s === 403 || s === 404 || s === 405 || s === 501;
}

export async function ignoreNotFound<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (e) {
    if (statusOf(e) === 404) return undefined;
    throw e;
  }
}

/** Run `fn` over `items` with at most `limit` in flight; stops starting new ones after the first failure. */
export async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let failed: unknown;
  const worker = async () => {
    while (next < items.length && failed === undefined) {
      const i = next++;
      try {
        results[i] = await fn(items[i]!, i);
      } catch (e) {
        failed ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failed !== undefined) throw failed;
  return results;
}
