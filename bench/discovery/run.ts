// Benchmark of discovery on a 100,000-user emulated tenant (SPEC section 7: "delta pages fetched
// and stored in time linear in the objects"). Times a full discovery, then a delta discovery after
// 1 % of the users changed, and prints pages, requests, times and their ratio. The delta reads
// Exchange recipients by WhenChangedUTC (engine/discovery/recipients-read.ts), so both the users
// and the recipients it reads are the changed ones.
// Run: npm run bench -- discovery     (BENCH_DISCOVERY_USERS=20000 for a quicker run)
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startEmulator, testConfig, type RunningEmulator } from '../../test/helpers/emulator.js';
import { rawRequest } from '../../test/helpers/graph.js';
import { SECRET_ENV, writeProject } from '../../test/discovery/emulated-project.js';
import { loadProject } from '../../engine/manifest/load-project.js';
import { stateDir, statePaths } from '../../engine/state/paths.js';
import { discover, loadInventory } from '../../engine/discovery/discover.js';
import type { TenantReport } from '../../engine/discovery/report.js';
import { openTenantCache } from '../../engine/discovery/tenant-cache.js';

export interface DiscoveryBench {
  users: number;
  full: { ms: number; pages: number; requests: number };
  delta: { ms: number; pages: number; requests: number; changed: number; updated: number; recipientsUpdated: number };
  /** Full discovery time per 1,000 users (constant when the full read is linear). */
  fullMsPer1000: number;
  warmLoadMs: number;
  /** What the delta wrote to the local cache: files created, rewritten or appended to, and their
   *  new bytes (a rewritten file counts whole, an appended one by its growth). */
  deltaCacheWrites: { files: number; bytes: number; cacheBytes: number };
  /** The cache alone, as a delta uses it: opening it for writing, and flushing 1 % of the users
   *  and of the recipients put again (no network, no discovery). */
  cacheOnly: { openMs: number; flushMs: number; flushBytes: number; flushFiles: number };
  /** delta time / full time: about the share of objects that changed when time is linear. */
  ratio: number;
}

/** Every file of the cache: its identity (a rename gives a new inode) and size. */
function snapshot(dir: string): Map<string, { ino: number; mtimeMs: number; size: number }> {
  const files = new Map<string, { ino: number; mtimeMs: number; size: number }>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const s = statSync(p);
        files.set(p, { ino: s.ino, mtimeMs: s.mtimeMs, size: s.size });
      }
    }
  };
  walk(dir);
  return files;
}

function writesBetween(before: ReturnType<typeof snapshot>, after: ReturnType<typeof snapshot>): { files: number; bytes: number; cacheBytes: number } {
  let files = 0;
  let bytes = 0;
  let cacheBytes = 0;
  for (const [p, a] of after) {
    cacheBytes += a.size;
    const b = before.get(p);
    if (b && b.ino === a.ino && b.mtimeMs === a.mtimeMs && b.size === a.size) continue;
    files++;
    bytes += b && b.ino === a.ino && a.size >= b.size ? a.size - b.size : a.size; // appended, or rewritten
  }
  for (const p of before.keys()) if (!after.has(p)) files++; // removed
  return { files, bytes, cacheBytes };
}

const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;

async function time<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const r = await fn();
  return [r, performance.now() - t0];
}

/** Users the emulator's generator did not make are created through Graph $batch (20 a request,
 *  4 requests at a time), exactly as a client would. Returns how many were created. */
