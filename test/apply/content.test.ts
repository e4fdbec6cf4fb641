// Content through apply: the pilot wave synced with every workload of the example's profile. The
// target mailbox, archive and OneDrive hold what the source holds (full fidelity: no drafts), the
// watermarks land in the marker, and a second apply copies nothing and writes nothing.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Client } from '@microsoft/microsoft-graph-client';
import type { RunningEmulator } from '../helpers/emulator.js';
import { graphClient } from '../helpers/graph.js';
import { exampleProject, startExampleEmulator, type ExampleProject } from './fixture.js';

let emu: RunningEmulator;
let p: ExampleProject;
let contoso: Client;
let fabrikam: Client;

interface Message { subject: string; isDraft: boolean; receivedDateTime: string }

async function messages(c: Client, upn: string): Promise<Message[]> {
  const out: Message[] = [];
  let page = (await c.api(`/users/${upn}/messages`).select('subject,isDraft,receivedDateTime').top(100).get()) as { value: Message[]; '@odata.nextLink'?: string };
  out.push(...page.value);
  while (page['@odata.nextLink']) {
    page = (await c.api(page['@odata.nextLink']).get()) as typeof page;
    out.push(...page.value);
  }
  return out;
}

async function driveNames(c: Client, upn: string): Promise<string[]> {
  const r = (await c.api(`/users/${upn}/drive/root/children`).select('name,size').get()) as { value: { name: string; size: number }[] };
  return r.value.map((i) => `${i.name}:${i.size}`).sort();
}

// subject, date and draft state: a full-fidelity copy keeps all three (MIME import would make drafts)
const key = (m: Message) => `${m.subject}|${m.receivedDateTime}|${m.isDraft}`;

test.before(async () => {
  emu = await startExampleEmulator();
  p = exampleProject(emu, { workloads: ['mailbox', 'archive', 'onedrive'], phases: { 'wave-01-pilot': 'synced', 'wave-02-sales': 'discovered' } });
  contoso = await graphClient(emu, 'contoso');
  fabrikam = await graphClient(emu, 'fabrikam');
});
test.after(async () => {
  await emu?.stop();
  p?.cleanup();
});

test('synced: mailbox and OneDrive content copied with full fidelity, watermarks in the marker', async () => {
  const r = await p.apply('--output', 'json');
  assert.is(r.code, 0, r.stderr + r.stdout);
  for (const user of ['alice', 'bob']) {
    const source = await messages(contoso, `${user}@contoso.com`);
    assert.ok(source.length >= 20, `${user} has mail in the source`);
    // every source item exactly once (bob's target mailbox existed before, with mail of its own)
    const target = new Map<string, number>();
    for (const m of await messages(fabrikam, `${user}@fabrikam.com`)) target.set(key(m), (target.get(key(m)) ?? 0) + 1);
    for (const m of source) assert.is(target.get(key(m)), 1, `${user}: '${m.subject}' copied exactly once`);
    assert.equal(await driveNames(fabrikam, `${user}@fabrikam.com`), await driveNames(contoso, `${user}@contoso.com`), `${user}: OneDrive files`);
    const ext = (await fabrikam.api(`/users/${user}@fabrikam.com/extensions/dev.t2t.migration`).get()) as Record<string, unknown>;
    const sync = JSON.parse(String(ext['sync'])) as Record<string, { initialDoneAt?: string; items: number }>;
    assert.ok(sync['mailbox']?.initialDoneAt, `${user}: mailbox initial sync recorded`);
    assert.ok(sync['onedrive']?.initialDoneAt, `${user}: OneDrive initial sync recorded`);
  }
});

test('a second apply copies nothing and writes nothing; a delta sync copies only what is new', async () => {
  const again = await p.apply('--output', 'json');
  assert.is(again.code, 0, again.stderr);
  assert.is(JSON.parse(again.stdout).writes, 0);

  await contoso.api('/users/alice@contoso.com/mailFolders/inbox/messages').post({ subject: 'After the initial sync', body: { contentType: 'text', content: 'new' } });
  const before = (await messages(fabrikam, 'alice@fabrikam.com')).length;
  const delta = await p.apply('--delta-sync', '--output', 'json');
  assert.is(delta.code, 0, delta.stderr + delta.stdout);
  const after = await messages(fabrikam, 'alice@fabrikam.com');
  assert.is(after.length, before + 1, 'exactly the new item arrives');
  assert.ok(after.some((m) => m.subject === 'After the initial sync'));
  const bob = await messages(fabrikam, 'bob@fabrikam.com');
  assert.is(bob.filter((m) => m.subject === 'After the initial sync').length, 0);

  // the job log says what each delta sync copied, not the totals as if it had copied them again
  const log = await p.cli('logs', '--user', 'alice@contoso.com', '--output', 'json');
  assert.is(log.code, 0, log.stderr);
  const notes = log.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string; op?: string; message?: string })
    .filter((e) => e.event === 'step.done' && e.op === 'contentSync.delta').map((e) => e.message ?? '');
  const mailbox = notes.find((m) => m.startsWith('delta sync of mailbox: '));
  assert.match(mailbox ?? '', /^delta sync of mailbox: copied 1 items, [1-9]\d* bytes \(\d+ items, \d+ bytes in all\)/);
  assert.match(notes.find((m) => m.startsWith('delta sync of onedrive: ')) ?? '', /^delta sync of onedrive: copied 0 items, 0 bytes \(/);
});

test.run();
