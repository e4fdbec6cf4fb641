// Benchmark (SPEC section 7): "plan for a 100,000-user project from a warm cache: under 5 s and
// under 1 GiB; a no-change plan makes no write". Each run is a fresh process, so its peak RSS is
// its own:
//   planner      buildPlan over the synthetic project with its inventory already in memory
//   no-change    the real `t2t plan --offline` on a project directory whose tenants already match
//                (every user at its wave's phase): the usual scheduled or CI plan; must plan nothing
//   one-wave     the same project with one wave of 5,000 users moved to its next phase: a pull request
//   all-moving   `t2t plan --offline` when every user is in flight (a third new, a third prepared,
//                a third synced: 383,333 changes), text output
//   all-moving-json  the same with --output json (270 MiB of JSON written to a file)
//   all-moving-markdown  the same with --output markdown: the pull-request comment CI posts
// The CLI runs load and validate the manifests (waves list their members in CSV files), read the
// sharded .t2t cache (written beforehand the way discovery writes it), plan and render, node's
// start-up included. Reported as figures and as ratios to the targets (< 1 is within).
//
//   npm run bench -- plan                       T2T_BENCH_USERS=20000 for a quick run
//   T2T_BENCH_STATE_DIR=/tmp/t2t-bench keeps the written projects and caches between runs.
//   T2T_BENCH_ENGINE=/path/to/other/dist measures another build of the engine (before/after).
//   T2T_BENCH_RUNS=5 runs each CLI plan that many times (default 3): the machine's noise is
//   +-15 %, so the median is reported with the range, not one run.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PerformanceObserver } from 'node:perf_hooks';
import type { Inventory } from '../../engine/inventory/model.js';
import type { Project } from '../../engine/manifest/model.js';
import { recipientKey } from '../../engine/discovery/recipient-record.js';
import { projectUserSelect } from '../../engine/discovery/user-properties.js';
import { executableNodeOptions } from '../executable-options.js';
import { CACHE_FORMAT, flushTenantCache, openTenantCache, setCacheRowOrder } from '../../engine/discovery/tenant-cache.js';
import { tenantRowOrder, visitPositions } from '../../engine/discovery/cache-order.js';
import { STORE_FORMAT_VERSION } from '../../engine/state/sharded-store.js';
import { generateSynthetic, generateSyntheticProject } from './generate.js';
import { writeProjectFiles } from './project-files.js';

type PlanApi = typeof import('../../engine/plan/index.js');

/** The dist directory measured: this build, or the one T2T_BENCH_ENGINE names. */
function distRoot(): string {
  return process.env['T2T_BENCH_ENGINE'] ? resolve(process.env['T2T_BENCH_ENGINE']) : fileURLToPath(new URL('../../', import.meta.url));
}

const TARGET_SECONDS = 5;
const TARGET_MIB = 1024;
const NOW = '2026-06-01T12:00:00Z';

type Mode = 'planner' | 'no-change' | 'one-wave' | 'all-moving' | 'all-moving-json' | 'all-moving-markdown';

export interface PlanBenchResult {
  readonly mode: Mode;
  readonly users: number;
  /** Wall time of the run (a CLI run: from spawning node to its exit); over several runs, the
   *  median. */
  readonly seconds: number;
  /** Several runs: the fastest and the slowest. */
  readonly range?: readonly [number, number];
  readonly runs: number;
  /** CPU time of the process (all threads): steadier than wall time on a busy machine. */
  readonly cpuSeconds: number;
  /** The planner run only: GC time. */
  readonly gcSeconds?: number;
  readonly peakRssMiB: number;
  readonly changes: number;
  readonly outputMiB: number;
  readonly withinTargets: boolean;
}

const round = (n: number, d = 3) => Math.round(n * 10 ** d) / 10 ** d;
const since = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e9;

/** Writes the synthetic inventory into <stateDir>/inventory/<tenant>/ through discovery's own
 *  cache (TrackedCollection: records, digests, tenant meta), as a completed discovery leaves it. */
