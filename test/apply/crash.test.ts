// Crash safety: `t2t apply` as a child process, SIGKILLed at seeded points of its run (after the
// K-th finished step), then run again; the reruns converge to the declared phases with no
// duplicate user, contact, group member or notification. And the same under the emulator's
// faults (errors, throttling, replication lag).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunningEmulator } from '../helpers/emulator.js';
import { SENT_ITEMS_SETTLE_MS } from '../../engine/resources/notification/steps.js';
import { rawRequest } from '../helpers/graph.js';
import { exampleProject, startExampleEmulator, type ExampleProject } from './fixture.js';
import { contactsTagged, groupMembers, marker, sentMail, userByUpn, usersWith, type Obj } from './tenant-view.js';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'engine', 'cli', 'bin.js');
const PHASES = { 'wave-01-pilot': 'cutover', 'wave-02-sales': 'prepared' };

/** Finished steps in the job logs so far. */
function stepsDone(dir: string): number {
  const root = join(dir, '.t2t', 'logs');
  if (!existsSync(root)) return 0;
  let n = 0;
  for (const w of readdirSync(root)) for (const f of readdirSync(join(root, w))) n += (readFileSync(join(root, w, f), 'utf8').match(/"event":"step\.done"/g) ?? []).length;
  return n;
}

/** Run apply as a child; SIGKILL it once `killAfter` more steps finished (never, when undefined). */
function applyChild(p: ExampleProject, killAfter?: number): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  const base = stepsDone(p.dir);
  const child = spawn(process.execPath, [BIN, 'apply', p.dir, '--auto-approve'], { env: { ...process.env, ...p.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c));
  child.stderr.on('data', (c: Buffer) => (stderr += c));
  const timer =
    killAfter === undefined
      ? undefined
      : setInterval(() => {
          if (stepsDone(p.dir) - base >= killAfter) child.kill('SIGKILL');
        }, 5);
  return new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      if (timer) clearInterval(timer);
      resolve({ code, signal, stdout, stderr });
    }),
  );
}

async function assertConverged(emu: RunningEmulator, p: ExampleProject, label: string) {
  for (const name of ['alice', 'bob', 'carol', 'dave', 'erin', 'frank']) {
    const source = (await userByUpn(emu, 'contoso', `${name}@contoso.com`))!;
    const targets = await usersWith(emu, 'fabrikam', `mail eq '${name}@fabrikam.com'`);
    assert.is(targets.length, 1, `${label}: one target user for ${name}`);
    // (a user that goes straight to cutover never needs the routing contact)
    assert.ok((await contactsTagged(emu, 'fabrikam', `t2t:${source.id}`)).length <= 1, `${label}: at most one target contact for ${name}`);
    assert.ok((await contactsTagged(emu, 'contoso', `t2t:${source.id}`)).length <= 1, `${label}: at most one source contact for ${name}`);
  }
  for (const [tenant, group] of [['fabrikam', 'Sales'], ['fabrikam', 'T2T-Rewrite-DayOne'], ['contoso', 'T2T-Rewrite-DayOne']] as const) {
    const members = (await groupMembers(emu, tenant, group))!;
    assert.ok(members, `${label}: group ${group} exists once in ${tenant}`);
    assert.is(new Set(members).size, members.length, `${label}: no duplicate member in ${group}`);
  }
  const mails = (await sentMail(emu, 'fabrikam')) as Obj[];
  for (const to of ['alice@fabrikam.com', 'bob@fabrikam.com']) assert.is(mails.filter((m) => (m.to as string[]).includes(to)).length, 1, `${label}: one notification to ${to}`);
  const out = await applyJson(p);
  // on failure, say what was still planned and what each step found
  assert.is(out.result, 'no-changes', `${label}: converged; still planned: ${describe(changesOf(out)) || 'nothing'}`);
  assert.is(out.writes, 0);
}

/** A run killed between recording that it is about to send a cutover notification and recording the
 *  send leaves an intent that apply honours for SENT_ITEMS_SETTLE_MS (the message may be on its way
 *  to Sent Items). Let that time pass: move such intents back by it. */
async function letNotificationIntentsSettle(emu: RunningEmulator): Promise<void> {
  for (const name of ['alice', 'bob']) {
    const target = (await usersWith(emu, 'fabrikam', `mail eq '${name}@fabrikam.com'`))[0];
    const m = target && (await marker(emu, 'fabrikam', String(target['id'])));
    const intent = m?.['notificationSendingAt'];
    if (typeof intent !== 'string' || m?.['notificationSentAt']) continue;
    const rest = Object.fromEntries(Object.entries(m!).filter(([k]) => !k.startsWith('@') && k !== 'id'));
    const r = await rawRequest(emu, 'fabrikam', 'PATCH', `/v1.0/users/${String(target!['id'])}/extensions/dev.t2t.migration`, { ...rest, notificationSendingAt: new Date(Date.parse(intent) - SENT_ITEMS_SETTLE_MS).toISOString() });
    assert.ok(r.status < 300, `PATCH marker: ${r.status}`);
  }
}

async function applyJson(p: ExampleProject): Promise<Obj> {
  const r = await p.apply('--output', 'json');
  assert.is(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Obj;
}

const changesOf = (out: Obj) => (out.changes as Obj[] | undefined) ?? [];
const describe = (changes: Obj[]) => changes.map((c) => `${String(c.op)} ${String(c.user)} (${String(c.status)}, ${String(c.writes)} writes${c.note ? `, ${String(c.note)}` : ''})`).join('; ');

test('SIGKILL at seeded points, then rerun: converges without duplicates', async () => {
  const emu = await startExampleEmulator({ faults: { latencyMs: 15 } });
  const p = exampleProject(emu, { phases: PHASES });
  try {
    for (const k of [2, 7, 13, 21]) {
      const r = await applyChild(p, k);
      assert.ok(r.signal === 'SIGKILL' || r.code === 0, `run killed after ${k} steps: ${r.stderr}`);
    }
    await letNotificationIntentsSettle(emu);
    let last = await applyChild(p);
    for (let i = 0; i < 3 && last.code !== 0; i++) last = await applyChild(p);
    assert.is(last.code, 0, last.stderr + last.stdout);
    assert.match(last.stdout + last.stderr, /Apply complete|No changes/);
    await assertConverged(emu, p, 'after crashes');
  } finally {
    await emu.stop();
    p.cleanup();
  }
});

test('under faults (errors, throttling, replication lag) reruns converge', async () => {
  const emu = await startExampleEmulator({
    limits: { timeScale: 0.01 },
    faults: { errorRate: 0.1, throttleRate: 0.1, replicationLagMs: 200, seed: 7 },
  });
  const p = exampleProject(emu, { phases: PHASES });
  try {
    let result = '';
    for (let i = 0; i < 8 && result !== 'succeeded' && result !== 'no-changes'; i++) {
      // a send answered 500 may have gone out: its intent holds the notification for a while
      if (i > 0) await letNotificationIntentsSettle(emu);
      const r = await p.apply('--output', 'json');
      result = r.stdout ? (JSON.parse(r.stdout) as Obj).result : `error: ${r.stderr}`;
    }
    assert.ok(result === 'succeeded' || result === 'no-changes', result);
    await assertConverged(emu, p, 'under faults');
  } finally {
    await emu.stop();
    p.cleanup();
  }
});

test.run();
