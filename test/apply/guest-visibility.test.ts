// The guest profile's visibility in the GAL, end to end against the emulator: Exchange gives each
// B2B guest a GuestMailUser hidden from the address lists, and guests made by the migration are
// visible (reference/power365/002). The plan that creates the guests unhides them, apply does it
// (Set-MailUser), the next plan has nothing left; a guest hidden again by hand is found by
// discovery and unhidden; conversion at synced converges; a converted guest is refused going back
// to prepared (left as it is), and one kept when its wave goes back to discovered is hidden again.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunningEmulator } from '../helpers/emulator.js';
import { exampleProject, startExampleEmulator, type ExampleProject } from './fixture.js';
import { cmdlet, userByUpn, usersWith, type Obj } from './tenant-view.js';

let emu: RunningEmulator;
let p: ExampleProject;
const WAVE = 'wave-03-partners';
const GUESTS = ['peggy', 'victor'];

async function plan(): Promise<{ changes: Obj[]; orphans: Obj[] }> {
  const r = await p.cli('plan', '--wave', WAVE, '--output', 'json');
  assert.is(r.code, 0, r.stderr + r.stdout);
  return JSON.parse(r.stdout) as { changes: Obj[]; orphans: Obj[] };
}

async function apply(): Promise<Obj> {
  const r = await p.apply('--wave', WAVE, '--output', 'json');
  assert.is(r.code, 0, r.stderr + r.stdout);
  return JSON.parse(r.stdout) as Obj;
}

/** The recipient Exchange has for a source user's guest (by its external address, then by id). */
async function guestRecipient(name: string): Promise<Obj | undefined> {
  const users = await usersWith(emu, 'fabrikam', `mail eq '${name}@contoso.com'`);
  const id = (users[0] ?? (await userByUpn(emu, 'fabrikam', `${name}@fabrikam.com`)))?.id as string | undefined;
  return id ? (await cmdlet(emu, 'fabrikam', 'Get-Recipient', { Identity: id }))[0] : undefined;
}

/** `status --output csv`'s row of a wave-03 user: its source and target user types. */
async function csvTypes(name: string): Promise<[string, string]> {
  const r = await p.cli('status', '--wave', WAVE, '--output', 'csv');
  assert.is(r.code, 0, r.stderr);
  const row = r.stdout.split('\n').find((l) => l.split(',')[1] === `${name}@contoso.com`);
  assert.ok(row, r.stdout);
  const cells = row!.split(',');
  return [cells[2]!, cells[4]!];
}

const unhides = (changes: Obj[]) => changes.filter((c) => c.op === 'targetVisibility.show').map((c) => String(c.user)).sort();

test.before(async () => {
  emu = await startExampleEmulator();
  p = exampleProject(emu);
});
test.after(async () => {
  await emu?.stop();
  p?.cleanup();
});

test('prepared: the plan creates the guests and unhides them; apply does it; the next plan is empty', async () => {
  p.setWave(WAVE, { phase: 'prepared' });
  p.commit('partners prepared');
  const first = await plan();
  assert.equal(unhides(first.changes), ['peggy@contoso.com', 'victor@contoso.com']);
  const show = first.changes.find((c) => c.op === 'targetVisibility.show' && c.user === 'peggy@contoso.com')!;
  assert.is(show.summary, 'unhide guest peggy@contoso.com in the address lists');
  assert.equal(show.params.hiddenFromAddressListsEnabled, false);

  const out = await apply();
  assert.is(out.result, 'succeeded');
  for (const name of GUESTS) {
    const r = await guestRecipient(name);
    assert.ok(r, `${name}: the guest has a recipient`);
    assert.equal([r!.RecipientTypeDetails, r!.HiddenFromAddressListsEnabled], ['GuestMailUser', false], `${name}: a guest mail user shown in the GAL`);
  }
  const second = await plan();
  assert.equal(second.changes, [], JSON.stringify(second.changes.map((c) => c.summary)));
  assert.is((await apply()).writes, 0);
  // the CSV export's user types: the source user is a member, its target a guest (a guest's mail is
  // its source address, which once made the source read as Guest and the target as no user)
  for (const name of GUESTS) assert.equal(await csvTypes(name), ['Member', 'Guest'], name);
});

test('a guest hidden again by hand is seen by discovery and unhidden', async () => {
  const peggy = (await guestRecipient('peggy'))!;
  await cmdlet(emu, 'fabrikam', 'Set-MailUser', { Identity: peggy.Guid, HiddenFromAddressListsEnabled: true });
  // plan reads a fresh cache as it is: discover first (a delta read of what changed)
  const d = await p.cli('discover');
  assert.is(d.code, 0, d.stderr + d.stdout);
  const drift = await plan();
  assert.equal(unhides(drift.changes), ['peggy@contoso.com']);
  assert.is(drift.changes.length, 1, JSON.stringify(drift.changes.map((c) => c.summary)));
  await apply();
  assert.is((await guestRecipient('peggy'))!.HiddenFromAddressListsEnabled, false);
  assert.equal((await plan()).changes, []);
});

