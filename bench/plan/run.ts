// Benchmark (SPEC section 7): "plan for a 100,000-user project from a warm cache: under 5 s and
// under 1 GiB; a no-change plan makes no write". Three measurements, each in a fresh child process
// so its peak RSS is its own:
//   planner     buildPlan over the synthetic project with its inventory already in memory
//   end-to-end  what `t2t plan --offline --output json` does: loadInventory from the sharded .t2t
//               cache (written beforehand the way discovery writes it), buildPlan, renderPlanJson
//   streamed    end to end, the JSON written to a file chunk by chunk (planJsonChunks) instead of
//               rendered as one string: what `plan --out` / `--output json` can do to keep memory flat
//   no-change   the same end to end over a settled inventory: the plan must have zero changes
// Reported as figures and as ratios to the targets (< 1 is within).
//
//   npm run bench -- plan                       T2T_BENCH_USERS=20000 for a quick run
//   T2T_BENCH_STATE_DIR=/tmp/t2t-bench keeps the written caches between runs (they take a while).
//   T2T_BENCH_ENGINE=/path/to/other/dist measures another build of the engine (before/after).
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PerformanceObserver } from 'node:perf_hooks';
import type { Inventory } from '../../engine/inventory/model.js';
import type { Project } from '../../engine/manifest/model.js';
import { recipientKey } from '../../engine/discovery/recipient-record.js';
import { CACHE_FORMAT, flushTenantCache, openTenantCache } from '../../engine/discovery/tenant-cache.js';
import { generateSynthetic, generateSyntheticProject } from './generate.js';

type Discovery = typeof import('../../engine/discovery/discover.js');
type PlanApi = typeof import('../../engine/plan/index.js');

/** The engine measured: this build, or the one T2T_BENCH_ENGINE names (a dist directory). */
async function engine(): Promise<{ loadInventory: Discovery['loadInventory'] } & Pick<PlanApi, 'buildPlan' | 'renderPlanJson'> & Partial<Pick<PlanApi, 'planJsonChunks'>>> {
  const root = process.env['T2T_BENCH_ENGINE'] ? pathToFileURL(resolve(process.env['T2T_BENCH_ENGINE']) + '/').href : new URL('../../', import.meta.url).href;
  const discovery = (await import(new URL('engine/discovery/discover.js', root).href)) as Discovery;
  const plan = (await import(new URL('engine/plan/index.js', root).href)) as PlanApi;
  return { loadInventory: discovery.loadInventory, buildPlan: plan.buildPlan, renderPlanJson: plan.renderPlanJson, planJsonChunks: plan.planJsonChunks };
}

const TARGET_SECONDS = 5;
const TARGET_MIB = 1024;
const NOW = '2026-06-01T12:00:00Z';

type Mode = 'planner' | 'end-to-end' | 'streamed' | 'no-change';

export interface PlanBenchResult {
  readonly mode: Mode;
  readonly users: number;
  /** Wall time of what the mode measures (load + plan + render end to end). */
  readonly seconds: number;
  /** CPU time of the process over the same span (all threads): steadier than wall time on a busy machine. */
  readonly cpuSeconds: number;
  readonly loadSeconds: number;
  readonly planSeconds: number;
  readonly renderSeconds: number;
  readonly gcSeconds: number;
  readonly peakRssMiB: number;
  readonly changes: number;
  readonly jsonMiB: number;
  readonly withinTargets: boolean;
}

const round = (n: number, d = 3) => Math.round(n * 10 ** d) / 10 ** d;
const since = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e9;

/** Writes the synthetic inventory into <stateDir>/inventory/<tenant>/ through discovery's own
 *  cache (TrackedCollection: records, digests, tenant meta), as a completed discovery leaves it. */
export async function writeCache(stateDir: string, project: Project, inventory: Inventory): Promise<void> {
  for (const t of project.tenants) {
    const inv = inventory.tenants[t.name]!;
    const cache = await openTenantCache(stateDir, t.name);
    for (const u of inv.users) cache.users.put(u.id, u);
    for (const g of inv.groups) cache.groups.put(g.id, { ...g, nestedGroupIds: [] });
    for (const r of inv.recipients) cache.recipients.put(recipientKey(r), { ...r, whenChangedUTC: '2026-05-01T00:00:00Z' });
    for (const [id, c] of Object.entries(inv.content)) cache.content.put(id, { ...c, readAt: '2026-06-01T00:00:00Z' });
    const meta = cache.users.store;
    meta.setMeta('cacheFormat', CACHE_FORMAT);
    meta.setMeta('tenantId', t.tenantId);
    meta.setMeta('role', t.role);
    meta.setMeta('discoveredAt', inv.discoveredAt);
    meta.setMeta('usersDeltaLink', `https://graph.microsoft.com/v1.0/users/delta?$deltatoken=${t.name}`);
    meta.setMeta('userSelect', 'bench');
    meta.setMeta('deltaTimestamp', '');
    meta.setMeta('skus', [...inv.skus]);
    meta.setMeta('domains', [...inv.domains]);
    cache.groups.store.setMeta('deltaLink', `https://graph.microsoft.com/v1.0/groups/delta?$deltatoken=${t.name}`);
    cache.groups.store.setMeta('groupSelect', 'bench');
    await flushTenantCache(cache);
  }
}

