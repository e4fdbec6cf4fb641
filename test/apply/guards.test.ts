// Apply's refusals, each one line naming the cause and the fix: a saved plan of an unknown
// format, made from other manifests or from other tenant state; a dirty working tree; no terminal
// to confirm on. And a reviewed saved plan is applied exactly.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningEmulator } from '../helpers/emulator.js';
import { runCli } from '../helpers/cli.js';
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

test('a saved plan: unknown format, stale manifests and stale tenants are refused; a fresh one is applied exactly', async () => {
  const file = join(p.dir, '..', 'plan.json');
  await savePlan(file);
  const plan = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;

  writeFileSync(file, JSON.stringify({ ...plan, formatVersion: 99 }));
  let r = await p.cli('apply', '--plan', file);
  assert.is(r.code, 1);
  assert.match(r.stderr, /has formatVersion 99, which this t2t does not know/);
  assert.match(r.stderr, /hint: run 't2t plan --out FILE' again/);

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
