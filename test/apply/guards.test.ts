// Apply's refusals, each one line naming the cause and the fix: a saved plan of an unknown
// format, made from other manifests or from other tenant state; a dirty working tree; no terminal
// to confirm on. And a reviewed saved plan is applied exactly.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { join } from 'node:path';
import type { RunningEmulator } from '../helpers/emulator.js';
import { runCli } from '../helpers/cli.js';
import { main } from '../../engine/cli/main.js';
import { userByUpn } from './tenant-view.js';
import { exampleProject, startExampleEmulator, type ExampleProject } from './fixture.js';
import { exchangeInvoke } from '../helpers/graph.js';
import { loadProject } from '../../engine/manifest/load-project.js';
import { planProject } from '../../engine/workflow/plan-project.js';
import { renderPlanJson } from '../../engine/plan/index.js';

let emu: RunningEmulator;
let p: ExampleProject;

async function savePlan(file: string): Promise<void> {
  const project = (await loadProject(p.dir)).project!;
  const { plan } = await planProject(project, { env: { ...process.env, ...p.env }, refresh: 'always' });
  writeFileSync(file, renderPlanJson(plan));
}

test.before(async () => {
  emu = await startExampleEmulator();
  p = exampleProject(emu, { phases: { 'wave-01-pilot': 'prepared', 'wave-02-sales': 'discovered' } });
});
test.after(async () => {
  await emu?.stop();
  p?.cleanup();
});

test('without a terminal, apply needs --auto-approve or --plan FILE', async () => {
  const r = await runCli(['apply', p.dir], { env: p.env });
  assert.is(r.code, 1);
  assert.match(r.stderr, /error: apply needs confirmation, and there is no terminal to ask on/);
  assert.match(r.stderr, /hint: pass --auto-approve, or apply a reviewed plan with --plan FILE/);
});

test('Ctrl-C at the confirmation prompt ends the apply: nothing sent, the lock released', async () => {
  // the prompt used to wait for a line after Ctrl-C (the process told to stop, the question still
  // open): the user had to press Ctrl-C again, which exits at once and leaves the lock behind
  const stdout = Object.assign(new PassThrough(), { isTTY: true, columns: 100 });
  const stderr = Object.assign(new PassThrough(), { isTTY: true });
  const stdin = Object.assign(new PassThrough(), { isTTY: true }); // nobody types
  const controller = new AbortController();
  let err = '';
  stdout.resume();
  stderr.on('data', (c: Buffer) => {
    err += c.toString();
    if (/\(yes\/no\) $/.test(err)) controller.abort('SIGINT');
  });
  const run = main(['apply', p.dir], { stdout, stderr, stdin, env: { ...process.env, NO_COLOR: '1', ...p.env }, cwd: p.dir, signal: controller.signal });
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([run, new Promise<string>((res) => (timer = setTimeout(() => res('still waiting at the prompt'), 30_000)))]);
  clearTimeout(timer);
  assert.is(code, 1, err);
  assert.match(err, /error: apply was interrupted at the confirmation prompt: nothing was changed/);
  assert.is(await userByUpn(emu, 'fabrikam', 'alice@fabrikam.com'), undefined, 'nothing applied');
  assert.not.ok(existsSync(join(p.dir, '.t2t', 'lock.json')), 'the lock is released');
});

test('answering no at the confirmation prompt cancels the apply and exits 1: nothing sent, no error trace', async () => {
  // it used to exit 0, so `t2t apply && notify` went on as if the tenants now matched the manifests
  const r = await runCli(['apply', p.dir], { env: p.env, cwd: p.dir, tty: true, stdin: 'no\n' });
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stderr, /Apply \d+ changes\? \(yes\/no\) /);
  assert.match(r.stdout, /^Apply cancelled\.$/m);
  assert.not.match(r.stderr, /error:|\n\s+at /, 'a decline is not an error: no error line, no stack trace');
  assert.is(await userByUpn(emu, 'fabrikam', 'alice@fabrikam.com'), undefined, 'nothing applied');
  assert.not.ok(existsSync(join(p.dir, '.t2t', 'lock.json')), 'the lock is released');
});

test('a dirty working tree is refused, naming the files, unless --allow-dirty', async () => {
  const file = join(p.dir, 'waves', 'wave-02-sales.yaml');
  const original = readFileSync(file, 'utf8');
  writeFileSync(file, original + '# edited\n');
  try {
    const r = await p.apply();
    assert.is(r.code, 1);
    assert.match(r.stderr, /error: the manifests in .* have uncommitted changes: waves\/wave-02-sales\.yaml/);
    assert.match(r.stderr, /--allow-dirty/);
    const dry = await p.apply('--dry-run');
    assert.is(dry.code, 0, 'a dry run writes nothing: allowed');
  } finally {
    writeFileSync(file, original);
  }
});

