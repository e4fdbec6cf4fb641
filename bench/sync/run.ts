// Benchmark of mailbox content sync against the emulator's per-mailbox limits (Exchange's: 4
// concurrent requests, 10,000 requests per 10 min, 150 MB uploaded per 5 min, per app and mailbox).
// SPEC section 7 asks for ≥ 90 % of the upload and concurrency budget used across mailboxes.
//
// The budget only binds once a mailbox's 150 MB burst is spent, so a fair run must copy more than
// the burst into every target mailbox. Real-size budgets for many mailboxes at a compressed
// timeScale ask more bytes per second of the one emulator process (2 cores, shared with t2t) than
// it can serve, and more memory than it has. So the bench, in three phases:
//   1. capacity: an unthrottled emulator; the import route is driven directly (no t2t) with 8
//      requests in flight: the emulator's own ceiling in MB/s on this machine, at this moment;
//   2. scaling: the per-mailbox limits are scaled by one factor f (upload MB and requests alike,
//      concurrency stays 4) so the sum of every mailbox's steady rate is at most a third of that
//      ceiling and the copied volume fits in memory; the factor and the limits are printed;
//   3. sync: the source mailboxes are seeded (unthrottled), the emulator restarts on the same data
//      with the scaled limits, and every mailbox is synced in parallel as the executor would, with
//      `pastBurst` times the burst of bytes to copy per mailbox.
// Reported per target mailbox: bytes sent, the share of the upload allowance used (bytes / (burst
// + refill over the mailbox's run)), requests and their share, the time-weighted mean of import
// requests in flight (of 4), its peak, 429s.
// Run: npm run bench -- sync   (env BENCH_SYNC_MAILBOXES, BENCH_SYNC_KIB, BENCH_SYNC_TIMESCALE,
// BENCH_SYNC_LIMIT_SCALE to force f, BENCH_SYNC_PAST_BURST, BENCH_SYNC_MEMORY_MB)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fetch } from 'undici';
import { createTenantClient, type TenantClient } from '../../engine/tenant/client.js';
import { syncWorkload } from '../../engine/sync/sync-workload.js';
import { startEmulator, testConfig, type RunningEmulator } from '../../test/helpers/emulator.js';
import { accessToken, graphClient, trustingAgent } from '../../test/helpers/graph.js';
import { createUser } from '../../test/emulator/content/setup.js';
import { emulatorTenant, secretsEnv } from '../../test/tenant/fixtures.js';
import { mailboxIdsOf, seedMessage } from '../../test/sync/setup.js';

/** Exchange's real per-mailbox limits. */
const REAL = { concurrent: 4, requestsPer10min: 10_000, uploadMBPer5min: 150 };
const MB = 1024 * 1024;
const step = (what: string) => process.env.BENCH_SYNC_VERBOSE && console.error(`  [${new Date().toISOString().slice(11, 19)}] ${what}`);

export interface SyncBenchMailbox {
  mailbox: string;
  items: number;
  bytesSent: number;
  seconds: number;
  /** Bytes of the imports the service accepted (throttled attempts' bodies cost no budget). */
  /** bytes accepted / bytes the upload bucket allowed during the run (its burst plus the refill). */
  uploadShare: number;
  /** The same from the mailbox's first import on (t2t's start-up reads left out). */
  uploadShareFromFirstImport: number;
  requests: number;
  /** requests / what the request bucket allowed during the run. */
  requestShare: number;
  /** Time-weighted mean of import requests in flight, over the mailbox's run. */
  meanInFlight: number;
  peakInFlight: number;
  throttled: number;
}

export interface SyncBench {
  mailboxes: SyncBenchMailbox[];
  timeScale: number;
  /** The factor applied to the real per-mailbox upload and request limits. */
  limitScale: number;
  limits: typeof REAL;
  /** The emulator's own import ceiling (MB/s of request bodies), unthrottled, no t2t. */
  emulatorMBps: number;
  emulatorItemsPerSecond: number;
  /** Sum of every mailbox's steady upload rate under the scaled limits. */
  budgetMBps: number;
  burstBytes: number;
  totalSeconds: number;
  totalMBps: number;
  meanUploadShare: number;
  minUploadShare: number;
  meanUploadShareFromFirstImport: number;
  meanConcurrencyShare: number;
  failures: number;
}

const num = (name: string, fallback: number) => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
};

function config(n: number, limits: object | 'none'): object {
  const c = testConfig({ limits }) as { tenants: { licenses: { units: number }[] }[] };
  // enough licences for every benchmark mailbox (the test config has 75 units per tenant)
  for (const t of c.tenants) for (const l of t.licenses) l.units = Math.max(l.units, n + 10);
  return c;
}