export async function writeCache(stateDir: string, project: Project, inventory: Inventory): Promise<void> {
  const sourceUsers = project.tenants.filter((t) => t.role === 'source').flatMap((t) => inventory.tenants[t.name]?.users ?? []);
  const positions = visitPositions(project, sourceUsers);
  for (const t of project.tenants) {
    const inv = inventory.tenants[t.name]!;
    const cache = await openTenantCache(stateDir, t.name);
    setCacheRowOrder(cache, tenantRowOrder(positions, (id) => cache.users.get(id)));
    for (const u of inv.users) cache.users.put(u.id, u);
    for (const g of inv.groups) cache.groups.put(g.id, { ...g, nestedGroupIds: [] });
    for (const r of inv.recipients) cache.recipients.put(recipientKey(r), { ...r, whenChangedUTC: '2026-05-01T00:00:00Z' });
    for (const [id, c] of inv.content) cache.content.put(id, { ...c, readAt: '2026-06-01T00:00:00Z' });
    const meta = cache.users.store;
    meta.setMeta('cacheFormat', CACHE_FORMAT);
    meta.setMeta('tenantId', t.tenantId);
    meta.setMeta('role', t.role);
    meta.setMeta('discoveredAt', inv.discoveredAt);
    meta.setMeta('usersDeltaLink', `https://graph.microsoft.com/v1.0/users/delta?$deltatoken=${t.name}`);
    meta.setMeta('userSelect', projectUserSelect(project));
    meta.setMeta('deltaTimestamp', t.discovery.deltaTimestamp ?? '');
    meta.setMeta('skus', [...inv.skus]);
    meta.setMeta('domains', [...inv.domains]);
    cache.groups.store.setMeta('deltaLink', `https://graph.microsoft.com/v1.0/groups/delta?$deltatoken=${t.name}`);
    cache.groups.store.setMeta('groupSelect', 'bench');
    await flushTenantCache(cache);
  }
}

/** Runs in a child process: buildPlan over an inventory in memory. */
async function measurePlanner(users: number): Promise<PlanBenchResult> {
  const plan = (await import(pathToFileURL(join(distRoot(), 'engine/plan/index.js')).href)) as PlanApi;
  const { project, inventory } = generateSynthetic(users);
  let gcMs = 0;
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcMs += e.duration;
  });
  await new Promise((r) => setImmediate(r));
  obs.observe({ entryTypes: ['gc'] });
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  const result = plan.buildPlan({ project, inventory, revision: { commit: null, dirty: false }, now: NOW });
  const seconds = since(start);
  const cpu = process.cpuUsage(cpuStart);
  await new Promise((r) => setTimeout(r, 10)); // gc entries arrive asynchronously
  obs.disconnect();
  const peakRssMiB = Math.round((process.resourceUsage().maxRSS * 1024) / 1048576);
  return {
    mode: 'planner',
    users,
    seconds: round(seconds),
    runs: 1,
    cpuSeconds: round((cpu.user + cpu.system) / 1e6),
    gcSeconds: round(gcMs / 1000),
    peakRssMiB,
    changes: result.changes.length,
    outputMiB: 0,
    withinTargets: seconds < TARGET_SECONDS && peakRssMiB < TARGET_MIB,
  };
}

function plannerChild(users: number): Promise<PlanBenchResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [fileURLToPath(import.meta.url), '--planner', String(users)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!) as PlanBenchResult) : reject(new Error(`bench/plan planner child exited with ${code}`))));
  });
}

