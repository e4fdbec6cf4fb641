// The example project applied against the emulator over HTTPS, phase by phase, with every effect
// of SPEC section 3 checked in both tenants through the emulator's own Graph and Exchange APIs;
// then a second apply that makes no write, the guest wave, dry run, and the lock.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunningEmulator } from '../helpers/emulator.js';
import { exampleProject, startExampleEmulator, type ExampleProject } from './fixture.js';
import { contactsTo, groupMembers, sentInvitations, sentMail, userByUpn, usersWith, userView, type Obj } from './tenant-view.js';
import { acquireLock } from '../../engine/state/lock.js';
import { stateDir } from '../../engine/state/paths.js';
import { existsSync, rmSync } from 'node:fs';

let emu: RunningEmulator;
let p: ExampleProject;

const json = (s: string) => JSON.parse(s) as Obj;
const x500s = (r: Obj | undefined) => ((r?.EmailAddresses ?? []) as string[]).filter((a) => /^x500:/i.test(a)).map((a) => a.slice(5).toLowerCase()).sort();

test.before(async () => {
  emu = await startExampleEmulator();
  p = exampleProject(emu);
});
test.after(async () => {
  await emu?.stop();
  p?.cleanup();
});

test('first apply: wave-01 synced, wave-02 prepared, wave-03 untouched', async () => {
  const r = await p.apply('--output', 'json');
  assert.is(r.code, 0, r.stderr + r.stdout);
  const out = json(r.stdout);
  assert.is(out.result, 'succeeded');
  assert.ok(out.writes > 0);

  // prepared (carol, created): mapped attributes, MEU to the source address, hidden; a visible routing contact
  const carol = await userView(emu, 'carol@contoso.com', 'carol@fabrikam.com');
  assert.ok(carol.target, 'carol created in fabrikam');
  assert.is(carol.target!.jobTitle, 'Account Manager (Sales)');
  assert.is(carol.target!.companyName, 'Fabrikam');
  assert.is(carol.target!.usageLocation, 'US');
  assert.is(carol.targetRecipient!.RecipientType, 'MailUser');
  assert.is(carol.targetRecipient!.ExternalEmailAddress, 'SMTP:carol@contoso.com');
  assert.is(carol.targetRecipient!.HiddenFromAddressListsEnabled, true);
  assert.is(carol.targetContacts.length, 1);
  assert.is(carol.targetContacts[0]!.ExternalEmailAddress, 'SMTP:carol@contoso.com');
  assert.is(carol.targetContacts[0]!.HiddenFromAddressListsEnabled, false);
  assert.ok(carol.targetContacts[0]!.LegacyExchangeDN);
  assert.is(carol.marker!.phase, 'prepared');
  assert.is(carol.marker!.createdByT2t, true);
  assert.is(carol.marker!.sourceUserId, carol.source.id);
  assert.equal((carol.target!.assignedLicenses as unknown[]).length, 0, 'no licence before synced');

  // dave matched by employeeId: updated, not created
  assert.is((await usersWith(emu, 'fabrikam', "employeeId eq 'E1004'")).length, 1);
  // group mapping: erin and frank (Sales Team members) in Sales
  const erin = (await userByUpn(emu, 'fabrikam', 'erin@fabrikam.com'))!;
  const frank = (await userByUpn(emu, 'fabrikam', 'frank@fabrikam.com'))!;
  assert.equal((await groupMembers(emu, 'fabrikam', 'Sales'))!.sort(), [erin.id, frank.id].sort());

  // synced (alice): licensed (first SKU with free units), mailbox forwarding to the source
  const alice = await userView(emu, 'alice@contoso.com', 'alice@fabrikam.com');
  assert.is(alice.marker!.phase, 'synced');
  assert.is((alice.target!.assignedLicenses as unknown[]).length, 1);
  // the marker records the licence as t2t's, for a rollback to remove that one only
  const skuId = String((alice.target!.assignedLicenses as { skuId: string }[])[0]!.skuId).toLowerCase();
  assert.equal(alice.marker!.licensesAssigned, [skuId]);
  assert.is(alice.targetRecipient!.RecipientType, 'UserMailbox');
  assert.is(alice.targetRecipient!.HiddenFromAddressListsEnabled, true);
  assert.is(String(alice.targetRecipient!.ForwardingSmtpAddress).toLowerCase(), 'smtp:alice@contoso.com');
  assert.is(alice.targetContacts.length, 1);
  // email rewrite DayOne: source and target groups
  assert.ok((await groupMembers(emu, 'contoso', 'T2T-Rewrite-DayOne'))!.includes(alice.source.id));
  assert.ok((await groupMembers(emu, 'fabrikam', 'T2T-Rewrite-DayOne'))!.includes(alice.target!.id));

  // discovered (peggy): nothing
  assert.is((await usersWith(emu, 'fabrikam', "mail eq 'peggy@contoso.com'")).length, 0);
});

