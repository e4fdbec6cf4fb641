// The content-sync throughput apply measures, for the plan's per-wave estimate (SPEC section 4:
// "expected duration … from measured throughput"). Each content-sync step reports the bytes it
// copied; apply adds them up with the time the steps took and keeps, in <state>/throughput.json,
// the bytes per second one mailbox's sync achieved, over every run so far (weighted by bytes, so a
// large run counts more than a small one). Runs that copied too little are not recorded: a few
// kilobytes measure the requests' latency, not the throughput, and would make every estimate far
// too long.
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Throughput } from '../plan/estimate.js';

export const THROUGHPUT_FILE = 'throughput.json';

/** Less than this copied in a run: not a measurement. */
export const MIN_MEASURED_BYTES = 64 * 1024 * 1024;

/** What throughput.json holds: the Throughput the planner reads, and the totals it comes from. */
export interface MeasuredThroughput extends Throughput {
  readonly bytesPerSecondPerMailbox: number;
  /** Bytes copied and seconds spent by content-sync steps, over every recorded run. */
  readonly bytes: number;
  readonly seconds: number;
  readonly measuredAt: string;
}

/** Adds up the content-sync steps of one run. */
export class ThroughputSampler {
  bytes = 0;
  ms = 0;
  add(bytes: number, ms: number): void {
    if (bytes > 0 && ms > 0) {
      this.bytes += bytes;
      this.ms += ms;
    }
  }
}

export async function readMeasuredThroughput(stateDir: string): Promise<MeasuredThroughput | undefined> {
  try {
    const raw = JSON.parse(await readFile(join(stateDir, THROUGHPUT_FILE), 'utf8')) as Partial<MeasuredThroughput>;
    if (typeof raw.bytesPerSecondPerMailbox !== 'number' || !(raw.bytesPerSecondPerMailbox > 0)) return undefined;
    // a concurrency only apply's own records or a hand edit set: one that is not a positive number
    // ("eight", null) is left out, the default taken (it made the estimate's time NaN, and the plan
    // fail with "Invalid time value")
    if ('concurrency' in raw && !(typeof raw.concurrency === 'number' && raw.concurrency > 0)) {
      const { concurrency: _dropped, ...rest } = raw;
      return rest as MeasuredThroughput;
    }
    return raw as MeasuredThroughput;
  } catch {
    return undefined;
  }
}

/** Merges one run's sample into throughput.json (written to a temp file, then renamed). Returns
 *  what it wrote, or undefined when the run copied too little to count. */
export async function recordThroughput(stateDir: string, sample: ThroughputSampler, now: Date, minBytes = MIN_MEASURED_BYTES): Promise<MeasuredThroughput | undefined> {
  if (sample.bytes < minBytes || sample.ms <= 0) return undefined;
  const before = await readMeasuredThroughput(stateDir);
  const bytes = sample.bytes + (before && before.bytes > 0 && before.seconds > 0 ? before.bytes : 0);
  const seconds = sample.ms / 1000 + (before && before.bytes > 0 && before.seconds > 0 ? before.seconds : 0);
  const measured: MeasuredThroughput = {
    ...(before?.concurrency !== undefined ? { concurrency: before.concurrency } : {}),
    bytesPerSecondPerMailbox: Math.round(bytes / seconds),
    bytes,
    seconds: Math.round(seconds * 1000) / 1000,
    measuredAt: now.toISOString(),
  };
  const file = join(stateDir, THROUGHPUT_FILE);
  const temp = `${file}.tmp-${process.pid}`;
  await writeFile(temp, JSON.stringify(measured, null, 2) + '\n');
  await rename(temp, file);
  return measured;
}
