// `t2t plan` end to end: the example project against an emulator seeded from its emulator.yaml.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { closeSync, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { checkPlanPath } from '../../engine/cli/plan-file.js';
import { UserError } from '../../engine/errors.js';
import { recordThroughput, ThroughputSampler } from '../../engine/apply/throughput.js';
import { DEFAULT_BYTES_PER_SECOND_PER_MAILBOX, DEFAULT_CONCURRENCY } from '../../engine/plan/estimate.js';
import { stateDir } from '../../engine/state/paths.js';
import { copyExample, startExampleEmulator } from '../helpers/example-project.js';
import type { RunningEmulator } from '../helpers/emulator.js';

const test = suite<{ emu?: RunningEmulator; dir?: string; env?: Record<string, string> }>('plan command');

test.before(async (ctx) => {
  ctx.emu = await startExampleEmulator();
  const copy = await copyExample(ctx.emu);
  ctx.dir = copy.dir;
  ctx.env = copy.env;
});

test.after(async (ctx) => {
  await ctx.emu?.stop();
  if (ctx.dir) rmSync(ctx.dir, { recursive: true, force: true });
});

test('discovers on first use, prints the plan grouped by wave, exit 2 with --detailed-exitcode', async ({ dir, env }) => {
  const r = await runCli(['plan', dir!, '--detailed-exitcode'], { env });
  assert.is(r.code, 2, r.stderr);
  assert.match(r.stderr, /discovering: contoso: users/);
  assert.match(r.stdout, /^wave wave-01-pilot \(phase synced, \d+ users\)$/m);
  assert.match(r.stdout, /^    \+ create user alice@fabrikam\.com$/m);
  assert.match(r.stdout, /^Plan: \d+ to create, \d+ to update, 0 to delete, \d+ to run\.$/m);
  for (const secret of Object.values(env!)) assert.not.ok((r.stdout + r.stderr).includes(secret), 'no secret in the output');
});

test('--output json has the pinned fields and --out saves the same plan', async ({ dir, env }) => {
  const r = await runCli(['plan', dir!, '--offline', '--output', 'json', '--out', 'saved-plan.json'], { env, cwd: dir! });
  assert.is(r.code, 0, r.stderr);
  const plan = JSON.parse(r.stdout);
  assert.is(plan.formatVersion, 1);
  assert.is(plan.project, 'contoso-fabrikam');
  assert.type(plan.revision.commit, 'string');
  assert.is(plan.revision.dirty, false);
  const alice = plan.changes.find((c: { resource: string; user: string }) => c.resource === 'targetUser' && c.user === 'alice@contoso.com');
  assert.ok(alice, 'a change creating alice');
  for (const key of ['id', 'wave', 'user', 'tenant', 'resource', 'action', 'summary', 'reversibility', 'dependsOn']) assert.ok(key in alice, key);
  assert.is(alice.action, 'create');
  assert.is(alice.tenant, 'fabrikam');
  assert.equal(Object.keys(plan.summary).sort(), ['create', 'delete', 'run', 'update']);
  const saved = JSON.parse(readFileSync(join(dir!, 'saved-plan.json'), 'utf8'));
  assert.equal(saved.changes.map((c: { id: string }) => c.id), plan.changes.map((c: { id: string }) => c.id));
});

