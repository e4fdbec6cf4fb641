// Benchmark of apply (SPEC section 7): prepare N users (default 10,000) against the emulator's
// default limits, time-scaled, and report the share of the allowed directory write budget used,
// failed users and duplicates. The service's write budget is a bucket of 3,000 writes per app and
// tenant that starts full and refills at 3,000 per 150 s (both windows scaled by timeScale), so
// over T seconds it allows 3,000 + rate x T writes: the share is writes / that (the plain rate
// ratio, writes/s / rate, is shown too; it exceeds 100 % on runs short enough to live on the
// initial 3,000). Content sync is
// benchmarked in bench/sync.
// Run: npm run bench -- apply     (BENCH_APPLY_USERS=1000 BENCH_APPLY_TIMESCALE=0.05 to tune; the
// default 0.2 keeps the emulator itself below its ceiling at 10,000 users, see README.md)
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { startEmulator, testConfig, type RunningEmulator } from '../../test/helpers/emulator.js';
import { emulatedTenantYaml } from '../../test/discovery/emulated-project.js';
import { rawRequest, tenantAuthority } from '../../test/helpers/graph.js';
import { loadProject } from '../../engine/manifest/load-project.js';
import { runApply } from '../../engine/apply/run-apply.js';
import { Probe, type ProbeReport } from './probe.js';
import { Session } from 'node:inspector';

export interface ApplyBench {
  users: number;
  changes: number;
  seconds: number;
  directoryWrites: number;
  exchangeWrites: number;
  allowedWritesPerSecond: number;
  achievedWritesPerSecond: number;
  /** Writes / (3,000 + rate x seconds): the share of what the service allowed in that time. */
  budgetShare: number;
  /** Writes per second / rate (above 1 when the initial bucket carried the run). */
  rateShare: number;
  /** Responses 429 t2t saw (direct requests; inner $batch answers are not seen here). */
  throttled: number;
  failedUsers: number;
  duplicates: number;
  /** Requests t2t sent during execution, by kind and status; in flight; CPU of both processes. */
  probe: ProbeReport;
  /** Mean milliseconds per step, by op. */
  stepMs: Record<string, number>;
}

async function listAddresses(emu: RunningEmulator, tenant: string): Promise<string[]> {
  const out: string[] = [];
  let next: string | undefined = '/v1.0/users?$select=userPrincipalName,mail&$top=999';
  while (next) {
    const r = await rawRequest(emu, tenant, 'GET', next);
    if (r.status === 429) {
      await new Promise((res) => setTimeout(res, 200));
      continue;
    }
    if (r.status !== 200) throw new Error(`GET users: ${r.status} ${r.text.slice(0, 200)}`);
    for (const u of r.body.value as { userPrincipalName: string; mail: string | null }[]) out.push((u.mail ?? u.userPrincipalName).toLowerCase());
    const link = r.body['@odata.nextLink'] as string | undefined;
    next = link ? link.slice(emu.url.length) : undefined;
  }
  return out;
}

/** Every mail contact of the tenant (Get-MailContact through the admin API, following nextLinks). */
async function listContacts(emu: RunningEmulator, tenant: string): Promise<{ tag: string; address: string }[]> {
  const out: { tag: string; address: string }[] = [];
  const body = { CmdletInput: { CmdletName: 'Get-MailContact', Parameters: { ResultSize: 'Unlimited' } } };
  let next: string | undefined = `/adminapi/beta/${tenantAuthority(tenant)}/InvokeCommand`;
  while (next) {
    const r = await rawRequest(emu, tenant, 'POST', next, body);
    if (r.status === 429) {
      await new Promise((res) => setTimeout(res, 200));
      continue;
    }
    if (r.status !== 200) throw new Error(`Get-MailContact: ${r.status} ${r.text.slice(0, 200)}`);
    for (const c of r.body.value as { CustomAttribute15?: string | null; ExternalEmailAddress?: string | null }[]) {
      out.push({ tag: c.CustomAttribute15 ?? '', address: (c.ExternalEmailAddress ?? '').replace(/^smtp:/i, '').toLowerCase() });
    }
    const link = r.body['@odata.nextLink'] as string | undefined;
    next = link ? link.slice(link.indexOf('/adminapi/')) : undefined;
  }
  return out;
}

/** Groups with more than one member: how many keys, and how many extra objects. */
function extras(keys: string[]): number {
  return keys.length - new Set(keys).size;
}