/** The runs of one CLI plan summarised: the median time, the range and the highest peak RSS. */
function summarise(all: readonly PlanBenchResult[]): PlanBenchResult {
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const seconds = all.map((r) => r.seconds);
  const peakRssMiB = Math.max(...all.map((r) => r.peakRssMiB));
  const medianSeconds = median(seconds);
  return {
    ...all[0]!,
    seconds: medianSeconds,
    range: [Math.min(...seconds), Math.max(...seconds)],
    runs: all.length,
    cpuSeconds: median(all.map((r) => r.cpuSeconds)),
    peakRssMiB,
    withinTargets: medianSeconds < TARGET_SECONDS && peakRssMiB < TARGET_MIB,
  };
}

async function cliRun(mode: Mode, users: number, dir: string, args: string[], expectChanges: boolean): Promise<PlanBenchResult> {
  const usageFile = join(dir, 'usage.json');
  const outFile = join(dir, 'plan.out');
  const fd = openSync(outFile, 'w');
  const bin = join(distRoot(), 'engine/cli/bin.js');
  const start = process.hrtime.bigint();
  const code = await new Promise<number | null>((resolve, reject) => {
    const p = spawn(
      process.execPath,
      [...executableNodeOptions(bin), '--import', pathToFileURL(fileURLToPath(new URL('./report-usage.js', import.meta.url))).href, bin, 'plan', dir, '--offline', '--detailed-exitcode', ...args],
      { stdio: ['ignore', fd, 'inherit'], env: { ...process.env, T2T_BENCH_USAGE_FILE: usageFile, NO_COLOR: '1' } },
    );
    p.on('error', reject);
    p.on('close', resolve);
  });
  const seconds = since(start);
  closeSync(fd);
  // --detailed-exitcode: 2 = changes planned, 0 = none
  if (code !== (expectChanges ? 2 : 0)) throw new Error(`t2t plan (${mode}) exited with ${code}, expected ${expectChanges ? 2 : 0}; output in ${outFile}`);
  const usage = JSON.parse(readFileSync(usageFile, 'utf8')) as { maxRssKiB: number; cpuSeconds: number };
  const text = readFileSync(outFile, 'utf8');
  const changes = changeCount(text);
  const peakRssMiB = Math.round(usage.maxRssKiB / 1024);
  return {
    mode,
    users,
    seconds: round(seconds),
    runs: 1,
    cpuSeconds: round(usage.cpuSeconds),
    peakRssMiB,
    changes,
    outputMiB: round(statSync(outFile).size / 1048576, 1),
    withinTargets: seconds < TARGET_SECONDS && peakRssMiB < TARGET_MIB,
  };
}

