// The `t2t` executable as npm installs it: its #! line starts node with heap options, which must be
// options node accepts (a typo there would break every command) and must reach node as separate
// arguments (env -S), the way bench/plan runs it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { executableNodeOptions } from '../../bench/executable-options.js';
import { generateSynthetic } from '../../bench/plan/generate.js';
import { writeProjectFiles } from '../../bench/plan/project-files.js';
import { writeCache } from '../../bench/plan/run.js';
import { runCli } from '../helpers/cli.js';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'engine', 'cli', 'bin.js');

test('the #! line passes node options through env -S', () => {
  const options = executableNodeOptions(BIN);
  assert.ok(options.length > 0, 'heap options on the #! line');
  for (const o of options) assert.match(o, /^--[a-z-]+=\d+$/);
});

test('node accepts those options and runs the command with them', () => {
  const r = spawnSync(process.execPath, [...executableNodeOptions(BIN), BIN, '--version'], { encoding: 'utf8' });
  assert.is(r.stderr, '');
  assert.is(r.status, 0);
  assert.match(r.stdout, /^t2t \d+\.\d+\.\d+\n$/);
});

/** A bench project of `users` users in flight, with its discovery cache, in a temp directory. */
async function projectInFlight(users: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 't2t-executable-'));
  const { project, inventory } = generateSynthetic(users, { settled: false });
  await writeProjectFiles(dir, project);
  await writeCache(join(dir, '.t2t'), project, inventory);
  return dir;
}

/** Runs `t2t plan DIR --offline --detailed-exitcode ...extra`, reads the first chunk of its stdout,
 *  then closes the pipe as head does. */
async function planIntoClosedPipe(dir: string, extra: string[]) {
  const child = spawn(process.execPath, [...executableNodeOptions(BIN), BIN, 'plan', dir, '--offline', '--detailed-exitcode', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const first = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString())));
  child.stdout.destroy();
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  return { first, code, stderr };
}

