// The throughput apply measures for the plan's estimates: recorded per run once enough was copied,
// merged over runs by bytes, and read back by the planner.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readMeasuredThroughput, recordThroughput, ThroughputSampler, THROUGHPUT_FILE } from '../../engine/apply/throughput.js';

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

test.run();