test('a second apply plans nothing and writes nothing', async () => {
  const r = await p.apply('--output', 'json');
  assert.is(r.code, 0, r.stderr);
  const out = json(r.stdout);
  assert.is(out.result, 'no-changes');
  assert.is(out.writes, 0);
  assert.equal(out.changes, []);
});

test('deleting .t2t loses no progress: the next plan rediscovers and finds nothing to do, status the same phases', async () => {
  const before = await p.cli('status', '--output', 'json');
  assert.is(before.code, 0, before.stderr);
  rmSync(stateDir(p.dir, p.env), { recursive: true, force: true });
  const plan = await p.cli('plan', '--output', 'json', '--detailed-exitcode');
  assert.is(plan.code, 0, plan.stderr + plan.stdout);
  assert.equal(json(plan.stdout).changes, []);
  assert.ok(existsSync(stateDir(p.dir, p.env)), 'rediscovered into .t2t');
  const after = await p.cli('status', '--output', 'json');
  assert.is(after.code, 0, after.stderr);
  const phases = (s: string) => (json(s).waves as Obj[]).map((w) => [w.name, (w.users as Obj[]).map((u) => [u.source, u.target, u.phase])]);
  assert.equal(phases(after.stdout), phases(before.stdout));
});

test('--dry-run runs the steps, sends no write and prints the writes it would send', async () => {
  p.setWave('wave-02-sales', { phase: 'synced' });
  p.commit('wave-02 synced');
  const before = await userView(emu, 'carol@contoso.com', 'carol@fabrikam.com');
  const r = await p.apply('--dry-run');
  assert.is(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /Writes apply would send \(\d+\):/);
  assert.match(r.stdout, /fabrikam: POST \/users\/[0-9a-f-]+\/assignLicense/);
  assert.match(r.stdout, /fabrikam: Set-Mailbox .*ForwardingSmtpAddress/);
  assert.match(r.stdout, /Dry run complete: \d+ done, 0 failed, 0 skipped/);
  const after = await userView(emu, 'carol@contoso.com', 'carol@fabrikam.com');
  assert.equal(after.target!.assignedLicenses, before.target!.assignedLicenses);
  assert.equal(after.marker, before.marker);
  assert.is(after.targetRecipient!.RecipientType, 'MailUser');
  // and the real apply then does it
  const real = await p.apply('--output', 'json');
  assert.is(json(real.stdout).result, 'succeeded', real.stderr);
  const synced = await userView(emu, 'carol@contoso.com', 'carol@fabrikam.com');
  assert.is(synced.targetRecipient!.RecipientType, 'UserMailbox');
  assert.is(synced.marker!.phase, 'synced');
});

test('cutover: every step of the sequence in both tenants', async () => {
  const before = await userView(emu, 'alice@contoso.com', 'alice@fabrikam.com');
  const contactDn = String(before.targetContacts[0]!.LegacyExchangeDN).toLowerCase();
  const sourceDn = String(before.sourceMailbox.LegacyExchangeDN).toLowerCase();
  p.setWave('wave-01-pilot', { phase: 'cutover' });
  p.commit('wave-01 cutover');
  const r = await p.apply('--output', 'json');
  assert.is(r.code, 0, r.stderr + r.stdout);
  assert.is(json(r.stdout).result, 'succeeded');

  const a = await userView(emu, 'alice@contoso.com', 'alice@fabrikam.com');
  // target side: mailbox visible, its forwarding removed, contact hidden without LegacyExchangeDN,
  // both DNs stamped as X500 on the target user
  assert.is(a.targetRecipient!.HiddenFromAddressListsEnabled, false);
  assert.not.ok(a.targetRecipient!.ForwardingSmtpAddress);
  assert.is(a.targetContacts.length, 1);
  assert.is(a.targetContacts[0]!.HiddenFromAddressListsEnabled, true);
  assert.not.ok(a.targetContacts[0]!.LegacyExchangeDN);
  assert.equal(x500s(a.targetRecipient), [contactDn, sourceDn].sort());
  // source side: mailbox hidden, store-and-forward to the target, a routing contact
  assert.is(a.sourceMailbox.HiddenFromAddressListsEnabled, true);
  assert.is(String(a.sourceMailbox.ForwardingSmtpAddress).toLowerCase(), 'smtp:alice@fabrikam.com');
  assert.is(a.sourceMailbox.DeliverToMailboxAndForward, true);
  assert.is(a.sourceContacts.length, 1);
  assert.is(a.sourceContacts[0]!.ExternalEmailAddress, 'SMTP:alice@fabrikam.com');
  // the notification, once, and the marker
  const mails = (await sentMail(emu, 'fabrikam')).filter((m) => (m.to as string[]).includes('alice@fabrikam.com'));
  assert.is(mails.length, 1);
  assert.is(mails[0]!.subject, 'Your mailbox has moved to Fabrikam');
  assert.is(a.marker!.phase, 'cutover');
  assert.ok(a.marker!.notificationSentAt);
  assert.ok(a.marker!.cutoverStartedAt);
  // DayOne membership stays after cutover
  assert.ok((await groupMembers(emu, 'fabrikam', 'T2T-Rewrite-DayOne'))!.includes(a.target!.id));

  const again = await p.apply('--output', 'json');
  assert.is(json(again.stdout).writes, 0);
  assert.is(json(again.stdout).result, 'no-changes');
});

