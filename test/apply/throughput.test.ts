// The throughput apply measures for the plan's estimates: recorded per run once enough was copied,
// merged over runs by bytes, and read back by the planner.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readMeasuredThroughput, recordThroughput, ThroughputSampler, THROUGHPUT_FILE } from '../../engine/apply/throughput.js';
import { computeEstimate, DEFAULT_CONCURRENCY, EstimateAccumulator } from '../../engine/plan/estimate.js';
import { formatBytes, sizeText } from '../../engine/resources/content-sync/index.js';

const NOW = new Date('2026-06-01T12:00:00Z');
const MiB = 1024 * 1024;

function sample(...steps: [bytes: number, ms: number][]): ThroughputSampler {
  const s = new ThroughputSampler();
  for (const [b, ms] of steps) s.add(b, ms);
  return s;
}

test('a run that copied too little records nothing: kilobytes measure latency, not throughput', async () => {
  const dir = mkdtempSync(join(tmpdir(), 't2t-throughput-'));
  try {
    assert.is(await recordThroughput(dir, sample([10_000, 2000]), NOW), undefined);
    assert.not.ok(existsSync(join(dir, THROUGHPUT_FILE)));
    assert.is(await readMeasuredThroughput(dir), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bytes per second of one mailbox sync, merged over runs by bytes, read back as the planner reads it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 't2t-throughput-'));
  try {
    // two steps of one run: 100 MiB in 40 s and 60 MiB in 40 s: 2 MiB/s
    const first = await recordThroughput(dir, sample([100 * MiB, 40_000], [60 * MiB, 40_000], [0, 5000]), NOW);
    assert.equal(first, { bytesPerSecondPerMailbox: 2 * MiB, bytes: 160 * MiB, seconds: 80, measuredAt: NOW.toISOString() });
    assert.equal(await readMeasuredThroughput(dir), first);
    // a second run at 1 MiB/s over 80 MiB: (160 + 80) MiB in 160 s
    const second = await recordThroughput(dir, sample([80 * MiB, 80_000]), NOW, 64 * MiB);
    assert.is(second!.bytesPerSecondPerMailbox, Math.round((240 * MiB) / 160));
    assert.equal(readdirSync(dir), [THROUGHPUT_FILE], 'no temp file left');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a throughput.json edited by hand with a concurrency that is not a number: the default is taken, the estimate still made', async () => {
  // found by a review helper: {"concurrency": "eight"} made every plan fail with an internal error
  // ("Invalid time value": the estimate's duration was NaN)
  const dir = mkdtempSync(join(tmpdir(), 't2t-throughput-'));
  try {
    const acc = new EstimateAccumulator();
    acc.add(1_000_000, 10);
    for (const concurrency of ['eight', null, -2, 0]) {
      writeFileSync(join(dir, THROUGHPUT_FILE), JSON.stringify({ bytesPerSecondPerMailbox: 1000, bytes: 1, seconds: 1, measuredAt: NOW.toISOString(), concurrency }));
      const read = await readMeasuredThroughput(dir);
      assert.is(read!.bytesPerSecondPerMailbox, 1000, String(concurrency));
      const e = computeEstimate(acc, NOW, read!, 'wave-01');
      assert.is(e.throughputBytesPerSecond, 1000 * DEFAULT_CONCURRENCY, String(concurrency));
      assert.is(e.seconds, 1000, String(concurrency));
    }
    writeFileSync(join(dir, THROUGHPUT_FILE), JSON.stringify({ bytesPerSecondPerMailbox: 1000, bytes: 1, seconds: 1, measuredAt: NOW.toISOString(), concurrency: 8 }));
    assert.is((await readMeasuredThroughput(dir))!.concurrency, 8, 'a number is kept');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the plan's sizes: never 1024.0 of a unit, and one item in the singular", () => {
  assert.is(formatBytes(1023), '1023 B');
  assert.is(formatBytes(1024 * 1024 - 1), '1.0 MiB');
  assert.is(formatBytes(1024 * 1024 - 60), '1023.9 KiB');
  assert.is(formatBytes(1024 ** 3 - 1), '1.0 GiB');
  assert.is(sizeText({ items: 1, bytes: 2048 }), '1 item, 2.0 KiB');
  assert.is(sizeText({ items: 2, bytes: 2048 }), '2 items, 2.0 KiB');
  const acc = new EstimateAccumulator();
  acc.add(10_000_000, 1);
  const late = computeEstimate(acc, NOW, { bytesPerSecondPerMailbox: 1 }, 'wave-01', new Date(NOW.getTime() + 1000).toISOString());
  assert.match(late.warning!, /content still to sync \(9\.5 MiB, 1 item\)/);
});

test.run();
