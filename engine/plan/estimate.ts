// The expected duration of a wave's content work, from the source content sizes still to copy and
// a throughput (default: the ~1.8 GB per mailbox-hour Graph allows, times the mailboxes synced at
// once). Warns when the wave cannot finish before its cutoverAt.
import type { Estimate } from './model.js';
import { formatBytes } from '../resources/content-sync/index.js';
import { plural } from '../util/plural.js';

export interface Throughput {
  /** Bytes per second one mailbox sync achieves (default 500,000: 1.8 GB/h). */
  readonly bytesPerSecondPerMailbox?: number;
  /** Mailboxes synced concurrently (default 4). */
  readonly concurrency?: number;
}

export const DEFAULT_BYTES_PER_SECOND_PER_MAILBOX = 1.8e9 / 3600;
export const DEFAULT_CONCURRENCY = 4;

export class EstimateAccumulator {
  bytes = 0;
  items = 0;
  largest = 0;
  add(bytes: number, items: number): void {
    this.bytes += bytes;
    this.items += items;
    if (bytes > this.largest) this.largest = bytes;
  }
}

function hours(seconds: number): string {
  if (seconds < 3600) return `${Math.max(1, Math.round(seconds / 60))} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

export function computeEstimate(acc: EstimateAccumulator, now: Date, throughput: Throughput, wave: string, cutoverAt?: string): Estimate {
  const per = throughput.bytesPerSecondPerMailbox ?? DEFAULT_BYTES_PER_SECOND_PER_MAILBOX;
  const total = per * Math.max(1, throughput.concurrency ?? DEFAULT_CONCURRENCY);
  // the wave is never faster than its largest user, which one mailbox stream carries alone
  const seconds = Math.ceil(Math.max(acc.bytes / total, acc.largest / per));
  const finishesBy = new Date(now.getTime() + seconds * 1000).toISOString();
  const e: Estimate = { bytes: acc.bytes, items: acc.items, seconds, throughputBytesPerSecond: total, finishesBy };
  if (cutoverAt && acc.bytes > 0 && Date.parse(finishesBy) > Date.parse(cutoverAt)) {
    return {
      ...e,
      warning: `wave ${wave}: content still to sync (${formatBytes(acc.bytes)}, ${plural(acc.items, 'item')}) needs about ${hours(seconds)} at ${formatBytes(total)}/s and cannot finish before the cutover at ${cutoverAt} (estimated ${finishesBy}); start the sync earlier, raise the concurrency or move cutoverAt`,
    };
  }
  return e;
}