test('a rollback past the point of no return: the users are refused and left as they are, apply exits 1', async () => {
  p.setWave('wave-01-pilot', { phase: 'synced' });
  p.commit('wave-01 back to synced, after the notification');
  const r = await p.apply('--output', 'json');
  assert.is(r.code, 1, r.stderr + r.stdout);
  assert.match(r.stderr, /error: \d+ users? refused, left as (it is|they are): alice@contoso\.com \(wave-01-pilot\): cannot go back to synced: the cutover notification was sent on /);
  assert.match(r.stderr, /hint: the other changes were applied; set the phase of these users back/);
  const out = json(r.stdout);
  assert.ok((out.refused as Obj[]).some((x) => x.user === 'alice@contoso.com' && x.wave === 'wave-01-pilot'));
  assert.is(out.writes, 0);
  // alice keeps her cutover: the source still forwards to the target, which is visible
  const a = await userView(emu, 'alice@contoso.com', 'alice@fabrikam.com');
  assert.is(String(a.sourceMailbox.ForwardingSmtpAddress).toLowerCase(), 'smtp:alice@fabrikam.com');
  assert.is(a.targetRecipient!.HiddenFromAddressListsEnabled, false);
  assert.is(a.marker!.phase, 'cutover');
  // the text apply says it too, and the next tests start from the cutover again
  const text = await p.apply();
  assert.is(text.code, 1);
  assert.match(text.stdout, /Refused:\n {2}alice@contoso\.com \(wave-01-pilot\): cannot go back to synced/);
  // and history shows the commit applied, with what was refused (the apply changed nothing)
  const history = await p.cli('history', '--user', 'alice@contoso.com');
  assert.is(history.code, 0, history.stderr);
  assert.match(history.stdout, /: refused \(0 changes: 0 done, 0 failed, 0 skipped, 1 user refused\)/);
  // the same refusal again (a second apply, or a controller on its schedule) is recorded once
  assert.is(history.stdout.match(/: refused \(/g)!.length, 1, history.stdout);
  assert.match(history.stdout, /\n {6}refused alice@contoso\.com \(wave-01-pilot\): cannot go back to synced: the cutover notification was sent on /);
  p.setWave('wave-01-pilot', { phase: 'cutover' });
  p.commit('wave-01 at cutover again');
  assert.is((await p.apply()).code, 0);
});

test('guests: created without invitation, invited once on request, converted at synced', async () => {
  p.setWave('wave-03-partners', { phase: 'prepared' });
  p.commit('partners prepared');
  let r = await p.apply('--output', 'json');
  assert.is(r.code, 0, r.stderr + r.stdout);
  const guests = await usersWith(emu, 'fabrikam', "mail eq 'peggy@contoso.com'");
  assert.is(guests.length, 1);
  assert.is(guests[0]!.userType, 'Guest');
  assert.is((await sentInvitations(emu, 'fabrikam')).length, 0);

  p.setWave('wave-03-partners', { inviteGuests: true });
  p.commit('invite partners');
  r = await p.apply('--output', 'json');
  assert.is(r.code, 0, r.stderr + r.stdout);
  r = await p.apply('--output', 'json');
  assert.is(json(r.stdout).writes, 0);
  const invited = (await sentInvitations(emu, 'fabrikam')).filter((i) => i.invitedUserEmailAddress === 'peggy@contoso.com');
  assert.is(invited.length, 1);

  p.setWave('wave-03-partners', { phase: 'synced' });
  p.commit('partners synced');
  r = await p.apply('--output', 'json');
  assert.is(r.code, 0, r.stderr + r.stdout);
  const peggy = await userByUpn(emu, 'fabrikam', 'peggy@fabrikam.com');
  assert.ok(peggy, 'converted with its target UPN');
  assert.is(peggy!.userType, 'Member');
  assert.is((await contactsTo(emu, 'fabrikam', 'peggy@contoso.com')).length, 0, 'guests get no routing contact');
});

test('a second apply while one holds the lock is refused, naming the holder', async () => {
  const lock = await acquireLock(stateDir(p.dir, p.env), { command: 'apply' });
  try {
    const r = await p.apply();
    assert.is(r.code, 1);
    assert.match(r.stderr, /error: the project is locked by 't2t apply' \(pid \d+/);
    assert.match(r.stderr, /hint: /);
  } finally {
    await lock.release();
  }
});

test.run();