async function fillUsers(emu: RunningEmulator, wanted: number): Promise<number> {
  const count = await rawRequest(emu, 'contoso', 'GET', '/v1.0/users/$count', undefined, { ConsistencyLevel: 'eventual' });
  const have = Number(typeof count.body === 'number' ? count.body : count.text);
  const missing = Math.max(0, wanted - (Number.isFinite(have) ? have : 0));
  let next = 0;
  const worker = async () => {
    while (next < missing) {
      const start = next;
      next += 20;
      const requests = Array.from({ length: Math.min(20, missing - start) }, (_, n) => {
        const i = start + n;
        return {
          id: String(n),
          method: 'POST',
          url: '/users',
          headers: { 'Content-Type': 'application/json' },
          body: { accountEnabled: true, displayName: `Bench User ${i}`, mailNickname: `bench${i}`, userPrincipalName: `bench${i}@contoso.com`, employeeId: String(100000 + i), department: `Dept ${i % 40}`, passwordProfile: { password: 'P@ssw0rd-123456' } },
        };
      });
      const r = await rawRequest(emu, 'contoso', 'POST', '/v1.0/$batch', { requests });
      if (r.status !== 200) throw new Error(`$batch: ${r.status} ${r.text.slice(0, 200)}`);
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return missing;
}

export async function main(): Promise<DiscoveryBench> {
  const users = Number(process.env.BENCH_DISCOVERY_USERS ?? 100_000);
  const config = testConfig();
  const tenants = config.tenants as Array<Record<string, unknown>>;
  tenants[0]!.generate = { users, groups: 50, mailboxItems: 0, archiveItems: 0, driveItems: 0, seed: 7 };
  tenants[0]!.licenses = [{ sku: 'SPE_E3', units: users + 10 }];
  const [emu, startMs] = await time(() => startEmulator(config));
  const dir = writeProject(emu, { users: [], groups: [] });
  const env = { ...process.env, ...SECRET_ENV };
  try {
    const loaded = await loadProject(dir);
    if (!loaded.project) throw new Error('the bench project is invalid');
    const project = loaded.project;
    const state = stateDir(dir, env);
    console.log(`emulator started in ${(startMs / 1000).toFixed(1)} s`);
    const [created, fillMs] = await time(() => fillUsers(emu, users));
    if (created) console.log(`the generator left ${created} users to create: created through $batch in ${(fillMs / 1000).toFixed(1)} s`);

    // The generated objects are as old as the emulator; a live tenant's are mostly older than the
    // recipients' replication margin (30 min): move the clock past it, else the first delta's
    // WhenChangedUTC filter would return every recipient created within the margin of the sweep.
    const clock = await rawRequest(emu, null, 'POST', '/_emulator/clock', { advanceMs: 2 * 3_600_000 });
    if (clock.status !== 200) throw new Error(`clock: ${clock.status} ${clock.text}`);

    const fullCpu = process.cpuUsage();
    const [first, fullMs] = await time(() => discover(project, { env, stateDir: state, tenant: 'contoso' }));
    const fullCpuMs = cpuMs(process.cpuUsage(fullCpu));
    const full = first.report.tenants[0]!;
    if (full.counts.users < users) console.log(`note: the emulator generated ${full.counts.users} users, not ${users}`);

    // Change 1 % of the users through Graph ($batch, 20 PATCHes a request).
    const ids = first.inventory.tenants.contoso!.users.map((u) => u.id);
    const step = Math.max(1, Math.floor(ids.length / Math.max(1, Math.round(ids.length / 100))));
    const changed = ids.filter((_, i) => i % step === 0);
    for (let i = 0; i < changed.length; i += 20) {
      const requests = changed.slice(i, i + 20).map((id, n) => ({ id: String(n), method: 'PATCH', url: `/users/${id}`, headers: { 'Content-Type': 'application/json' }, body: { jobTitle: `Changed ${i + n}` } }));
      const r = await rawRequest(emu, 'contoso', 'POST', '/v1.0/$batch', { requests });
      if (r.status !== 200) throw new Error(`$batch: ${r.status} ${r.text.slice(0, 200)}`);
    }

    const cacheBefore = snapshot(statePaths.inventory(state));
    const deltaCpu = process.cpuUsage();
    const [second, deltaMs] = await time(() => discover(project, { env, stateDir: state, tenant: 'contoso' }));
    const deltaCpuMs = cpuMs(process.cpuUsage(deltaCpu));
    const deltaCacheWrites = writesBetween(cacheBefore, snapshot(statePaths.inventory(state)));
    const delta: TenantReport = second.report.tenants[0]!;
    const [, warmLoadMs] = await time(async () => {
      const inv = await loadInventory({ ...project, tenants: project.tenants.filter((t) => t.name === 'contoso') }, state);
      if (!inv) throw new Error('no cached inventory');
    });
    const [cache, openMs] = await time(() => openTenantCache(state, 'contoso'));
    for (const c of [cache.users.store, cache.recipients.store] as const) {
      const keys = [...c.keys()];
      for (let i = 0; i < keys.length; i += 100) c.put(keys[i]!, { ...(c.get(keys[i]!) as object) } as never);
    }
    const [flushed, flushMs] = await time(() => Promise.all([cache.users.store.flush(), cache.recipients.store.flush()]));
    const cacheOnly = {
      openMs: Math.round(openMs),
      flushMs: Math.round(flushMs),
      flushBytes: flushed.reduce((n, r) => n + r.bytesWritten, 0),
      flushFiles: flushed.reduce((n, r) => n + r.filesWritten, 0),
    };
    const result: DiscoveryBench = {
      users: full.counts.users,
      full: { ms: Math.round(fullMs), pages: full.pages, requests: full.requests },
      delta: { ms: Math.round(deltaMs), pages: delta.pages, requests: delta.requests, changed: changed.length, updated: delta.changes.users.updated, recipientsUpdated: delta.changes.recipients.updated },
      fullMsPer1000: Math.round((fullMs / Math.max(1, full.counts.users)) * 1000),
      warmLoadMs: Math.round(warmLoadMs),
      deltaCacheWrites,
      cacheOnly,
      ratio: deltaMs / fullMs,
    };
    console.log(`full discovery:  ${result.users} users, ${full.counts.mailboxes} mailboxes, ${result.full.pages} pages, ${result.full.requests} requests, ${(fullMs / 1000).toFixed(2)} s (${result.fullMsPer1000} ms per 1,000 users; t2t's own CPU ${(fullCpuMs / 1000).toFixed(2)} s, ${Math.round((fullCpuMs / Math.max(1, result.users)) * 1000)} ms per 1,000 users; the rest is the emulator)`);
    console.log(`delta discovery: ${changed.length} changed (${result.delta.updated} users, ${result.delta.recipientsUpdated} recipients seen), ${result.delta.pages} pages, ${result.delta.requests} requests, ${(deltaMs / 1000).toFixed(2)} s (t2t's own CPU ${(deltaCpuMs / 1000).toFixed(2)} s)`);
    const mb = (n: number) => (n / 1024 / 1024).toFixed(2);
    console.log(`delta cache writes: ${deltaCacheWrites.files} files, ${mb(deltaCacheWrites.bytes)} MiB written (the cache holds ${mb(deltaCacheWrites.cacheBytes)} MiB)`);
    console.log(`cache load (no network): ${(warmLoadMs / 1000).toFixed(2)} s`);
    console.log(`cache alone: open for writing ${(openMs / 1000).toFixed(2)} s; flush of 1 % of users and recipients ${(flushMs / 1000).toFixed(2)} s (${cacheOnly.flushFiles} files, ${mb(cacheOnly.flushBytes)} MiB)`);
    console.log(`ratio delta/full: ${result.ratio.toFixed(3)} (changed share ${(changed.length / Math.max(1, result.users)).toFixed(3)})`);
    return result;
  } finally {
    await emu.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
