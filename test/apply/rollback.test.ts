// An interrupted cutover (stopped like Ctrl-C after the X500 stamp), seen by status as
// cutover-partial, then rolled back by the same diff: by moving the phase back in the manifest,
// and by reverting the commit. Also: status and logs output, and no secret anywhere t2t writes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PassThrough } from 'node:stream';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningEmulator } from '../helpers/emulator.js';
import { exampleProject, SECRETS, startExampleEmulator, type ExampleProject } from './fixture.js';
import { sentMail, userView, type Obj } from './tenant-view.js';
import { runApply } from '../../engine/apply/run-apply.js';
import { loadProject } from '../../engine/manifest/load-project.js';

let emu: RunningEmulator;
let p: ExampleProject;
const outputs: string[] = [];

async function apply(...args: string[]) {
  const r = await p.apply(...args);
  outputs.push(r.stdout, r.stderr);
  return r;
}

/** Apply the cutover in-process and stop it (as Ctrl-C does) once alice's X500s are stamped. */
async function interruptedCutover(): Promise<string> {
  const project = (await loadProject(p.dir)).project!;
  const controller = new AbortController();
  const stdin = Object.assign(new PassThrough(), { isTTY: false });
  const outcome = await runApply(project, {
    env: { ...process.env, ...p.env },
    signal: controller.signal,
    autoApprove: true,
    concurrency: 1,
    io: { stdin, stderr: new PassThrough() },
    onEvent: (e) => {
      if (e.type === 'change.end' && e.change.op === 'x500Addresses.add' && e.change.user === 'alice@contoso.com') controller.abort();
    },
  });
  return outcome.result;
}

const x500s = (r: Obj | undefined) => ((r?.EmailAddresses ?? []) as string[]).filter((a) => /^x500:/i.test(a));

async function assertSynced(label: string) {
  const a = await userView(emu, 'alice@contoso.com', 'alice@fabrikam.com');
  assert.is(a.targetRecipient!.HiddenFromAddressListsEnabled, true, `${label}: target hidden`);
  assert.is(String(a.targetRecipient!.ForwardingSmtpAddress).toLowerCase(), 'smtp:alice@contoso.com', `${label}: target forwards to the source`);
  assert.is(a.targetContacts.length, 1);
  assert.is(a.targetContacts[0]!.HiddenFromAddressListsEnabled, false, `${label}: contact visible`);
  assert.ok(a.targetContacts[0]!.LegacyExchangeDN, `${label}: contact DN back`);
  assert.equal(x500s(a.targetRecipient), [], `${label}: X500s removed`);
  assert.is(a.sourceMailbox.HiddenFromAddressListsEnabled, false, `${label}: source visible`);
  assert.not.ok(a.sourceMailbox.ForwardingSmtpAddress, `${label}: source not forwarding`);
  assert.is(a.sourceContacts.length, 0, `${label}: no source contact`);
  assert.is(a.marker!.phase, 'synced');
  assert.not.ok(a.marker!.cutoverStartedAt, `${label}: cutover mark cleared`);
}

test.before(async () => {
  emu = await startExampleEmulator();
  p = exampleProject(emu, { phases: { 'wave-02-sales': 'discovered' } });
  const r = await apply();
  assert.is(r.code, 0, r.stderr);
});
test.after(async () => {
  await emu?.stop();
  p?.cleanup();
});

test('an interrupted cutover is stopped cleanly and shown as cutover-partial', async () => {
  p.setWave('wave-01-pilot', { phase: 'cutover' });
  p.commit('cutover');
  assert.is(await interruptedCutover(), 'stopped');
  const a = await userView(emu, 'alice@contoso.com', 'alice@fabrikam.com');
  assert.ok(a.marker!.cutoverStartedAt);
  assert.is(x500s(a.targetRecipient).length, 2);
  assert.is((await sentMail(emu, 'fabrikam')).length, 0, 'no notification yet');
  const s = await p.cli('status', '--output', 'json');
  outputs.push(s.stdout, s.stderr);
  assert.is(s.code, 0, s.stderr);
  const status = JSON.parse(s.stdout) as Obj;
  assert.is(status.project, 'contoso-fabrikam');
  const wave = (status.waves as Obj[]).find((w) => w.name === 'wave-01-pilot')!;
  assert.equal({ phase: wave.phase, paused: wave.paused }, { phase: 'cutover', paused: false });
  const alice = (wave.users as Obj[]).find((u) => u.source === 'alice@contoso.com')!;
  assert.equal({ target: alice.target, phase: alice.phase, error: alice.error }, { target: 'alice@fabrikam.com', phase: 'cutover-partial', error: null });
  assert.ok((alice.conditions as Obj[]).some((c) => c.type === 'Ready' && c.status === 'False' && c.observedCommit));
});