/** Phase 1: the emulator's import route driven directly, `inFlight` requests at a time, for `ms`. */
async function importCapacity(emu: RunningEmulator, sourceUser: string, targetUser: string, inFlight = 8, ms = 3000): Promise<{ mbps: number; itemsPerSecond: number; itemBytes: number }> {
  const dispatcher = trustingAgent(emu.caFile);
  const call = async (tenant: 'contoso' | 'fabrikam', path: string, body: unknown) => {
    const r = await fetch(`${emu.url}/beta${path}`, { method: 'POST', dispatcher, headers: { authorization: `Bearer ${await accessToken(emu, tenant)}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
    return r.json() as Promise<Record<string, unknown>>;
  };
  const c = await graphClient(emu, 'contoso');
  const f = await graphClient(emu, 'fabrikam');
  const src = (await mailboxIdsOf(c, sourceUser)).primaryMailboxId;
  const tgt = (await mailboxIdsOf(f, targetUser)).primaryMailboxId;
  const items = ((await c.api(`/users/${sourceUser}/mailFolders/inbox/messages?$select=id&$top=20`).get()) as { value: { id: string }[] }).value;
  const exported = (await call('contoso', `/admin/exchange/mailboxes/${src}/exportItems`, { itemIds: items.map((i) => i.id) })) as { value: { data: string }[] };
  const inbox = ((await f.api(`/users/${targetUser}/mailFolders/inbox?$select=id`).get()) as { id: string }).id;
  const { importUrl } = (await call('fabrikam', `/admin/exchange/mailboxes/${tgt}/createImportSession`, {})) as { importUrl: string };
  step('exported');
  const bodies = exported.value.map((e) => JSON.stringify({ FolderId: inbox, Mode: 'create', Data: e.data }));
  let bytes = 0;
  let count = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async (_, w) => {
      for (let i = w; performance.now() - t0 < ms; i += inFlight) {
        const body = bodies[i % bodies.length]!;
        const r = await fetch(importUrl, { method: 'POST', dispatcher, headers: { 'content-type': 'application/json' }, body });
        if (!r.ok) throw new Error(`import: ${r.status} ${await r.text()}`);
        await r.arrayBuffer();
        bytes += Buffer.byteLength(body);
        count += 1;
      }
    }),
  );
  const s = (performance.now() - t0) / 1000;
  return { mbps: bytes / MB / s, itemsPerSecond: count / s, itemBytes: bytes / count };
}

/** Wraps the target client's import calls to integrate the requests in flight per mailbox over time. */
function inFlightMeter(target: TenantClient): { client: TenantClient; mean(mailbox: string, from: number, to: number): number; peak(mailbox: string): number; accepted(mailbox: string): number; first(mailbox: string): number } {
  const state = new Map<string, { n: number; since: number; area: number; peak: number; bytes: number; first: number }>();
  const at = (k: string) => {
    let s = state.get(k);
    if (!s) state.set(k, (s = { n: 0, since: performance.now(), area: 0, peak: 0, bytes: 0, first: 0 }));
    return s;
  };
  const step = (k: string, d: number) => {
    const s = at(k);
    const now = performance.now();
    s.area += s.n * (now - s.since);
    s.since = now;
    s.n += d;
    s.peak = Math.max(s.peak, s.n);
  };
  const g = target.graph;
  const graph: TenantClient['graph'] = {
    ...g,
    async preauthenticated<T>(method: 'PUT' | 'POST', url: string, data: Buffer | string | object, ct: string, o?: Parameters<TenantClient['graph']['preauthenticated']>[4]): Promise<T> {
      const k = (o?.mailbox ?? '').toLowerCase();
      step(k, 1);
      at(k).first ||= performance.now();
      try {
        const r = await g.preauthenticated<T>(method, url, data, ct, o);
        // What the service accepted (a throttled body is refused and costs no budget).
        at(k).bytes += Buffer.isBuffer(data) || typeof data === 'string' ? Buffer.byteLength(data) : Buffer.byteLength(JSON.stringify(data));
        return r;
      } finally {
        step(k, -1);
      }
    },
  };
  return {
    client: { ...target, graph },
    mean: (k, from, to) => (step(k, 0), at(k).area / Math.max(1, to - from)),
    peak: (k) => at(k).peak,
    accepted: (k) => at(k).bytes,
    first: (k) => at(k).first,
  };
}

export async function runSyncBench(opts: { mailboxes?: number; kib?: number; timeScale?: number; limitScale?: number; pastBurst?: number; memoryMB?: number } = {}): Promise<SyncBench> {
  const n = opts.mailboxes ?? num('BENCH_SYNC_MAILBOXES', 4);
  const kib = opts.kib ?? num('BENCH_SYNC_KIB', 48);
  let timeScale = opts.timeScale ?? num('BENCH_SYNC_TIMESCALE', n > 50 ? 0.2 : 0.05);
  const pastBurst = opts.pastBurst ?? num('BENCH_SYNC_PAST_BURST', n > 50 ? 1.5 : 2);
  /** Bytes the source tenant may hold (the target holds as much again). */
  const memoryMB = opts.memoryMB ?? num('BENCH_SYNC_MEMORY_MB', n > 50 ? 300 : 240);
  const work = mkdtempSync(join(tmpdir(), 't2t-bench-sync-'));
  const dataDir = join(work, 'data');
  const filler = 'lorem ipsum dolor sit amet '.repeat(Math.ceil((kib * 1024) / 27)).slice(0, kib * 1024);
  try {
    // Phase 1: unthrottled emulator, users, the emulator's own import capacity.
    let emu = await startEmulator(config(n, 'none'), { dataDir });
    const contoso = await graphClient(emu, 'contoso');
    const fabrikam = await graphClient(emu, 'fabrikam');
    const pairs: { src: string; tgt: string }[] = [];
    for (let i = 0; i < n; i++) pairs.push({ src: (await createUser(contoso, `bench${i}@contoso.com`)).id, tgt: (await createUser(fabrikam, `bench${i}@fabrikam.com`)).id });
    const probe = { src: (await createUser(contoso, 'probe@contoso.com')).id, tgt: (await createUser(fabrikam, 'probe@fabrikam.com')).id };
    for (let j = 0; j < 20; j++) await seedMessage(contoso, probe.src, 'inbox', `Probe ${j}`, { body: `<p>${j} ${filler}</p>` });
    step('users made; measuring the emulator');
    const cap = await importCapacity(emu, probe.src, probe.tgt);

    // Phase 2: the factor. Steady rates of all mailboxes together ≤ a third of the ceiling (t2t,
    // exports and listings share the 2 cores), volume within memoryMB.
    // The emulator's config takes whole MB (≥ 1 per 5 min): below that, the timeScale grows
    // instead (slower refill), which lowers the steady rate just the same.
    const byMemory = memoryMB / (n * pastBurst * REAL.uploadMBPer5min);
    const byCpuAt = (ts: number) => cap.mbps / 3 / ((n * REAL.uploadMBPer5min) / (300 * ts));
    const wanted = opts.limitScale ?? num('BENCH_SYNC_LIMIT_SCALE', Math.max(1 / REAL.uploadMBPer5min, Math.min(1, byCpuAt(timeScale), byMemory)));
    const f = Math.max(1, Math.round(REAL.uploadMBPer5min * wanted)) / REAL.uploadMBPer5min; // whole MB
    if (byCpuAt(timeScale) < f) timeScale = Math.ceil(((n * REAL.uploadMBPer5min * f) / (300 * (cap.mbps / 3))) * 100) / 100;
    const limits = { concurrent: REAL.concurrent, requestsPer10min: Math.max(1, Math.round(REAL.requestsPer10min * f)), uploadMBPer5min: REAL.uploadMBPer5min * f };
    const burstBytes = limits.uploadMBPer5min * MB;
    const perItemWire = cap.itemBytes;
    const m = Math.ceil((pastBurst * burstBytes) / perItemWire);

    step(`capacity ${cap.mbps.toFixed(1)} MB/s; seeding`);
    // Phase 3: seed, restart with the scaled limits on the same data, sync every mailbox.
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(8, n) }, async () => {
        for (let i = next++; i < n; i = next++) for (let j = 0; j < m; j++) await seedMessage(contoso, pairs[i]!.src, 'inbox', `Bench ${j}`, { body: `<p>${j} ${filler}</p>` });
      }),
    );
    const targetMailboxes = await Promise.all(pairs.map(async ({ tgt }) => (await mailboxIdsOf(fabrikam, tgt)).primaryMailboxId.toLowerCase()));
    step('seeded; restarting');
    await emu.stop();
    emu = await startEmulator(config(n, { timeScale, mailbox: limits }), { dataDir });
    const env = secretsEnv();
    const source = createTenantClient({ dir: process.cwd() }, emulatorTenant(emu, 'contoso'), { env });
    const target = createTenantClient({ dir: process.cwd() }, emulatorTenant(emu, 'fabrikam'), { env });
    const meter = inFlightMeter(target);
    try {
      step('syncing');
      const t0 = performance.now();
      const ends: number[] = [];
      let failures = 0;
      await Promise.all(
        pairs.map(async ({ src, tgt }, i) => {
          try {
            await syncWorkload({ source, target: meter.client, sourceUserId: src, targetUserId: tgt, workload: 'mailbox', mode: 'initial' });
          } catch (e) {
            failures += 1;
            console.error(`  mailbox ${i}: ${(e as Error).message}`);
          }
          ends[i] = performance.now();
        }),
      );
      const totalSeconds = (performance.now() - t0) / 1000;
      const rate = burstBytes / (300_000 * timeScale); // bytes per ms
      const reqRate = limits.requestsPer10min / (600_000 * timeScale);
      const stats = target.stats().mailboxes;
      const mailboxes = pairs.map((_, i): SyncBenchMailbox => {
        const key = targetMailboxes[i]!;
        const s = stats.find((b) => b.name.endsWith(`/mailbox/${key}`));
        const ms = ends[i]! - t0;
        const bytesSent = meter.accepted(key);
        return {
          mailbox: key,
          items: m,
          bytesSent,
          seconds: ms / 1000,
          uploadShare: bytesSent / (burstBytes + rate * ms),
          uploadShareFromFirstImport: bytesSent / (burstBytes + rate * (ends[i]! - (meter.first(key) || t0))),
          requests: s?.requests ?? 0,
          requestShare: (s?.requests ?? 0) / (limits.requestsPer10min + reqRate * ms),
          meanInFlight: meter.mean(key, t0, ends[i]!),
          peakInFlight: meter.peak(key),
          throttled: s?.throttled ?? 0,
        };
      });
      const shares = mailboxes.map((b) => b.uploadShare);
      return {
        mailboxes,
        timeScale,
        limitScale: f,
        limits,
        emulatorMBps: cap.mbps,
        emulatorItemsPerSecond: cap.itemsPerSecond,
        budgetMBps: (n * burstBytes) / MB / (300 * timeScale),
        burstBytes,
        totalSeconds,
        totalMBps: mailboxes.reduce((x, b) => x + b.bytesSent, 0) / MB / totalSeconds,
        meanUploadShare: shares.reduce((x, y) => x + y, 0) / n,
        minUploadShare: Math.min(...shares),
        meanUploadShareFromFirstImport: mailboxes.reduce((x, b) => x + b.uploadShareFromFirstImport, 0) / n,
        meanConcurrencyShare: mailboxes.reduce((x, b) => x + b.meanInFlight / REAL.concurrent, 0) / n,
        failures,
      };
    } finally {
      await source.close();
      await target.close();
      await emu.stop();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const mb = (b: number) => (b / MB).toFixed(1);
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

export async function main(): Promise<void> {
  const r = await runSyncBench();
  const n = r.mailboxes.length;
  console.log(`content sync: ${n} mailboxes in parallel, timeScale ${r.timeScale}`);
  console.log(
    `  emulator capacity (import route driven directly, unthrottled, no t2t, 8 in flight): ${r.emulatorMBps.toFixed(1)} MB/s = ${r.emulatorItemsPerSecond.toFixed(0)} items/s on this machine now`,
  );
  console.log(
    `  per-mailbox limits scaled by ${r.limitScale.toPrecision(3)}${r.limitScale < 1 ? ` (the emulator, not t2t, cannot serve ${n} real-size budgets at this timeScale, nor hold their volume)` : ''}: ${r.limits.uploadMBPer5min.toPrecision(3)} MB per 5 min, ${r.limits.requestsPer10min} requests per 10 min, ${r.limits.concurrent} concurrent; all budgets together ${r.budgetMBps.toFixed(2)} MB/s steady after a ${mb(r.burstBytes)} MB burst each`,
  );
  if (n <= 8) {
    for (const b of r.mailboxes) {
      console.log(
        `  ${b.mailbox}: ${b.items} items, ${mb(b.bytesSent)} MB in ${b.seconds.toFixed(1)} s; upload allowance (burst + refill) used ${pct(b.uploadShare)}; ${b.requests} requests (${pct(b.requestShare)} of the request allowance); imports in flight mean ${b.meanInFlight.toFixed(2)}/4, peak ${b.peakInFlight}/4; 429s ${b.throttled}`,
      );
    }
  }
  const sum = (f: (b: SyncBenchMailbox) => number) => r.mailboxes.reduce((x, b) => x + f(b), 0);
  console.log(
    `  ${n} mailboxes: ${mb(sum((b) => b.bytesSent))} MB in ${r.totalSeconds.toFixed(1)} s = ${r.totalMBps.toFixed(2)} MB/s (${pct(r.totalMBps / r.emulatorMBps)} of the emulator's capacity); 429s ${sum((b) => b.throttled)}; failed mailboxes ${r.failures}`,
  );
  console.log(
    `  upload allowance used (burst included): mean ${pct(r.meanUploadShare)}, lowest ${pct(r.minUploadShare)} (target ≥ 90 %); from each mailbox's first import on ${pct(r.meanUploadShareFromFirstImport)}; imports in flight mean ${pct(r.meanConcurrencyShare)} of 4 (once the byte budget binds, fewer in flight is the service's limit, not idle budget)`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