function writeProject(emu: RunningEmulator, addresses: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 't2t-bench-apply-'));
  const tenant = (name: string, role: string) => emulatedTenantYaml(emu, name, role, 'BENCH_SECRET');
  writeFileSync(
    join(dir, 'project.yaml'),
    `apiVersion: t2t.dev/v1
kind: Project
metadata:
  name: bench-apply
spec:
  tenants:
${tenant('contoso', 'source')}${tenant('fabrikam', 'target')}  domains:
    - { source: contoso.com, target: fabrikam.com }
  matching:
    - { source: mail, target: mail, mapDomain: true }
  attributes:
    - { target: userPrincipalName, from: userPrincipalName, transform: [mapDomain, lower] }
    - { target: displayName, from: displayName }
  profiles:
    standard:
      createAs: member
      workloads: []
  safety:
    maxFailureRate: 1
`,
  );
  mkdirSync(join(dir, 'waves'));
  writeFileSync(join(dir, 'waves', 'bench.csv'), `user\n${addresses.join('\n')}\n`);
  writeFileSync(join(dir, 'waves', 'bench.yaml'), `apiVersion: t2t.dev/v1
kind: Wave
metadata:
  name: bench
spec:
  profile: standard
  phase: prepared
  members:
    csv: waves/bench.csv
`);
  const git = (...a: string[]) => execFileSync('git', a, { cwd: dir, env: { ...process.env, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@x', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@x' } });
  git('init', '-q');
  git('add', '-A');
  git('commit', '-q', '-m', 'bench');
  return dir;
}

