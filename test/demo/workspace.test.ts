// The demo's building blocks without an emulator: the example copied into a git repository and
// pointed at an emulator address, wave edits, secrets from the emulator config, generated PFX files,
// and the indented command output.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { editWave, emulatorSecrets, keptProjectVariables, pointAtEmulator, prepareWorkspace } from '../../engine/demo/prepare-workspace.js';
import { indentedIO } from '../../engine/demo/indented-io.js';
import { loadCertificate } from '../../engine/certs/pfx.js';
import { appendJobLog } from '../../engine/state/job-log.js';
import { demoEmulatorConfig, DEMO_LATENCY_MS } from '../../engine/demo/walkthrough.js';
import { firstMailboxUnhidden, watchJobLog } from '../../engine/demo/watch-job-log.js';
import { parse } from 'yaml';
import { loadProject } from '../../engine/manifest/load-project.js';
import { EXAMPLE_DIR } from '../helpers/example-project.js';
import { runCli } from '../helpers/cli.js';

const test = suite<{ root: string }>('demo workspace');

test.before((ctx) => {
  ctx.root = mkdtempSync(join(tmpdir(), 't2t-demo-test-'));
});

test.after(({ root }) => {
  rmSync(root, { recursive: true, force: true });
});

test('pointAtEmulator rewrites every endpoint and adds one caFile each, replacing old ones', () => {
  const text = ['tenants:', '  a:', '    endpoint: https://127.0.0.1:7365  # comment', '    caFile: old.pem', '  b:', '    endpoint: https://127.0.0.1:7365', ''].join('\n');
  const r = pointAtEmulator(text, 'https://127.0.0.1:40001', '/tmp/x/ca.pem');
  assert.is(r.match(/endpoint: https:\/\/127\.0\.0\.1:40001/g)?.length, 2);
  assert.is(r.match(/^    caFile: \/tmp\/x\/ca\.pem$/gm)?.length, 2);
  assert.not.match(r, /old\.pem|7365/);
});

test('editWave sets phase, adds paused under phase when missing, and returns the old values', ({ root }) => {
  const dir = join(root, 'edit');
  mkdirSync(join(dir, 'waves'), { recursive: true });
  writeFileSync(join(dir, 'waves', 'w.yaml'), 'kind: Wave\nspec:\n\n  phase: synced   # keep me\n  profile: standard\n');
  assert.equal(editWave(dir, 'w', { phase: 'cutover', paused: true }), { phase: 'synced', paused: false });
  assert.is(readFileSync(join(dir, 'waves', 'w.yaml'), 'utf8'), 'kind: Wave\nspec:\n\n  phase: cutover   # keep me\n  paused: true\n  profile: standard\n');
  assert.equal(editWave(dir, 'w', { paused: false }), { phase: 'cutover', paused: true });
  assert.match(readFileSync(join(dir, 'waves', 'w.yaml'), 'utf8'), /^  paused: false$/m);
});

test('emulatorSecrets maps each fromEnv variable to the dev secret of the app with that clientId', async () => {
  const { project } = await loadProject(EXAMPLE_DIR);
  const env = emulatorSecrets(project!, readFileSync(join(EXAMPLE_DIR, 'emulator.yaml'), 'utf8'));
  assert.equal(env, { CONTOSO_CLIENT_SECRET: 'dev-secret', FABRIKAM_CLIENT_SECRET: 'dev-secret' });
  const other = emulatorSecrets(project!, 'tenants:\n  - { name: x, tenantId: contoso.onmicrosoft.com, apps: [{ clientId: nope, clientSecret: s }] }\n');
  assert.equal(other, {});
});

test('prepareWorkspace: a committed copy pointed at the emulator, certificates generated with the given password and not committed', async ({ root }) => {
  const dir = join(root, 'ws');
  const ws = await prepareWorkspace({
    exampleDir: EXAMPLE_DIR,
    dir,
    emulator: { url: 'https://127.0.0.1:40001', caFile: '/nowhere/ca.pem' },
    env: { REWRITE_TLS_PASSWORD: 'tls-pass-from-env' },
    waves: { 'wave-01-pilot': { phase: 'discovered' } },
    message: 'First',
  });
  assert.is(ws.dir, dir);
  assert.is(ws.env.REWRITE_TLS_PASSWORD, 'tls-pass-from-env');
  assert.ok(ws.env.REWRITE_DKIM_PASSWORD && ws.env.REWRITE_DKIM_PASSWORD.length >= 16, 'a random DKIM password');
  assert.is(ws.env.CONTOSO_CLIENT_SECRET, 'dev-secret');
  assert.is(ws.project.waves.find((w) => w.name === 'wave-01-pilot')!.phase, 'discovered');
  const git = (...a: string[]) => execFileSync('git', a, { cwd: dir, encoding: 'utf8' });
  assert.is(git('log', '--format=%s').trim(), 'First');
  assert.is(git('status', '--porcelain').trim(), '', 'clean tree');
  const tracked = git('ls-files').split('\n');
  assert.ok(tracked.includes('project.yaml') && tracked.includes('waves/wave-01-pilot.yaml'));
  assert.not.ok(tracked.some((f) => f.endsWith('.pfx')), 'no private key committed');
  const tls = await loadCertificate({ name: 'rewrite-tls', pfxFile: 'certs/rewrite-tls.pfx', passwordFromEnv: 'P' }, dir, { P: 'tls-pass-from-env' });
  assert.ok(tls.sans.includes('fabrikam.com'), tls.sans.join(','));
  assert.ok(tls.keyMatches);
  await loadCertificate({ name: 'rewrite-dkim', pfxFile: 'certs/rewrite-dkim.pfx', passwordFromEnv: 'P' }, dir, { P: ws.env.REWRITE_DKIM_PASSWORD });
  // the generated certificates pass `t2t certs` (TLS covers the target domain, DKIM key size)
  const certs = await runCli(['certs', dir], { env: { ...ws.env } });
  assert.is(certs.code, 0, certs.stdout + certs.stderr);
  assert.not.match(certs.stdout + certs.stderr, /tls-pass-from-env/);
  const validate = await runCli(['validate', dir]);
  assert.is(validate.code, 0);
  assert.not.match(validate.stdout, /pfxFile/, 'no missing-PFX warning');
  assert.match(readFileSync(join(dir, 'project.yaml'), 'utf8'), /caFile: \/nowhere\/ca\.pem/);
  assert.not.ok(existsSync(join(dir, '.t2t')));
});

