// The writes `apply --dry-run` lists are the writes apply sends: the same plan applied for real
// sends the same requests (tenant, method, target, body), ids of objects the dry run only
// pretended to create aside. Found by an executor review: for a user the dry run would create, the
// marker writes were listed as one POST of each step's fields (apply: a POST, then PATCHes of the
// whole marker), its hide and its forwarding were not listed, and a usageLocation PATCH apply does
// not send was. And `--concurrency 1` reaches the same tenants as the default.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PassThrough } from 'node:stream';
import type { RunningEmulator } from '../helpers/emulator.js';
import { exampleProject, startExampleEmulator, type ExampleProject } from './fixture.js';
import { runApply, type ApplyOptions } from '../../engine/apply/run-apply.js';
import type { RecordedWrite } from '../../engine/apply/write-recorder.js';
import { loadProject } from '../../engine/manifest/load-project.js';

const ID = /(dry-run-)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

async function applyIn(p: ExampleProject, o: Partial<ApplyOptions> = {}) {
  const project = (await loadProject(p.dir)).project!;
  const writes: RecordedWrite[] = [];
  const outcome = await runApply(project, {
    env: { ...process.env, ...p.env },
    signal: new AbortController().signal,
    autoApprove: true,
    io: { stdin: Object.assign(new PassThrough(), { isTTY: false }), stderr: new PassThrough() },
    onWrite: (w) => writes.push(w),
    ...o,
  });
  return { outcome, writes };
}

/** One line per write, ids replaced, sorted: a multiset to compare. */
function shape(writes: readonly RecordedWrite[]): string[] {
  const norm = (v: unknown) => JSON.stringify(v ?? null, (k, x) => (k === 'stampedAt' || k === 'at' || /At$/.test(k) ? '<time>' : x)).replace(ID, '<id>');
  return writes.map((w) => `${w.tenant} ${w.method} ${w.target.replace(ID, '<id>')} ${norm(w.body)}`).sort();
}

let emu1: RunningEmulator;
let emu2: RunningEmulator;
let p1: ExampleProject;
let p2: ExampleProject;

test.before(async () => {
  [emu1, emu2] = await Promise.all([startExampleEmulator(), startExampleEmulator()]);
  p1 = exampleProject(emu1);
  p2 = exampleProject(emu2);
});
test.after(async () => {
  await Promise.all([emu1?.stop(), emu2?.stop()]);
  p1?.cleanup();
  p2?.cleanup();
});

test('--dry-run lists every write the real apply of the same plan sends, and sends none', async () => {
  const dry = await applyIn(p1, { dryRun: true });
  assert.is(dry.outcome.result, 'succeeded');
  assert.ok(dry.outcome.recorded.length > 0);
  assert.is(dry.outcome.recorded.length, dry.writes.length);
  const again = await applyIn(p1, { dryRun: true });
  assert.is(again.outcome.plan.changes.length, dry.outcome.plan.changes.length, 'the dry run changed nothing in the tenants');
  const real = await applyIn(p1);
  assert.is(real.outcome.result, 'succeeded');
  assert.equal(real.outcome.plan.changes.map((c) => c.id), dry.outcome.plan.changes.map((c) => c.id), 'the same plan');
  assert.ok(shape(real.writes).some((w) => / PATCH \/users\/<id>\/extensions\//.test(w)), 'marker merges are PATCHes');
  assert.equal(shape(dry.outcome.recorded), shape(real.writes));
});

test('--concurrency 1 and the default reach the same tenants: the same observed phases, nothing left to plan', async () => {
  const one = await applyIn(p2, { concurrency: 1 });
  assert.is(one.outcome.result, 'succeeded');
  const many = await applyIn(p1, { dryRun: true });
  assert.is(many.outcome.result, 'no-changes', 'p1 was applied with the default concurrency');
  const s1 = await p1.cli('status', '--output', 'json');
  const s2 = await p2.cli('status', '--output', 'json');
  const phases = (s: string) => (JSON.parse(s).waves as { name: string; users: { source: string; target: string; phase: string }[] }[]).map((w) => [w.name, w.users.map((u) => [u.source, u.target, u.phase]).sort()]);
  assert.equal(phases(s2.stdout), phases(s1.stdout));
  // and p2's next plan is empty too
  assert.is((await applyIn(p2, { dryRun: true })).outcome.result, 'no-changes');
});

test.run();
