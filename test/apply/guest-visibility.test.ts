// The guest profile's visibility in the GAL, end to end against the emulator: Exchange gives each
// B2B guest a GuestMailUser hidden from the address lists, and guests made by the migration are
// visible (reference/power365/002). The plan that creates the guests unhides them, apply does it
// (Set-MailUser), the next plan has nothing left; a guest hidden again by hand is found by
// discovery and unhidden; conversion at synced and the way back still converge, and a guest kept
// when its wave goes back to discovered is hidden again.
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
  }
  assert.equal((await plan()).changes, []);
});

test('back to prepared, then discovered: the rollbacks apply and converge; visible at prepared, hidden once kept at discovered', async () => {
  p.setWave(WAVE, { phase: 'prepared' });
  p.commit('partners back to prepared');
  const back = await plan();
  assert.ok(back.changes.length > 0);
  assert.not.ok(back.changes.some((c) => c.resource === 'targetVisibility'), 'visibility is the same at prepared');
  assert.is((await apply()).result, 'succeeded');
  assert.equal((await plan()).changes, []);
  for (const name of GUESTS) assert.is((await guestRecipient(name))!.HiddenFromAddressListsEnabled, false, `${name}: visible at prepared`);
  p.setWave(WAVE, { phase: 'discovered' });
  p.commit('partners discovered');
  // converted and licensed, each is a mailbox nobody reads now: out of the address lists
  const hide = await plan();
  assert.equal(hide.changes.filter((c) => c.op === 'targetVisibility.hide').map((c) => String(c.user)).sort(), ['peggy@contoso.com', 'victor@contoso.com']);
  assert.is((await apply()).result, 'succeeded');
  assert.equal((await plan()).changes, []);
  for (const name of GUESTS) assert.is((await guestRecipient(name))!.HiddenFromAddressListsEnabled, true, `${name}: kept, hidden`);
});

test.run();