/** Changes in a plan's output: the summary line of the text, or the summary of the JSON. */
function changeCount(text: string): number {
  const line = /Plan: (\d+) to create, (\d+) to update, (\d+) to delete, (\d+) to run\./.exec(text);
  if (line) return line.slice(1).reduce((n, x) => n + Number(x), 0);
  const json = /"summary": \{\s*"create": (\d+),\s*"update": (\d+),\s*"delete": (\d+),\s*"run": (\d+)/.exec(text);
  if (json) return json.slice(1).reduce((n, x) => n + Number(x), 0);
  return 0;
}

function line(r: PlanBenchResult): string {
  const extra = r.mode === 'planner' ? `GC ${r.gcSeconds} s; ` : `${r.outputMiB} MiB output; `;
  const time = r.range ? `median ${r.seconds} s of ${r.runs} runs (${r.range[0]} to ${r.range[1]} s)` : `${r.seconds} s`;
  return (
    `plan ${r.mode} ${r.users} users: ${time} [${extra}CPU ${r.cpuSeconds} s], peak RSS ${r.peakRssMiB} MiB, ${r.changes} changes; ` +
    `ratios: time ${round(r.seconds / TARGET_SECONDS, 2)} of ${TARGET_SECONDS} s, memory ${round(r.peakRssMiB / TARGET_MIB, 2)} of 1 GiB ${r.withinTargets ? 'OK' : 'MISSED'}`
  );
}

/** A project directory with its .t2t cache: `settled` (every user at its wave's phase) or `mixed`
 *  (every user in flight); `movedWave` changes that wave's declared phase to the next one. */
/** A cache kept by T2T_BENCH_STATE_DIR is reused only if this build would plan with it: its store
 *  format, and the user properties read for the project (writeCache leaves the meta in
 *  collection.json). Otherwise the plan would discard it, or find no usable discovery cache. */
function currentCache(cache: string, users: number): boolean {
  try {
    const head = JSON.parse(readFileSync(join(cache, 'inventory', 'fabrikam', 'users', 'collection.json'), 'utf8')) as { formatVersion?: unknown; meta?: { userSelect?: unknown } };
    return head.formatVersion === STORE_FORMAT_VERSION && head.meta?.userSelect === projectUserSelect(generateSyntheticProject(users));
  } catch {
    return false;
  }
}

async function projectDir(root: string, variant: 'mixed' | 'settled', users: number, movedWave?: number): Promise<string> {
  const cache = join(root, `cache-${variant}-${users}`);
  if (!currentCache(cache, users)) {
    await rm(cache, { recursive: true, force: true });
    const { project, inventory } = generateSynthetic(users, { settled: variant === 'settled' });
    await writeCache(cache, project, inventory);
  }
  const dir = join(root, `project-${variant}${movedWave !== undefined ? `-wave-${movedWave}-moved` : ''}-${users}`);
  if (!existsSync(join(dir, 'project.yaml'))) {
    let project = generateSyntheticProject(users);
    if (movedWave !== undefined) {
      project = { ...project, waves: project.waves.map((w, i) => (i === movedWave ? { ...w, phase: w.phase === 'prepared' ? 'synced' : 'cutover' } : w)) };
    }
    await mkdir(dir, { recursive: true });
    await writeProjectFiles(dir, project);
    await symlink(cache, join(dir, '.t2t'));
  }
  return dir;
}

export async function main(users = Number(process.env['T2T_BENCH_USERS'] ?? 100_000)): Promise<PlanBenchResult[]> {
  const keep = process.env['T2T_BENCH_STATE_DIR'];
  const root = keep ?? (await mkdtemp(join(tmpdir(), 't2t-bench-plan-')));
  process.stdout.write(
    `machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`,
  );
  const results: PlanBenchResult[] = [];
  const runs = Math.max(1, Number(process.env['T2T_BENCH_RUNS'] ?? 3));
  try {
    const report = (r: PlanBenchResult) => {
      results.push(r);
      process.stdout.write(line(r) + '\n');
    };
    report(await plannerChild(users));
    const mixed = await projectDir(root, 'mixed', users);
    const plans: { mode: Mode; dir: string; args: string[]; changes: boolean }[] = [
      { mode: 'no-change', dir: await projectDir(root, 'settled', users), args: [], changes: false },
      { mode: 'one-wave', dir: await projectDir(root, 'settled', users, 0), args: [], changes: true },
      { mode: 'all-moving', dir: mixed, args: [], changes: true },
      { mode: 'all-moving-json', dir: mixed, args: ['--output', 'json'], changes: true },
      { mode: 'all-moving-markdown', dir: mixed, args: ['--output', 'markdown'], changes: true },
    ];
    // In rounds, each plan once per round: a slow stretch of this shared machine (its speed moves
    // by up to 40 % within an hour) then falls on every plan alike instead of on one of them.
    const runsOf = plans.map((): PlanBenchResult[] => []);
    for (let round = 1; round <= runs; round++) {
      process.stderr.write(`round ${round} of ${runs}\n`);
      for (const [i, p] of plans.entries()) runsOf[i]!.push(await cliRun(p.mode, users, p.dir, p.args, p.changes));
    }
    for (const all of runsOf) report(summarise(all));
  } finally {
    if (!keep) await rm(root, { recursive: true, force: true });
  }
  return results;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  if (args[0] === '--planner') process.stdout.write(JSON.stringify(await measurePlanner(Number(args[1]))) + '\n');
  else await main();
}
