// `t2t demo` end to end, in-process as `npm run demo` runs it: the real emulator program as a child,
// the example project in a temporary git repository, every step through apply, the interrupted
// cutover and its rollback. Also: Ctrl-C stops it cleanly, --keep keeps the repository.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { dirname } from 'node:path';
import { PassThrough } from 'node:stream';
import { execFileSync } from 'node:child_process';
import { main } from '../../engine/cli/main.js';
import { runCli } from '../helpers/cli.js';

const PASSWORDS = { REWRITE_TLS_PASSWORD: 'tls-Pw-3f9a1c77e2', REWRITE_DKIM_PASSWORD: 'dkim-Pw-8b2d40e915' };

/** Resolves with the connection error code, or 'connected' when something still listens. */
function probe(url: string): Promise<string> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'GET', rejectUnauthorized: false, timeout: 5000 }, (res) => {
      res.resume();
      resolve('connected');
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

/** Processes whose command line mentions `text` (Linux /proc; empty elsewhere). */
function processesMentioning(text: string): string[] {
  if (!existsSync('/proc')) return [];
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(text)) found.push(`${pid}: ${cmd}`);
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

function fromOutput(stdout: string): { url: string; projectDir: string; root: string } {
  const url = /^emulator:\s+(https:\/\/127\.0\.0\.1:\d+)/m.exec(stdout)?.[1];
  const projectDir = /^project:\s+(\S+)/m.exec(stdout)?.[1];
  assert.ok(url && projectDir, `the demo names its emulator and project:\n${stdout.slice(0, 2000)}`);
  return { url: url!, projectDir: projectDir!, root: dirname(projectDir!) };
}

/** The text of step `n` (from its heading to the next one). */
function step(stdout: string, n: number): string {
  const start = stdout.indexOf(`Step ${n}/`);
  assert.ok(start >= 0, `step ${n} is printed`);
  const next = stdout.indexOf(`\nStep ${n + 1}/`, start);
  return stdout.slice(start, next < 0 ? undefined : next);
}

/** The output of the last `$ t2t <command>` within `text`. */
function lastOutputOf(text: string, command: string): string {
  const start = text.lastIndexOf(`$ t2t ${command}`);
  assert.ok(start >= 0, `'t2t ${command}' ran`);
  const rest = text.slice(start).split('\n').slice(1);
  const end = rest.findIndex((l) => !l.startsWith('    ') && l.trim() !== '');
  return rest.slice(0, end < 0 ? undefined : end).join('\n');
}

const e2e = suite('t2t demo');

e2e('runs every step, ends with the pilot back at synced, prints no secret, leaves no process or directory behind', async () => {
  const r = await runCli(['demo', '--no-pause'], { env: PASSWORDS });
  assert.is(r.code, 0, r.stdout.slice(-3000) + r.stderr);
  const titles = [...r.stdout.matchAll(/^Step (\d+)\/(\d+): (.+)$/gm)];
  assert.is(titles.length, 8, titles.map((t) => t[0]).join('\n'));
  titles.forEach((t, i) => {
    assert.is(Number(t[1]), i + 1);
    assert.is(t[2], '8');
  });
  for (const cmd of ['validate .', 'discover .', 'plan .', 'apply . --auto-approve', 'status .', 'history . --wave wave-01-pilot']) assert.ok(r.stdout.includes(`$ t2t ${cmd}`), cmd);
  for (const msg of ['Prepare the pilot wave', 'Sync the pilot wave', 'Cut over the pilot wave', 'Pause the pilot cutover']) assert.ok(r.stdout.includes(`git commit -m "${msg}"`), msg);
  assert.ok(r.stdout.includes('$ git revert --no-edit HEAD~2..HEAD'));

  // the cutover was interrupted part-way, and never reached the notification
  const cutover = step(r.stdout, 6);
  assert.match(lastOutputOf(cutover, 'apply'), /Apply stopped: \d+ done, 0 failed, [1-9]\d* skipped/);
  // the rollback plans inverse changes, and the final status shows both pilot users synced
  const rollback = step(r.stdout, 7);
  assert.match(lastOutputOf(rollback, 'plan'), /hide alice@fabrikam\.com from the address lists/);
  const status = lastOutputOf(rollback, 'status');
  for (const user of ['alice@contoso.com', 'bob@contoso.com']) {
    const line = status.split('\n').find((l) => l.includes(user));
    assert.ok(line, `${user} in the final status:\n${status}`);
    assert.match(line!, /\bsynced\b/, line);
    assert.not.match(line!, /cutover/, line);
  }
  assert.match(step(r.stdout, 8), /Revert "Cut over the pilot wave"/);
  assert.match(r.stdout, /^Done in \d+\.\d s\.$/m);

  const all = r.stdout + r.stderr;
  for (const secret of ['dev-secret', ...Object.values(PASSWORDS)]) assert.not.ok(all.includes(secret), `'${secret}' is printed`);

  const { url, root } = fromOutput(r.stdout);
  assert.not.ok(existsSync(root), `${root} removed without --keep`);
  assert.is(await probe(url), 'ECONNREFUSED', 'the emulator no longer listens');
  assert.equal(processesMentioning(root), []);
});

e2e('Ctrl-C stops the demo between commands: exit 1, one-line reason, emulator stopped; --keep keeps the repository', async () => {
  const controller = new AbortController();
  const stdout = Object.assign(new PassThrough(), { isTTY: false, columns: 100 });
  const stderr = Object.assign(new PassThrough(), { isTTY: false });
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => {
    out += c.toString();
    if (out.includes('Step 2/')) controller.abort('SIGINT'); // during discovery
  });
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const stdin = Object.assign(new PassThrough(), { isTTY: false });
  const code = await main(['demo', '--keep'], { stdout, stderr, stdin, env: { ...process.env, NO_COLOR: '1', ...PASSWORDS }, cwd: process.cwd(), signal: controller.signal });
  assert.is(code, 1);
  assert.match(err, /^error: the demo was interrupted$/m);
  assert.not.match(err, /\n\s+at /, 'no stack trace');
  assert.not.match(out, /^Step 3\//m);
  const { url, projectDir, root } = fromOutput(out);
  try {
    assert.is(await probe(url), 'ECONNREFUSED');
    assert.equal(processesMentioning(root), []);
    assert.ok(existsSync(projectDir), 'kept with --keep');
    const log = execFileSync('git', ['log', '--format=%s'], { cwd: projectDir, encoding: 'utf8' });
    assert.match(log, /Example project/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

e2e('--help and a bad --port', async () => {
  const help = await runCli(['demo', '--help']);
  assert.is(help.code, 0);
  assert.match(help.stdout, /--keep/);
  assert.match(help.stdout, /--no-pause/);
  const bad = await runCli(['demo', '--port', 'x']);
  assert.is(bad.code, 1);
  assert.match(bad.stderr, /^error: --port 'x' is not a port number$/m);
});

e2e.run();