test('a saved plan edited by hand is refused before anything is sent, naming the change', async () => {
  // found by a safety audit: a change without params crashed apply half-way ("unexpected failure
  // ... a bug in t2t"), a dangling dependsOn let a step run before the one it needs, a loop of
  // dependencies skipped its changes without a word, and a delete added by hand (or a refusal
  // removed) escaped spec.safety.maxDeletes
  const file = join(p.dir, '..', 'edited-plan.json');
  await savePlan(file);
  const plan = JSON.parse(readFileSync(file, 'utf8')) as { changes: Record<string, unknown>[] };
  assert.ok(plan.changes.length >= 2, 'the pilot wave has changes to prepare');
  const first = plan.changes[0]!;
  const cases: [string, (changes: Record<string, unknown>[]) => unknown[], RegExp][] = [
    ['no params', (cs) => cs.map((c, i) => (i === 0 ? { ...c, params: undefined } : c)), /change 1 \(\w+\) has no params/],
    ['not an object', (cs) => [null, ...cs.slice(1)], /change 1 is not an object/],
    ['a dangling dependsOn', (cs) => cs.map((c, i) => (i === 1 ? { ...c, dependsOn: ['gone'] } : c)), /change 2 \(\w+\) depends on gone, which the plan does not have/],
    ['a loop', (cs) => cs.map((c, i) => (i === 0 ? { ...c, dependsOn: [cs[1]!.id] } : i === 1 ? { ...c, dependsOn: [first.id] } : c)), /a loop of dependencies/],
    ['a twice used id', (cs) => [...cs, cs[0]], /has the id of change 1/],
  ];
  for (const [what, edit, message] of cases) {
    writeFileSync(file, JSON.stringify({ ...plan, changes: edit(plan.changes) }));
    const r = await p.cli('apply', '--plan', file);
    assert.is(r.code, 1, what);
    assert.match(r.stderr, /^error: the saved plan .*edited-plan\.json is not as 't2t plan' wrote it: /, what);
    assert.match(r.stderr, message, what);
    assert.match(r.stderr, /hint: run 't2t plan --out FILE' again and apply the new plan; a saved plan is applied exactly as 't2t plan' wrote it/, what);
    assert.not.match(r.stderr, /unexpected failure|Apply complete|done /, what);
  }
  writeFileSync(file, JSON.stringify({ ...plan, changes: plan.changes.map((c, i) => (i === 0 ? { ...c, op: 'targetUser.nuke' } : c)) }));
  let r = await p.cli('apply', '--plan', file);
  assert.is(r.code, 1);
  assert.match(r.stderr, /names op targetUser\.nuke in change 1 \(\w+\), which this t2t has no step for/);
  writeFileSync(file, JSON.stringify({ ...plan, refusal: null, changes: plan.changes.map((c, i) => (i === 0 ? { ...c, action: 'delete', reversibility: 'one-way' } : c)) }));
  r = await p.cli('apply', '--plan', file);
  assert.is(r.code, 1);
  assert.match(r.stderr, /deletes 1 object \(users or content\), more than spec\.safety\.maxDeletes \(0\): refused/);
  // nothing was sent: the plan, made again, is what it was
  await savePlan(file);
  assert.is((JSON.parse(readFileSync(file, 'utf8')) as { changes: unknown[] }).changes.length, plan.changes.length);
});

test('a --plan file that is missing or a directory is named with the reason in words, no errno code', async () => {
  let r = await p.cli('apply', '--plan', join(p.dir, '..', 'no-such-plan.json'));
  assert.is(r.code, 1);
  assert.match(r.stderr, /^error: cannot read the saved plan .*no-such-plan\.json: no such file\nhint: check the path given to --plan/);
  r = await p.cli('apply', '--plan', p.dir);
  assert.is(r.code, 1);
  assert.match(r.stderr, /^error: cannot read the saved plan .*: it is a directory\n/);
  assert.not.match(r.stderr, /ENOENT|EISDIR/);
});

test('a saved plan: unknown format, stale manifests and stale tenants are refused; a fresh one is applied exactly', async () => {
  const file = join(p.dir, '..', 'plan.json');
  await savePlan(file);
  const plan = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;

  writeFileSync(file, JSON.stringify({ ...plan, formatVersion: 99 }));
  let r = await p.cli('apply', '--plan', file);
  assert.is(r.code, 1);
  assert.match(r.stderr, /has formatVersion 99, which this t2t does not know/);
  assert.match(r.stderr, /hint: run 't2t plan --out FILE' again/);

  // a plan of another project is said to be one (found by a safety audit: it was called stale)
  writeFileSync(file, JSON.stringify({ ...plan, project: 'acme-globex' }));
  r = await p.cli('apply', '--plan', file);
  assert.is(r.code, 1);
  assert.match(r.stderr, /error: the saved plan .* was made for project "acme-globex", not for contoso-fabrikam \(/);

  writeFileSync(file, JSON.stringify({ ...plan, manifestHash: 'sha256:0000' }));
  r = await p.cli('apply', '--plan', file);
  assert.is(r.code, 1);
  assert.match(r.stderr, /is stale: the manifests changed since it was made/);

  // the tenants change after the plan was saved
  writeFileSync(file, JSON.stringify(plan));
  const hidden = await exchangeInvoke(emu, 'contoso', 'Set-Mailbox', { Identity: 'carol@contoso.com', CustomAttribute1: 'changed' });
  assert.is(hidden.status, 200);
  r = await p.cli('apply', '--plan', file);
  assert.is(r.code, 1, r.stdout);
  assert.match(r.stderr, /is stale: the tenants changed since it was made/);

  await savePlan(file);
  r = await p.cli('apply', '--plan', file, '--output', 'json');
  assert.is(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { result: string; changes: { id: string }[] };
  assert.is(out.result, 'succeeded');
  assert.equal(out.changes.map((c) => c.id).sort(), (JSON.parse(readFileSync(file, 'utf8')).changes as { id: string }[]).map((c) => c.id).sort());
});

test.run();