/** Runs in the child: the measured work of one mode. */
async function measure(mode: Mode, users: number, stateDir: string | undefined): Promise<PlanBenchResult | null> {
  const { loadInventory, buildPlan, renderPlanJson, planJsonChunks } = await engine();
  if (mode === 'streamed' && !planJsonChunks) return null; // an older build without it
  let gcMs = 0;
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcMs += e.duration;
  });
  obs.observe({ entryTypes: ['gc'] });
  let project: Project;
  let inventory: Inventory | undefined;
  let loadSeconds = 0;
  if (mode === 'planner') {
    ({ project, inventory } = generateSynthetic(users));
    gcMs = 0;
  } else {
    project = generateSyntheticProject(users);
  }
  await new Promise((r) => setImmediate(r));
  gcMs = 0;
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  if (!inventory) {
    inventory = await loadInventory(project, stateDir!);
    if (!inventory) throw new Error(`no usable cache in ${stateDir}`);
    loadSeconds = since(start);
  }
  const planStart = process.hrtime.bigint();
  const plan = buildPlan({ project, inventory, revision: { commit: null, dirty: false }, now: NOW });
  const planSeconds = since(planStart);
  let renderSeconds = 0;
  let jsonMiB = 0;
  if (mode === 'streamed') {
    const renderStart = process.hrtime.bigint();
    const file = join(stateDir!, 'plan.json');
    const fd = openSync(file, 'w');
    try {
      for (const chunk of planJsonChunks!(plan)) jsonMiB += writeSync(fd, chunk) / 1048576;
    } finally {
      closeSync(fd);
      unlinkSync(file);
    }
    renderSeconds = since(renderStart);
  } else if (mode !== 'planner') {
    const renderStart = process.hrtime.bigint();
    jsonMiB = Buffer.byteLength(renderPlanJson(plan)) / 1048576;
    renderSeconds = since(renderStart);
  }
  const seconds = since(start);
  const cpu = process.cpuUsage(cpuStart);
  await new Promise((r) => setTimeout(r, 10)); // gc entries arrive asynchronously
  obs.disconnect();
  const peakRssMiB = Math.round((process.resourceUsage().maxRSS * 1024) / 1048576);
  if (mode === 'no-change' && plan.changes.length !== 0) throw new Error(`the settled project planned ${plan.changes.length} changes (expected none)`);
  return {
    mode,
    users,
    seconds: round(seconds),
    cpuSeconds: round((cpu.user + cpu.system) / 1e6),
    loadSeconds: round(loadSeconds),
    planSeconds: round(planSeconds),
    renderSeconds: round(renderSeconds),
    gcSeconds: round(gcMs / 1000),
    peakRssMiB,
    changes: plan.changes.length,
    jsonMiB: round(jsonMiB, 1),
    withinTargets: seconds < TARGET_SECONDS && peakRssMiB < TARGET_MIB,
  };
}

function child(mode: Mode, users: number, stateDir?: string): Promise<PlanBenchResult | null> {
  return new Promise((resolve, reject) => {
    const args = [fileURLToPath(import.meta.url), '--child', mode, String(users), ...(stateDir ? [stateDir] : [])];
    const p = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => {
      if (code !== 0) return reject(new Error(`bench/plan ${mode} child exited with ${code}`));
      resolve(JSON.parse(out.trim().split('\n').pop()!) as PlanBenchResult | null);
    });
  });
}

function line(r: PlanBenchResult): string {
  const parts =
    r.mode === 'planner'
      ? `plan ${r.planSeconds} s`
      : `load ${r.loadSeconds} s + plan ${r.planSeconds} s + render ${r.renderSeconds} s (${r.jsonMiB} MiB JSON)`;
  return (
    `plan ${r.mode} ${r.users} users: ${r.seconds} s [${parts}; GC ${r.gcSeconds} s; CPU ${r.cpuSeconds} s], peak RSS ${r.peakRssMiB} MiB, ${r.changes} changes; ` +
    `ratios: time ${round(r.seconds / TARGET_SECONDS, 2)} of ${TARGET_SECONDS} s, memory ${round(r.peakRssMiB / TARGET_MIB, 2)} of 1 GiB ${r.withinTargets ? 'OK' : 'MISSED'}`
  );
}

async function cacheDir(root: string, variant: 'mixed' | 'settled', users: number): Promise<string> {
  const dir = join(root, `${variant}-${users}`);
  if (existsSync(join(dir, 'inventory', 'fabrikam', 'users', 'collection.json'))) return dir;
  const { project, inventory } = generateSynthetic(users, { settled: variant === 'settled' });
  await writeCache(dir, project, inventory);
  return dir;
}

export async function main(users = Number(process.env['T2T_BENCH_USERS'] ?? 100_000)): Promise<PlanBenchResult[]> {
  const keep = process.env['T2T_BENCH_STATE_DIR'];
  const root = keep ?? (await mkdtemp(join(tmpdir(), 't2t-bench-plan-')));
  process.stdout.write(
    `machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`,
  );
  const results: PlanBenchResult[] = [];
  try {
    const report = (r: PlanBenchResult | null) => {
      if (!r) return;
      results.push(r);
      process.stdout.write(line(r) + '\n');
    };
    report(await child('planner', users));
    const mixed = await cacheDir(root, 'mixed', users);
    report(await child('end-to-end', users, mixed));
    report(await child('streamed', users, mixed));
    report(await child('no-change', users, await cacheDir(root, 'settled', users)));
  } finally {
    if (!keep) await rm(root, { recursive: true, force: true });
  }
  return results;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    const r = await measure(args[1] as Mode, Number(args[2]), args[3]);
    process.stdout.write(JSON.stringify(r) + '\n');
  } else {
    await main();
  }
}