export async function main(): Promise<ApplyBench> {
  const users = Number(process.env.BENCH_APPLY_USERS ?? 10_000);
  const timeScale = Number(process.env.BENCH_APPLY_TIMESCALE ?? 0.2);
  const config = testConfig({ limits: { timeScale } }) as { tenants: Record<string, unknown>[] };
  config.tenants[0]!['generate'] = { users, groups: 0, mailboxItems: 0, archiveItems: 0, driveItems: 0, seed: 11 };
  // BENCH_APPLY_EMULATOR_PROF=DIR: a CPU profile of the emulator process (where its time goes)
  const prof = process.env.BENCH_APPLY_EMULATOR_PROF;
  const preload = new URL('./cpu-profile-preload.js', import.meta.url).href;
  if (prof) mkdirSync(prof, { recursive: true });
  const emu = await startEmulator(config, prof ? { env: { NODE_OPTIONS: `--import=${preload}`, BENCH_APPLY_EMULATOR_PROF: prof } } : {});
  let dir: string | undefined;
  try {
    const addresses = (await listAddresses(emu, 'contoso')).slice(0, users);
    dir = writeProject(emu, addresses);
    const project = (await loadProject(dir)).project!;
    let directoryWrites = 0;
    let exchangeWrites = 0;
    let first = 0;
    let last = 0;
    let changes = 0;
    const probe = new Probe(emu.child.pid);
    let report: ProbeReport | undefined;
    const stepTime = new Map<string, { n: number; ms: number }>();
    // BENCH_APPLY_PROF=DIR: a CPU profile of t2t during execution only (not discovery and plan)
    const profDir = process.env.BENCH_APPLY_PROF;
    const session = profDir ? new Session() : undefined;
    const profile = (what: 'start' | 'stop') => {
      if (!session || !profDir) return;
      if (what === 'start') {
        session.connect();
        session.post('Profiler.enable');
        session.post('Profiler.start');
      } else {
        session.post('Profiler.stop', (err, r) => {
          if (err) return;
          mkdirSync(profDir, { recursive: true });
          writeFileSync(join(profDir, `apply-${process.pid}.cpuprofile`), JSON.stringify(r.profile));
        });
      }
    };
    const outcome = await runApply(project, {
      env: { ...process.env, BENCH_SECRET: 'dev-secret' },
      signal: new AbortController().signal,
      autoApprove: true,
      concurrency: Number(process.env.BENCH_APPLY_CONCURRENCY ?? 64),
      io: { stdin: Object.assign(new PassThrough(), { isTTY: false }), stderr: new PassThrough() },
      onWrite: (w) => {
        if (w.method === 'CMDLET') exchangeWrites++;
        else {
          directoryWrites++;
          probe.writes++;
        }
      },
      onEvent: (e, plan) => {
        if (e.type === 'change.start' && !first) {
          first = performance.now();
          probe.start();
          profile('start');
        }
        if (e.type === 'change.end') {
          last = performance.now();
          changes++;
          probe.changes++;
          const s = stepTime.get(e.change.op) ?? { n: 0, ms: 0 };
          s.n++;
          s.ms += e.result.durationMs ?? 0;
          stepTime.set(e.change.op, s);
          if (changes === plan.changes.length) {
            report = probe.stop();
            profile('stop');
          }
        }
      },
    });
    const seconds = (last - first) / 1000;
    // published limit: 3,000 writes per 150 s per app and tenant, every window scaled by timeScale
    const allowed = 3000 / 150 / timeScale;
    const allowedWrites = 3000 + allowed * seconds;
    const achieved = directoryWrites / Math.max(seconds, 1e-9);
    // duplicates, through the emulator's API: target users per address (one per source user),
    // and t2t's contacts per source user (its tag) and per external address (the source address)
    const targets = await listAddresses(emu, 'fabrikam');
    const contacts = (await listContacts(emu, 'fabrikam')).filter((c) => c.tag.startsWith('t2t:'));
    const sources = new Set(addresses.map((a) => a.toLowerCase()));
    const contactAddresses = new Set(contacts.map((c) => c.address));
    const missingContacts = [...sources].filter((a) => !contactAddresses.has(a)).length;
    const duplicates = extras(targets) + extras(contacts.map((c) => c.tag)) + extras(contacts.map((c) => c.address));
    console.log(`target users: ${targets.length}; t2t contacts: ${contacts.length} for ${sources.size} source users (${missingContacts} missing); extra users per address ${extras(targets)}, extra contacts per source user ${extras(contacts.map((c) => c.tag))}, per address ${extras(contacts.map((c) => c.address))}`);
    const result: ApplyBench = {
      users: addresses.length,
      changes,
      seconds: Number(seconds.toFixed(1)),
      directoryWrites,
      exchangeWrites,
      allowedWritesPerSecond: Number(allowed.toFixed(1)),
      achievedWritesPerSecond: Number(achieved.toFixed(1)),
      budgetShare: Number((directoryWrites / allowedWrites).toFixed(3)),
      rateShare: Number((achieved / allowed).toFixed(3)),
      throttled: report?.byStatus['429'] ?? 0,
      failedUsers: outcome.exec?.users.failed ?? 0,
      duplicates,
      probe: report ?? probe.stop(),
      stepMs: Object.fromEntries([...stepTime].map(([op, s]) => [op, Math.round(s.ms / s.n)])),
    };
    console.log(`prepare of ${result.users} users: ${result.changes} changes in ${result.seconds} s (result ${outcome.result})`);
    console.log(`directory writes: ${directoryWrites} of ${Math.round(allowedWrites)} allowed in ${result.seconds} s (3,000 + ${result.allowedWritesPerSecond}/s at timeScale ${timeScale}): ${(result.budgetShare * 100).toFixed(1)} % of the write budget (target >= 90 %); ${result.achievedWritesPerSecond}/s = ${(result.rateShare * 100).toFixed(1)} % of the rate; 429s: ${result.throttled}`);
    const p = result.probe;
    const perUser = (n: number) => (n / Math.max(1, result.users)).toFixed(2);
    console.log(`requests: ${p.requests} (${perUser(p.requests)} per user); statuses ${JSON.stringify(p.byStatus)}`);
    for (const [k, n] of Object.entries(p.byKind)) console.log(`  ${k.padEnd(48)} ${String(n).padStart(7)}  ${perUser(n)}/user`);
    console.log(`in flight: mean ${p.inFlightMean} (Exchange ${p.exchangeInFlightMean}), peak ${p.inFlightPeak}; CPU share over ${p.cpu.seconds} s: t2t ${p.cpu.benchCpuShare}, emulator ${p.cpu.emulatorCpuShare} (2 cores = 2.0)`);
    const ms = (s: number | null) => (s === null ? '?' : ((s * 1000) / Math.max(1, result.users)).toFixed(2));
    console.log(`CPU per user: t2t ${ms(p.cpu.benchCpuSeconds)} ms, emulator ${ms(p.cpu.emulatorCpuSeconds)} ms (machine load average ${loadavg()[0]!.toFixed(1)})`);
    console.log(`mean ms per step: ${JSON.stringify(result.stepMs)}`);
    if (process.env.BENCH_APPLY_TIMELINE) for (const s of p.timeline) console.log(`  t=${s.t}s in-flight=${s.inFlight} exchange=${s.exchangeInFlight} writes=${s.writes} changes=${s.changes}`);
    console.log(`exchange writes: ${exchangeWrites}; failed users: ${result.failedUsers} (target 0); duplicates: ${duplicates} (target 0)`);
    return result;
  } finally {
    await emu.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