test('synced: converted to members, their recipient an ordinary (then licensed) one, still visible; converges', async () => {
  p.setWave(WAVE, { phase: 'synced' });
  p.commit('partners synced');
  const sync = await plan();
  assert.ok(sync.changes.some((c) => c.op === 'guestConversion.convert'));
  assert.equal(unhides(sync.changes), [], 'already visible');
  assert.is((await apply()).result, 'succeeded');
  for (const name of GUESTS) {
    const u = (await userByUpn(emu, 'fabrikam', `${name}@fabrikam.com`))!;
    assert.is(u.userType, 'Member');
    const r = (await guestRecipient(name))!;
    assert.not.equal(r.RecipientTypeDetails, 'GuestMailUser', `${name}: no longer a guest's recipient`);
    assert.is(r.HiddenFromAddressListsEnabled, false, `${name}: still visible`);
    assert.equal(await csvTypes(name), ['Member', 'Member'], `${name}: converted`);
  }
  assert.equal((await plan()).changes, []);
});

test('back to prepared is refused: converted, each keeps its mailbox forwarding to the source, visible; apply exits 1', async () => {
  const before = new Map<string, Obj>();
  for (const name of GUESTS) before.set(name, (await guestRecipient(name))!);
  for (const name of GUESTS) assert.is(String(before.get(name)!.ForwardingSmtpAddress).toLowerCase(), `smtp:${name}@contoso.com`, `${name}: forwards at synced`);
  p.setWave(WAVE, { phase: 'prepared' });
  p.commit('partners back to prepared');
  // a guest's prepared state (a B2B guest, shown, forwarding nothing) cannot be reached by a member:
  // planned anyway, the forwarding was removed and each licensed mailbox left shown, nobody reading it
  const r = await p.cli('plan', '--wave', WAVE, '--output', 'json');
  assert.is(r.code, 0, r.stderr + r.stdout);
  const back = JSON.parse(r.stdout) as { changes: Obj[]; refused: Obj[] };
  assert.equal(back.changes, [], JSON.stringify(back.changes.map((c) => c.summary)));
  assert.equal(back.refused.map((x) => String(x.user)).sort(), ['peggy@contoso.com', 'victor@contoso.com']);
  assert.match(String(back.refused[0]!.reason), /^cannot go back to prepared: the guest was converted to member (peggy|victor)@fabrikam\.com on \S+, which cannot be undone/);
  const a = await p.apply('--wave', WAVE, '--output', 'json');
  assert.is(a.code, 1, a.stderr + a.stdout);
  assert.match(a.stderr, /error: 2 users refused, left as they are: (peggy|victor)@contoso\.com \(wave-03-partners\): cannot go back to prepared/);
  assert.is((JSON.parse(a.stdout) as Obj).writes, 0);
  for (const name of GUESTS) {
    const now = (await guestRecipient(name))!;
    assert.equal(
      [now.RecipientTypeDetails, now.HiddenFromAddressListsEnabled, now.ForwardingSmtpAddress],
      [before.get(name)!.RecipientTypeDetails, false, before.get(name)!.ForwardingSmtpAddress],
      `${name}: left as it was`,
    );
  }
  const status = await p.cli('status', '--wave', WAVE);
  assert.match(status.stdout, /\n {2}peggy@contoso\.com +synced +peggy@fabrikam\.com {2}Blocked \/ GuestConverted: cannot go back to prepared: /);
});

test('released to discovered: hidden, forwarding removed, kept; converges', async () => {
  p.setWave(WAVE, { phase: 'discovered' });
  p.commit('partners discovered');
  // converted and licensed, each is a mailbox nobody reads now: out of the address lists
  const hide = await plan();
  assert.equal(hide.changes.filter((c) => c.op === 'targetVisibility.hide').map((c) => String(c.user)).sort(), ['peggy@contoso.com', 'victor@contoso.com']);
  assert.equal(hide.changes.filter((c) => c.op === 'targetForwarding.remove').map((c) => String(c.user)).sort(), ['peggy@contoso.com', 'victor@contoso.com']);
  assert.is((await apply()).result, 'succeeded');
  assert.equal((await plan()).changes, []);
  for (const name of GUESTS) {
    const r = (await guestRecipient(name))!;
    assert.is(r.HiddenFromAddressListsEnabled, true, `${name}: kept, hidden`);
    assert.not.ok(r.ForwardingSmtpAddress, `${name}: no forwarding`);
  }
});

test.run();