test('indentedIO indents both streams, keeps the last \\r rewrite, drops and watches lines', async () => {
  const parentOut = Object.assign(new PassThrough(), { isTTY: false, columns: 100 });
  let text = '';
  parentOut.on('data', (c: Buffer) => (text += c.toString()));
  const seen: string[] = [];
  const parent = { stdout: parentOut, stderr: parentOut, stdin: new PassThrough(), env: {}, cwd: '/', signal: new AbortController().signal };
  const inner = indentedIO(parent, '  > ', {}, parent.signal, { drop: (l) => l.startsWith('noise'), onLine: (l, s) => seen.push(`${s}:${l}`) });
  inner.io.stdout.write('one\ntw');
  inner.io.stdout.write('o\n\nnoise here\n');
  inner.io.stderr.write('progress 1\rprogress 2\u001b[K\n');
  inner.io.stdout.write('tail');
  inner.flush();
  await new Promise((r) => setImmediate(r));
  assert.is(text, '  > one\n  > two\n\n  > progress 2\n  > tail\n');
  assert.equal(seen, ['stdout:one', 'stdout:two', 'stdout:', 'stdout:noise here', 'stderr:progress 2', 'stdout:tail']);
  assert.is(inner.io.stdout.isTTY, false);
});

test('demoEmulatorConfig keeps the example tenants and adds only the latency', () => {
  const text = readFileSync(join(EXAMPLE_DIR, 'emulator.yaml'), 'utf8');
  const demo = parse(demoEmulatorConfig(text));
  const example = parse(text);
  assert.equal(demo.tenants, example.tenants);
  assert.equal(demo.faults, { latencyMs: DEMO_LATENCY_MS });
});

test('watchJobLog calls back once, for an entry of this run that matches', async ({ root }) => {
  const dir = join(root, 'watch');
  mkdirSync(dir, { recursive: true });
  const where = { wave: 'wave-01-pilot', user: 'alice@contoso.com' };
  await appendJobLog(join(dir, '.t2t'), where, { event: 'step.done', op: 'targetVisibility.show', time: '2020-01-01T00:00:00.000Z' });
  const hits: unknown[] = [];
  let resolveHit!: () => void;
  const hit = new Promise<void>((r) => (resolveHit = r));
  const stop = watchJobLog({ projectDir: dir, env: {}, wave: where.wave, since: new Date(), matches: firstMailboxUnhidden, onMatch: (e) => (hits.push(e), resolveHit()), everyMs: 5 });
  await appendJobLog(join(dir, '.t2t'), where, { event: 'step.start', op: 'targetVisibility.show' });
  await appendJobLog(join(dir, '.t2t'), where, { event: 'step.done', op: 'targetContact.hide' });
  await appendJobLog(join(dir, '.t2t'), where, { event: 'step.done', op: 'targetVisibility.show' });
  await appendJobLog(join(dir, '.t2t'), { ...where, user: 'bob@contoso.com' }, { event: 'step.done', op: 'targetVisibility.show' });
  await hit;
  await new Promise((r) => setTimeout(r, 30));
  stop();
  assert.is(hits.length, 1);
  assert.is((hits[0] as { op: string; event: string }).event, 'step.done');
  assert.ok((hits[0] as { time: string }).time > '2020-01-02');
});

test('demo --keep names the variables a later command in the kept project needs, never a value', async () => {
  const project = (await loadProject(EXAMPLE_DIR)).project!;
  const random = keptProjectVariables(project, {});
  assert.is(
    random,
    "  to run t2t there, with its emulator running: export CONTOSO_CLIENT_SECRET, FABRIKAM_CLIENT_SECRET (the apps' clientSecret in emulator.yaml); REWRITE_TLS_PASSWORD, REWRITE_DKIM_PASSWORD (made at random for this run: set them before 't2t demo --keep' to choose)",
  );
  const chosen = keptProjectVariables(project, { REWRITE_TLS_PASSWORD: 'pw-1-never-shown', REWRITE_DKIM_PASSWORD: 'pw-2-never-shown' });
  assert.match(chosen, /; REWRITE_TLS_PASSWORD, REWRITE_DKIM_PASSWORD \(as you set them\)$/);
  assert.not.match(chosen, /never-shown|random/);
});

test.run();
