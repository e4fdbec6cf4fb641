// Benchmark of discovery on a 100,000-user emulated tenant (SPEC section 7: "delta pages fetched
// and stored in time linear in the objects"). Times a full discovery, then a delta discovery after
// 1 % of the users changed, and prints pages, requests, times and their ratio. The delta reads
// Exchange recipients by WhenChangedUTC (engine/discovery/recipients-read.ts), so both the users
// and the recipients it reads are the changed ones.
// Run: npm run bench -- discovery     (BENCH_DISCOVERY_USERS=20000 for a quicker run)
import { rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { startEmulator, testConfig, type RunningEmulator } from '../../test/helpers/emulator.js';
import { rawRequest } from '../../test/helpers/graph.js';
import { SECRET_ENV, writeProject } from '../../test/discovery/emulated-project.js';
import { loadProject } from '../../engine/manifest/load-project.js';
import { stateDir } from '../../engine/state/paths.js';
import { discover, loadInventory } from '../../engine/discovery/discover.js';
import type { TenantReport } from '../../engine/discovery/report.js';

export interface DiscoveryBench {
  users: number;
  full: { ms: number; pages: number; requests: number };
  delta: { ms: number; pages: number; requests: number; changed: number; updated: number; recipientsUpdated: number };
  /** Full discovery time per 1,000 users (constant when the full read is linear). */
  fullMsPer1000: number;
  warmLoadMs: number;
  /** delta time / full time: about the share of objects that changed when time is linear. */
  ratio: number;
}

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

    const [first, fullMs] = await time(() => discover(project, { env, stateDir: state, tenant: 'contoso' }));
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

    const [second, deltaMs] = await time(() => discover(project, { env, stateDir: state, tenant: 'contoso' }));
    const delta: TenantReport = second.report.tenants[0]!;
    const [, warmLoadMs] = await time(async () => {
      const inv = await loadInventory({ ...project, tenants: project.tenants.filter((t) => t.name === 'contoso') }, state);
      if (!inv) throw new Error('no cached inventory');
    });
    const result: DiscoveryBench = {
      users: full.counts.users,
      full: { ms: Math.round(fullMs), pages: full.pages, requests: full.requests },
      delta: { ms: Math.round(deltaMs), pages: delta.pages, requests: delta.requests, changed: changed.length, updated: delta.changes.users.updated, recipientsUpdated: delta.changes.recipients.updated },
      fullMsPer1000: Math.round((fullMs / Math.max(1, full.counts.users)) * 1000),
      warmLoadMs: Math.round(warmLoadMs),
      ratio: deltaMs / fullMs,
    };
    console.log(`full discovery:  ${result.users} users, ${full.counts.mailboxes} mailboxes, ${result.full.pages} pages, ${result.full.requests} requests, ${(fullMs / 1000).toFixed(2)} s (${result.fullMsPer1000} ms per 1,000 users)`);
    console.log(`delta discovery: ${changed.length} changed (${result.delta.updated} users, ${result.delta.recipientsUpdated} recipients seen), ${result.delta.pages} pages, ${result.delta.requests} requests, ${(deltaMs / 1000).toFixed(2)} s`);
    console.log(`cache load (no network): ${(warmLoadMs / 1000).toFixed(2)} s`);
    console.log(`ratio delta/full: ${result.ratio.toFixed(3)} (changed share ${(changed.length / Math.max(1, result.users)).toFixed(3)})`);
    return result;
  } finally {
    await emu.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