test('moving the phase back rolls the partial cutover back, and a second apply is a no-op', async () => {
  p.setWave('wave-01-pilot', { phase: 'synced' });
  p.commit('back to synced');
  const r = await apply('--output', 'json');
  assert.is(r.code, 0, r.stderr + r.stdout);
  await assertSynced('phase moved back');
  const again = await apply('--output', 'json');
  assert.is(JSON.parse(again.stdout).writes, 0);
});

test('reverting the cutover commit rolls it back the same way', async () => {
  p.setWave('wave-01-pilot', { phase: 'cutover' });
  p.commit('cutover again');
  assert.is(await interruptedCutover(), 'stopped');
  p.git('revert', '--no-edit', 'HEAD');
  const r = await apply('--output', 'json');
  assert.is(r.code, 0, r.stderr + r.stdout);
  await assertSynced('commit reverted');
});

test('status csv and text, and the job log of a user', async () => {
  const csv = await p.cli('status', '--output', 'csv');
  outputs.push(csv.stdout);
  assert.is(csv.code, 0, csv.stderr);
  const lines = csv.stdout.trim().split('\n');
  assert.is(lines[0], 'wave,source,sourceType,target,targetType,declared,phase,paused,error');
  assert.ok(lines.includes('wave-01-pilot,alice@contoso.com,Member,alice@fabrikam.com,Member,synced,synced,false,'), lines.join('\n'));
  const text = await p.cli('status', '--wave', 'wave-01-pilot');
  assert.match(text.stdout, /wave wave-01-pilot: declared synced, 2 users — Ready/);
  const logs = await p.cli('logs', '--user', 'alice@contoso.com');
  outputs.push(logs.stdout);
  assert.is(logs.code, 0, logs.stderr);
  assert.match(logs.stdout, /step\.start x500Addresses\.add/);
  assert.match(logs.stdout, /step\.done x500Addresses\.remove/);
  assert.match(logs.stdout, /user\.result .*done/);
  const none = await p.cli('logs');
  assert.is(none.code, 1);
  assert.match(none.stderr, /hint: pass --user ADDRESS or --wave NAME/);
});

test('a partial cutover moved back to discovered: the unhidden target user is hidden again, kept, and left alone after', async () => {
  p.setWave('wave-01-pilot', { phase: 'cutover' });
  p.commit('cutover, third time');
  assert.is(await interruptedCutover(), 'stopped');
  assert.is((await userView(emu, 'alice@contoso.com', 'alice@fabrikam.com')).targetRecipient!.HiddenFromAddressListsEnabled, false, 'the cutover unhid it');
  p.setWave('wave-01-pilot', { phase: 'discovered' });
  p.commit('back to discovered');
  const r = await apply('--output', 'json');
  assert.is(r.code, 0, r.stderr + r.stdout);
  const a = await userView(emu, 'alice@contoso.com', 'alice@fabrikam.com');
  assert.ok(a.targetRecipient, 'the target mailbox is kept (spec.prune is not true)');
  assert.is(a.targetRecipient!.HiddenFromAddressListsEnabled, true, 'not offered in the address lists in place of the deleted contact');
  assert.is(a.targetContacts.length, 0, 'routing contact deleted');
  assert.is(a.sourceMailbox.HiddenFromAddressListsEnabled, false, 'source visible');
  assert.is(a.marker!.phase, 'discovered');
  const again = await apply('--output', 'json');
  assert.is(JSON.parse(again.stdout).writes, 0, again.stdout);
});

test('no secret in any output, log, state file or apply record', async () => {
  const secrets = Object.values(SECRETS);
  const files: string[] = [];
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const path = join(d, f);
      if (statSync(path).isDirectory()) walk(path);
      else files.push(path);
    }
  };
  walk(join(p.dir, '.t2t'));
  assert.ok(files.some((f) => f.endsWith('.jsonl')), 'job logs exist');
  assert.ok(files.some((f) => f.endsWith('t2t.log')), 'the process log exists');
  const notes = p.git('log', '--notes=t2t', '--format=%N', '--all');
  assert.match(notes, /"result":"(succeeded|stopped)"/);
  const texts = [...outputs, notes, ...files.map((f) => readFileSync(f, 'latin1'))];
  for (const s of secrets) {
    const leak = texts.findIndex((t) => t.includes(s));
    assert.is(leak, -1, `secret ${s.slice(0, 3)}… found in ${leak < outputs.length ? 'an output' : leak === outputs.length ? 'the apply records' : files[leak - outputs.length - 1]}`);
  }
});

test.run();