test('progress on a terminal whose plan goes to a file; none into a pipe, none when the terminal shows the plan, none in logs', async ({ dir, env }) => {
  const json = await runCli(['plan', dir!, '--offline', '-o', 'json'], { env, cwd: dir!, stderrTty: true });
  assert.is(json.code, 0, json.stderr);
  assert.match(json.stderr, /^\r\u001b\[Kreading the discovery cache\r\u001b\[Kplanning: 0 of \d+ waves?/);
  assert.match(json.stderr, /\r\u001b\[Kplanning: (\d+) of \1 waves?, [\d,]+ users/);
  assert.ok(json.stderr.endsWith('\r\u001b[K'), 'the line is cleared at the end');
  assert.is(JSON.parse(json.stdout).project, 'contoso-fabrikam');
  const markdown = await runCli(['plan', dir!, '--offline', '-o', 'markdown'], { env, cwd: dir!, stderrTty: true });
  assert.match(markdown.stderr, /\r\u001b\[Kplanning: (\d+) of \1 waves?, [\d,]+ users\r\u001b\[K$/);
  assert.match(markdown.stdout, /^### t2t plan: contoso-fabrikam/);
  // text into a file shows progress; into a pipe (a pager such as less, which owns the terminal) none
  const outDir = mkdtempSync(join(tmpdir(), 't2t-stdout-'));
  const fifo = join(outDir, 'stdout.fifo');
  execFileSync('mkfifo', [fifo]);
  const file = join(outDir, 'stdout.txt');
  const fds = [openSync(fifo, 'r+'), openSync(file, 'w')];
  try {
    const toPipe = await runCli(['plan', dir!, '--offline'], { env, cwd: dir!, stderrTty: true, stdoutFd: fds[0]! });
    assert.is(toPipe.code, 0, toPipe.stderr);
    assert.not.match(toPipe.stderr, /reading the discovery cache|planning/);
    const toFile = await runCli(['plan', dir!, '--offline'], { env, cwd: dir!, stderrTty: true, stdoutFd: fds[1]! });
    assert.match(toFile.stderr, /planning: (\d+) of \1 waves?/);
  } finally {
    for (const fd of fds) closeSync(fd);
    rmSync(outDir, { recursive: true, force: true });
  }
  const onTerminal = await runCli(['plan', dir!, '--offline'], { env, cwd: dir!, tty: true });
  assert.not.match(onTerminal.stderr, /reading the discovery cache|planning/);
  const logs = await runCli(['plan', dir!, '--offline', '-o', 'json'], { env, cwd: dir! });
  assert.not.match(logs.stderr, /reading the discovery cache|planning/);
});

test("the waves' estimates use the throughput apply measured, else the default", async ({ dir, env }) => {
  const estimateOf = async () => {
    const r = await runCli(['plan', dir!, '--offline', '--output', 'json'], { env, cwd: dir! });
    assert.is(r.code, 0, r.stderr);
    const waves = JSON.parse(r.stdout).waves as { name: string; estimate: { throughputBytesPerSecond: number } | null }[];
    return waves.find((w) => w.name === 'wave-01-pilot')!.estimate!;
  };
  assert.is((await estimateOf()).throughputBytesPerSecond, DEFAULT_BYTES_PER_SECOND_PER_MAILBOX * DEFAULT_CONCURRENCY);
  const state = stateDir(dir!, env!);
  const sampler = new ThroughputSampler();
  sampler.add(100 * 1024 * 1024, 100_000); // 1 MiB/s per mailbox
  await recordThroughput(state, sampler, new Date());
  try {
    assert.is((await estimateOf()).throughputBytesPerSecond, 1024 * 1024 * DEFAULT_CONCURRENCY);
  } finally {
    rmSync(join(state, 'throughput.json'), { force: true });
  }
});

test('text with --out saves the plan the JSON output prints, and says how to apply it', async ({ dir, env }) => {
  const json = await runCli(['plan', dir!, '--offline', '-o', 'json'], { env, cwd: dir! });
  const text = await runCli(['plan', dir!, '--offline', '--out', 'text-plan.json'], { env, cwd: dir! });
  assert.is(text.code, 0, text.stderr);
  assert.match(text.stdout, /^Plan: \d+ to create/m);
  assert.match(text.stderr, /^plan saved to text-plan\.json: run 't2t apply .* --plan text-plan\.json'/m);
  const saved = readFileSync(join(dir!, 'text-plan.json'), 'utf8');
  const strip = (s: string) => s.replace(/"createdAt": "[^"]*"/, '').replace(/"finishesBy": "[^"]*"/g, '');
  assert.is(strip(saved), strip(json.stdout));
  assert.equal(readdirSync(dir!).filter((f) => f.includes('.tmp-')), [], 'no temp file left');
});

test('--out into a directory that does not exist, or naming a directory: one line naming the path, before planning', async ({ dir, env }) => {
  const r = await runCli(['plan', dir!, '--offline', '--out', 'no-such-dir/plan.json'], { env, cwd: dir! });
  assert.is(r.code, 1);
  assert.match(r.stderr, /^error: cannot save the plan to no-such-dir\/plan\.json: ENOENT/m);
  assert.match(r.stderr, /hint: give --out a path in an existing, writable directory/);
  assert.is(r.stdout, '', 'nothing printed before the error');
  assert.not.match(r.stderr, /\n\s+at /);
  const dirOut = await runCli(['plan', dir!, '--offline', '--out', '.'], { env, cwd: dir! });
  assert.is(dirOut.code, 1);
  assert.match(dirOut.stderr, /^error: cannot save the plan to \.: it is a directory$/m);
  assert.match(dirOut.stderr, /hint: give --out the path of a file, for example plan\.json/);
  assert.is(dirOut.stdout, '');
  // `--out "$PLAN_FILE"` with the variable unset: refused, not a plan printed and silently not saved
  const empty = await runCli(['plan', dir!, '--offline', '--out', ''], { env, cwd: dir! });
  assert.is(empty.code, 1, empty.stdout);
  assert.match(empty.stderr, /^error: option '--out' of 'plan' was given an empty value$/m);
  assert.match(empty.stderr, /^hint: give --out a value \(if a shell variable names it, is the variable set\?\)/m);
  assert.is(empty.stdout, '');
});

test('--out naming a file that is not a saved plan (a manifest, a CSV) is refused before planning, and the file kept', async ({ dir, env }) => {
  const before = readFileSync(join(dir!, 'project.yaml'), 'utf8');
  const r = await runCli(['plan', dir!, '--offline', '--out', 'project.yaml'], { env, cwd: dir! });
  assert.is(r.code, 1, r.stdout);
  assert.match(r.stderr, /^error: cannot save the plan to project\.yaml: the file exists and is not a plan t2t saved \(saving would replace it\)$/m);
  assert.match(r.stderr, /^hint: give --out a new file, or a plan file saved before; if project\.yaml is meant to go, delete it first$/m);
  assert.is(r.stdout, '');
  assert.is(readFileSync(join(dir!, 'project.yaml'), 'utf8'), before, 'the manifest is untouched');
  // a plan saved before is replaced, and so is an empty file
  for (const name of ['again.json', 'empty.json']) {
    writeFileSync(join(dir!, name), '');
    for (let i = 0; i < 2; i++) {
      const ok = await runCli(['plan', dir!, '--offline', '--out', name], { env, cwd: dir! });
      assert.is(ok.code, 0, ok.stderr);
    }
    assert.is(JSON.parse(readFileSync(join(dir!, name), 'utf8')).formatVersion, 1);
  }
});

test('--out through a symbolic link saves into the file it points to, and the link stays', async ({ dir, env }) => {
  const outside = mkdtempSync(join(tmpdir(), 't2t-plan-link-'));
  try {
    const target = join(outside, 'plans', 'plan.json');
    mkdirSync(dirname(target));
    writeFileSync(target, '{\n  "formatVersion": 1, "project": "an older plan"\n}\n');
    symlinkSync(target, join(outside, 'link.json'));
    // a link to a file not made yet: the plan is saved where it points
    symlinkSync(join(outside, 'plans', 'new.json'), join(outside, 'dangling.json'));
    for (const [link, file] of [['link.json', target], ['dangling.json', join(outside, 'plans', 'new.json')]] as const) {
      const r = await runCli(['plan', dir!, '--offline', '--out', join(outside, link)], { env });
      assert.is(r.code, 0, r.stderr);
      assert.ok(lstatSync(join(outside, link)).isSymbolicLink(), `${link} is still a link`);
      assert.is(JSON.parse(readFileSync(file, 'utf8')).formatVersion, 1);
    }
    assert.equal(readdirSync(join(outside, 'plans')).sort(), ['new.json', 'plan.json'], 'no temp file left');
  } finally {
    rmSync(outside, { recursive: true, force: true });
  }
});

test('--out naming a named pipe or a device is refused before planning, and the file is left as it is', async ({ dir, env }) => {
  const outside = mkdtempSync(join(tmpdir(), 't2t-plan-fifo-'));
  try {
    const fifo = join(outside, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const r = await runCli(['plan', dir!, '--offline', '--out', fifo], { env });
    assert.is(r.code, 1);
    assert.match(r.stderr, /^error: cannot save the plan to .*fifo: it is a named pipe, not a regular file/m);
    assert.match(r.stderr, /hint: give --out the path of a regular file; to pass the plan to another program, print it with --output json instead/);
    assert.is(r.stdout, '');
    assert.ok(lstatSync(fifo).isFIFO(), 'still a named pipe');
    // a device, and a link to one: checked only (the check writes nothing; a failing run of the
    // command could replace the device, and tests may run as root)
    symlinkSync('/dev/null', join(outside, 'null-link'));
    for (const path of ['/dev/null', join(outside, 'null-link')]) {
      assert.throws(() => checkPlanPath(path, path), (e: Error) => e instanceof UserError && e.code === 'plan.outFile' && /it is a device, not a regular file/.test(e.message));
    }
  } finally {
    rmSync(outside, { recursive: true, force: true });
  }
});

test('--wave plans one wave; an unknown wave is one line with a suggestion', async ({ dir, env }) => {
  const one = await runCli(['plan', dir!, '--offline', '--wave', 'wave-02-sales', '-o', 'json'], { env });
  assert.is(one.code, 0, one.stderr);
  const waves = new Set(JSON.parse(one.stdout).changes.map((c: { wave: string }) => c.wave));
  assert.equal([...waves], ['wave-02-sales']);
  const bad = await runCli(['plan', dir!, '--offline', '--wave', 'wave-02-sale'], { env });
  assert.is(bad.code, 1);
  assert.match(bad.stderr, /^error: no wave named 'wave-02-sale' in project contoso-fabrikam \(did you mean 'wave-02-sales'\?\)$/m);
});

test('markdown output starts with the summary and folds each wave', async ({ dir, env }) => {
  const r = await runCli(['plan', dir!, '--offline', '-o', 'markdown'], { env });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /^### t2t plan: contoso-fabrikam\n\n\*\*Plan: /);
  assert.match(r.stdout, /<details><summary>wave-01-pilot: \d+ changes<\/summary>/);
});

test('--max-chars keeps the markdown comment under its length; a bad value or another format is one line', async ({ dir, env }) => {
  const whole = await runCli(['plan', dir!, '--offline', '-o', 'markdown'], { env });
  assert.is(whole.code, 0, whole.stderr);
  assert.ok(whole.stdout.length > 2500, `${whole.stdout.length} characters`);
  const cut = await runCli(['plan', dir!, '--offline', '-o', 'markdown', '--max-chars', '2000'], { env });
  assert.is(cut.code, 0, cut.stderr);
  assert.ok(cut.stdout.length <= 2000, `${cut.stdout.length} characters, its last newline included`);
  assert.match(cut.stdout, /^### t2t plan: contoso-fabrikam\n\n\*\*Plan: /);
  assert.match(cut.stdout, /left out|not listed here|more change/);
  // the limit counts the output's last newline: a limit of exactly its length prints it whole
  // (the estimates' finishing times move with the clock, in a text of the same length)
  const clockless = (text: string) => text.replace(/finishes by \S+/g, 'finishes by <time>');
  const exact = await runCli(['plan', dir!, '--offline', '-o', 'markdown', '--max-chars', String(whole.stdout.length)], { env });
  assert.is(clockless(exact.stdout), clockless(whole.stdout));
  const under = await runCli(['plan', dir!, '--offline', '-o', 'markdown', '--max-chars', String(whole.stdout.length - 1)], { env });
  assert.ok(under.stdout.length < whole.stdout.length, 'one character less: cut');
  for (const [args, message] of [
    [['--max-chars', '500'], /^error: --max-chars must be a whole number of at least 2000, not '500'$/m],
    [['--max-chars', 'lots'], /^error: --max-chars must be a whole number of at least 2000, not 'lots'$/m],
    [['--max-chars', '1e4'], /^error: --max-chars must be a whole number of at least 2000, not '1e4'$/m],
    [['--max-chars', '0x7d0'], /^error: --max-chars must be a whole number of at least 2000, not '0x7d0'$/m],
    [['-o', 'text', '--max-chars', '60000'], /^error: --max-chars applies to --output markdown only$/m],
  ] as const) {
    const r = await runCli(['plan', dir!, '--offline', ...(args[0] === '-o' ? [] : ['-o', 'markdown']), ...args], { env });
    assert.is(r.code, 1, r.stderr);
    assert.match(r.stderr, message);
    assert.match(r.stderr, /^hint: /m);
    assert.is(r.stdout, '');
  }
});

test('a missing secret is a one-line error naming the variable, no stack', async ({ dir, env }) => {
  const r = await runCli(['plan', dir!, '--refresh'], { env: { ...env, CONTOSO_CLIENT_SECRET: '', FABRIKAM_CLIENT_SECRET: '' } });
  assert.is(r.code, 1);
  assert.match(r.stderr, /CONTOSO_CLIENT_SECRET/);
  assert.not.match(r.stderr, /\n\s+at /);
});

test.run();
