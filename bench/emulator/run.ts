// Emulator benchmark: requests per second over loopback HTTPS for a read+write mix (keep-alive,
// concurrent, `limits: none`) on a 1,000-user tenant, then a generated 100,000-user tenant: its
// generation time, memory, and the same mix against it. Figures: bench/emulator/README.md.
//   node dist/bench/emulator/run.js    (env: BENCH_SECONDS=5 BENCH_CONCURRENCY=32 BENCH_USERS=100000
//                                       BENCH_LICENSED=1 to license the 100,000 users, i.e. provision mailboxes)
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { Agent, fetch } from 'undici';
import { ConfidentialClientApplication } from '@azure/msal-node';

const MAIN_JS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'emulator', 'main.js');
const APP = { clientId: '3f1c2d4e-0000-4000-8000-0000000000b1', clientSecret: 'bench-secret' };

interface Started {
  url: string;
  caFile: string;
  startMs: number;
  stop(): Promise<void>;
}

async function start(config: object, work: string): Promise<Started> {
  const file = join(work, `emulator-${Date.now()}.yaml`);
  writeFileSync(file, stringify(config));
  const t0 = performance.now();
  // No --data: tenants live in memory (the CA goes to $T2T_HOME/emulator, shared by both runs).
  const child = spawn(process.execPath, ['--max-old-space-size=4096', ...(process.env.BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROF}`] : []), MAIN_JS, '--config', file, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, T2T_HOME: join(work, 'home') } });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let out = '';
  const lines = await new Promise<string[]>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const l = out.split('\n');
      if (l.length > 2) resolve(l);
    });
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
  });
  return {
    url: /listening on (\S+)/.exec(lines[0]!)![1]!,
    caFile: /CA: (.+)$/.exec(lines[1]!)![1]!,
    startMs: performance.now() - t0,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

const tenant = (units: number, extra: object = {}) => ({
  name: 'contoso',
  tenantId: 'contoso.onmicrosoft.com',
  domains: ['contoso.com'],
  apps: [{ ...APP, roles: ['User.ReadWrite.All', 'Group.ReadWrite.All', 'Directory.ReadWrite.All'] }],
  licenses: [{ sku: 'EXCHANGESTANDARD', units }],
  ...extra,
});

async function token(emu: Started, agent: Agent): Promise<string> {
  const host = new URL(emu.url).host;
  const cca = new ConfidentialClientApplication({
    auth: { clientId: APP.clientId, clientSecret: APP.clientSecret, authority: `${emu.url}/contoso.onmicrosoft.com`, knownAuthorities: [host] },
    system: {
      networkClient: {
        sendGetRequestAsync: async (url, o) => {
          const r = await fetch(url, { headers: o?.headers ?? {}, dispatcher: agent });
          return { status: r.status, headers: Object.fromEntries(r.headers), body: (await r.json()) as never };
        },
        sendPostRequestAsync: async (url, o) => {
          const r = await fetch(url, { method: 'POST', headers: o?.headers ?? {}, body: o?.body ?? '', dispatcher: agent });
          return { status: r.status, headers: Object.fromEntries(r.headers), body: (await r.json()) as never };
        },
      },
    },
  });
  const r = await cca.acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] });
  return r!.accessToken;
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

/** Run a request mix against a started emulator for BENCH_SECONDS and print requests/s. */
async function load(emu: Started, agent: Agent, mix: 'simple' | 'typical', label: string): Promise<void> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 5);
  const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);
  const auth = { authorization: `Bearer ${await token(emu, agent)}` };
  const list = (await (await fetch(`${emu.url}/v1.0/users?$select=id&$top=999`, { headers: auth, dispatcher: agent })).json()) as { value: { id: string }[] };
  const ids = list.value.map((u) => u.id);
  const kinds = { get: 0, list: 0, patch: 0 };
  const latencies: number[] = [];
  let errors = 0;
  let i = 0;
  const end = performance.now() + seconds * 1000;
  const worker = async () => {
    while (performance.now() < end) {
      const n = i++;
      const id = ids[n % ids.length]!;
      // simple: GET by id only; typical: 70 % GET by id, 10 % list a page, 20 % PATCH.
      const roll = mix === 'simple' ? 0 : n % 10;
      const t0 = performance.now();
      let r;
      if (roll < 7) {
        kinds.get++;
        r = await fetch(`${emu.url}/v1.0/users/${id}`, { headers: auth, dispatcher: agent });
      } else if (roll < 8) {
        kinds.list++;
        r = await fetch(`${emu.url}/v1.0/users?$top=10&$select=id,displayName,mail`, { headers: auth, dispatcher: agent });
      } else {
        kinds.patch++;
        r = await fetch(`${emu.url}/v1.0/users/${id}`, { method: 'PATCH', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ jobTitle: `Title ${n}` }), dispatcher: agent });
      }
      await r.arrayBuffer();
      if (r.status >= 400) errors++;
      latencies.push(performance.now() - t0);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  const total = latencies.length;
  console.log(`throughput (${mix}, ${label}): ${(total / elapsed).toFixed(0)} requests/s over ${elapsed.toFixed(1)} s, ${concurrency} keep-alive connections (target: well over 2,000/s)`);
  console.log(`  mix: ${kinds.get} GET user, ${kinds.list} list users, ${kinds.patch} PATCH user; errors: ${errors}`);
  console.log(`  latency ms: p50 ${pct(latencies, 50).toFixed(2)}, p99 ${pct(latencies, 99).toFixed(2)}, max ${latencies[total - 1]?.toFixed(2)}`);
}

const poolFor = (caFile: string) =>
  new Agent({ connect: { ca: readFileSync(caFile, 'utf8') }, connections: Number(process.env.BENCH_CONCURRENCY ?? 32), pipelining: 1, keepAliveTimeout: 30_000 });

async function throughput(work: string, mix: 'simple' | 'typical'): Promise<void> {
  const emu = await start({ tenants: [tenant(1000, { generate: { users: 1000, groups: 5, seed: 1 } })], limits: 'none' }, work);
  const agent = poolFor(emu.caFile);
  try {
    await load(emu, agent, mix, '1,000 users');
  } finally {
    await agent.close();
    await emu.stop();
  }
}

async function memory(work: string): Promise<void> {
  const users = Number(process.env.BENCH_USERS ?? 100_000);
  // Licensing provisions a mailbox per user (a licence change sweeps only the mailboxes pending
  // removal, so this is linear); off by default to keep the default run short.
  const licensed = process.env.BENCH_LICENSED === '1';
  const emu = await start({ tenants: [tenant(licensed ? users : 0, { generate: { users, groups: 10, seed: 1 } })], limits: 'none' }, work);
  const agent = poolFor(emu.caFile);
  try {
    const s = (await (await fetch(`${emu.url}/_emulator/stats`, { dispatcher: agent })).json()) as { rssBytes: number; heapUsedBytes: number; tenants: { users: number; groups: number; mailboxes: number }[] };
    const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MiB`;
    const t = s.tenants[0]!;
    console.log(`memory: ${t.users} users${licensed ? '' : ' (unlicensed)'}, ${t.groups} groups, ${t.mailboxes} mailboxes generated in ${(emu.startMs / 1000).toFixed(1)} s (start to listening)`);
    console.log(`  RSS ${mb(s.rssBytes)}, heap used ${mb(s.heapUsedBytes)} (${((s.heapUsedBytes / Math.max(1, t.users)) / 1024).toFixed(1)} KiB per user)`);
    // The same typical mix against the big tenant: list pages and lookups must not scale with it.
    await load(emu, agent, 'typical', `${t.users.toLocaleString('en-US')} users${licensed ? ', licensed' : ''}`);
  } finally {
    await agent.close();
    await emu.stop();
  }
}

export async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 't2t-bench-emu-'));
  try {
    await throughput(work, 'simple');
    await throughput(work, 'typical');
    await memory(work);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