test('a reader that stops early (t2t plan | head): no stack trace, the command keeps its exit code', async () => {
  // 2,000 users in flight: about 600 KB of plan text and 5 MB of JSON, far more than a pipe holds
  const dir = await projectInFlight(2000);
  try {
    const text = await planIntoClosedPipe(dir, []);
    assert.match(text.first, /^wave wave-0 \(phase prepared, 100 users\)/);
    assert.is(text.code, 2, text.stderr);
    assert.not.match(text.stderr, /EPIPE|\n\s+at /);
    // JSON is written by a worker thread, which meets the closed pipe instead
    const json = await planIntoClosedPipe(dir, ['--output', 'json']);
    assert.match(json.first, /^\{\n {2}"formatVersion": 1,/);
    assert.is(json.code, 2, json.stderr);
    assert.not.match(json.stderr, /EPIPE|\n\s+at /);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a reader slower than the plan still gets all of it: the executable exits only once stdout is out', async () => {
  // 2,000 users in flight: about 600 KB of text, ten times what a pipe holds. The reader waits
  // before reading (longer than the plan takes, about a second), so most of the text is still
  // queued in the process when the plan is done.
  const dir = await projectInFlight(2000);
  try {
    const child = spawn(process.execPath, [...executableNodeOptions(BIN), BIN, 'plan', dir, '--offline'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pause();
    const closed = new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const chunks: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => chunks.push(d));
    child.stdout.resume();
    const code = await closed;
    const inProcess = await runCli(['plan', dir, '--offline']);
    // the same text but for the estimates' finishing times, which move with the clock
    const clockless = (text: string) => text.replace(/finishes by \S+/g, 'finishes by <time>');
    assert.is(code, 0);
    assert.is(clockless(Buffer.concat(chunks).toString()), clockless(inProcess.stdout));
    assert.match(inProcess.stdout, /\nPlan: \d+ to create, \d+ to update, \d+ to delete, \d+ to run\.\n$/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('JSON on stdout and in --out, written by worker threads, is the plan exactly', async () => {
  const dir = await projectInFlight(300);
  try {
    const saved = join(dir, 'saved.json');
    const r = spawnSync(process.execPath, [...executableNodeOptions(BIN), BIN, 'plan', dir, '--offline', '--output', 'json', '--out', saved], { encoding: 'utf8', maxBuffer: 1 << 28 });
    assert.is(r.status, 0, r.stderr);
    assert.is(readFileSync(saved, 'utf8'), r.stdout);
    const plan = JSON.parse(r.stdout) as { changes: unknown[]; summary: Record<string, number> };
    assert.ok(plan.changes.length > 1000, `${plan.changes.length} changes`);
    assert.is(plan.changes.length, Object.values(plan.summary).reduce((a, b) => a + b, 0));
    assert.ok(r.stdout.endsWith('}\n'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('Ctrl-C during a plan stops it at the next pause: exit 1, the cause named, no --out file left', async () => {
  // 2,000 users in flight: 20 waves, 600 KB of text. The reader stops reading after the first
  // chunk, so the plan blocks writing a few waves in (a pipe holds 64 KB) and cannot have finished
  // when the signal arrives; the handler runs at the first pause after the write.
  const dir = await projectInFlight(2000);
  try {
    const saved = join(dir, 'saved.json');
    const child = spawn(process.execPath, [...executableNodeOptions(BIN), BIN, 'plan', dir, '--offline', '--out', saved], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let stdout = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString())));
    child.stdout.pause();
    child.kill('SIGINT');
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stdout.resume();
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    assert.is(code, 1, stderr);
    assert.match(stderr, /^SIGINT received/m);
    assert.match(stderr, /^error: the plan was interrupted: nothing was saved$/m);
    assert.match(stderr, /^hint: run 't2t plan' again$/m);
    assert.not.match(stderr, /\n\s+at /, 'no stack trace');
    assert.match(stdout, /^wave wave-0 /m);
    assert.not.match(stdout, /^wave wave-19 /m, 'the last wave was not planned');
    assert.not.ok(existsSync(saved), 'no plan file');
    assert.equal(readdirSync(dir).filter((f) => f.includes('saved')), [], 'no temp file left');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

/** CPU time (user + system, in clock ticks) a process has used so far (Linux /proc). */
function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

test('Ctrl-C while JSON waits for a reader that stopped reading (a paused pager): exit 1, the cause named', async () => {
  // 8,000 users in flight: 22 MB of JSON, more than the writer's ring (16 MiB) and a pipe hold
  const dir = await projectInFlight(8000);
  try {
    const child = spawn(process.execPath, [...executableNodeOptions(BIN), BIN, 'plan', dir, '--offline', '--output', 'json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pause(); // never read
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const closed = new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    // wait until it has begun to print and then all but stops using CPU for a second (its writer
    // thread still looks at the full pipe every few ms): the ring is full and the plan waits for
    // the reader
    let before = -1;
    let still = 0;
    const deadline = Date.now() + 60_000;
    while (still < 2) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        assert.unreachable(`the plan never waited for the reader: ${stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
      const now = cpuTicks(child.pid!);
      still = child.stdout.readableLength > 0 && before >= 0 && now - before <= 1 ? still + 1 : 0;
      before = now;
    }
    child.kill('SIGINT');
    const code = await Promise.race([closed, new Promise<string>((resolve) => setTimeout(() => resolve('still running 10 s after SIGINT'), 10_000))]);
    if (code === 'still running 10 s after SIGINT') child.kill('SIGKILL');
    assert.is(code, 1, stderr);
    assert.match(stderr, /^SIGINT received/m);
    assert.match(stderr, /^error: the plan was interrupted: nothing was saved$/m);
    assert.not.match(stderr, /\n\s+at /, 'no stack trace');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('status stops at its first pause once interrupted, with the cause named', async () => {
  const dir = await projectInFlight(300);
  try {
    const controller = new AbortController();
    controller.abort('SIGINT');
    const r = await runCli(['status', dir, '--offline'], { signal: controller.signal });
    assert.is(r.code, 1, r.stderr);
    assert.match(r.stderr, /^error: the status was interrupted$/m);
    assert.is(r.stdout, '');
    const done = await runCli(['status', dir, '--offline']);
    assert.is(done.code, 0, done.stderr);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
