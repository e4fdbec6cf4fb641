// The cutover notification after a run that stopped between recording its intent and recording
// the send: a message Sent Items shows is stamped, not sent again; one Sent Items does not show
// yet (Exchange saves the sent item a moment after sendMail answers) fails the step with
// apply.notificationUnconfirmed instead of sending a second e-mail; an intent older than the
// settling time without a sent item was a run that stopped before sending, and it sends.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createTenantClient, type TenantClient } from '../../engine/tenant/client.js';
import { Mutex, type UserRun } from '../../engine/apply/step-types.js';
import { SENT_ITEMS_SETTLE_MS } from '../../engine/resources/notification/steps.js';
import { T2tError } from '../../engine/errors.js';
import { startEmulator, testConfig, type RunningEmulator } from '../helpers/emulator.js';
import { emulatorTenant, secretsEnv } from '../tenant/fixtures.js';
import { SPE_E3 } from '../emulator/content/setup.js';
import { marker, sentMail } from './tenant-view.js';
import { runStep } from './step-harness.js';

let emu: RunningEmulator;
let client: TenantClient;
let sender: string;

test.before(async () => {
  emu = await startEmulator(testConfig());
  client = createTenantClient({ dir: '/' }, emulatorTenant(emu, 'fabrikam'), { env: secretsEnv() });
  sender = (await licensedUser('migration@fabrikam.com')).id;
});
test.after(async () => {
  await client?.close();
  await emu?.stop();
});

async function licensedUser(upn: string): Promise<{ id: string }> {
  const nick = upn.split('@')[0]!;
  const u = await client.graph.post<{ id: string }>('/users', { accountEnabled: true, displayName: nick, mailNickname: nick, userPrincipalName: upn, usageLocation: 'US', passwordProfile: { password: 'Xx1!xxxxxxxxxxxx' } });
  await client.graph.post(`/users/${u.id}/assignLicense`, { addLicenses: [{ skuId: SPE_E3, disabledPlans: [] }], removeLicenses: [] });
  return u;
}

/** A target user whose marker says a run was about to notify it `ago` milliseconds before now. */
async function interrupted(name: string, ago: number): Promise<{ user: UserRun; id: string; intent: string }> {
  const u = await licensedUser(`${name}@fabrikam.com`);
  const intent = new Date(Date.now() - ago).toISOString();
  await client.graph.post(`/users/${u.id}/extensions`, { '@odata.type': 'microsoft.graph.openTypeExtension', extensionName: 'dev.t2t.migration', sourceTenant: 'contoso', sourceUserId: `src-${name}`, wave: 'w1', notificationSendingAt: intent });
  return { id: u.id, intent, user: { user: `${name}@contoso.com`, wave: 'w1', targetUserId: u.id, identity: { sourceTenant: 'contoso', sourceUserId: `src-${name}`, wave: 'w1' }, markerLock: new Mutex() } };
}

const params = (name: string) => ({ from: sender, to: `${name}@fabrikam.com`, subject: `Your mailbox has moved, ${name}`, body: 'Welcome.' });
const sentTo = async (name: string) => (await sentMail(emu, 'fabrikam')).filter((m) => (m['to'] as string[]).includes(`${name}@fabrikam.com`)).length;

test('an intent of a minute ago that Sent Items does not show: the step fails with apply.notificationUnconfirmed, nothing is sent, the intent is kept', async () => {
  const { user, id, intent } = await interrupted('recent', 60_000);
  const failure = await runStep('notification.send', params('recent'), { client, user }).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(failure instanceof T2tError, String(failure));
  assert.is((failure as T2tError).code, 'apply.notificationUnconfirmed');
  assert.match((failure as T2tError).message, /recent@fabrikam\.com/);
  assert.match((failure as T2tError).hint ?? '', new RegExp(new Date(Date.parse(intent) + SENT_ITEMS_SETTLE_MS).toISOString().slice(0, 16)));
  assert.is(await sentTo('recent'), 0, 'not sent');
  const m = await marker(emu, 'fabrikam', id);
  assert.is(m?.['notificationSendingAt'], intent);
  assert.is(m?.['notificationSentAt'], undefined);
});

test('an intent older than the settling time without a sent item: sent once, and stamped', async () => {
  const { user, id } = await interrupted('stale', SENT_ITEMS_SETTLE_MS + 60_000);
  const r = await runStep('notification.send', params('stale'), { client, user });
  assert.match(r.note, /notification sent/);
  assert.is(await sentTo('stale'), 1);
  const m = await marker(emu, 'fabrikam', id);
  assert.ok(m?.['notificationSentAt']);
  assert.is(m?.['notificationSendingAt'], undefined);
  // and a further run sends nothing
  assert.match((await runStep('notification.send', params('stale'), { client, user })).note, /already sent/);
  assert.is(await sentTo('stale'), 1);
});

test('an intent whose message Sent Items shows: stamped as sent, not sent again', async () => {
  const { user, id } = await interrupted('shown', 30_000);
  const p = params('shown');
  await client.graph.post(`/users/${sender}/sendMail`, { message: { subject: p.subject, body: { contentType: 'Text', content: p.body }, toRecipients: [{ emailAddress: { address: p.to } }] }, saveToSentItems: true });
  const r = await runStep('notification.send', p, { client, user });
  assert.match(r.note, /not sent again/);
  assert.is(await sentTo('shown'), 1);
  assert.ok((await marker(emu, 'fabrikam', id))?.['notificationSentAt']);
});

test('a send the service refuses (the sender has no mailbox) records no intent: the next run may send at once', async () => {
  const u = await licensedUser('refused@fabrikam.com');
  await client.graph.post(`/users/${u.id}/extensions`, { '@odata.type': 'microsoft.graph.openTypeExtension', extensionName: 'dev.t2t.migration', sourceTenant: 'contoso', sourceUserId: 'src-refused', wave: 'w1' });
  const mailless = await client.graph.post<{ id: string }>('/users', { accountEnabled: true, displayName: 'No mailbox', mailNickname: 'nomailbox', userPrincipalName: 'nomailbox@fabrikam.com', passwordProfile: { password: 'Xx1!xxxxxxxxxxxx' } });
  const user: UserRun = { user: 'refused@contoso.com', wave: 'w1', targetUserId: u.id, identity: { sourceTenant: 'contoso', sourceUserId: 'src-refused', wave: 'w1' }, markerLock: new Mutex() };
  const failure = await runStep('notification.send', { ...params('refused'), from: mailless.id }, { client, user }).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(failure instanceof T2tError, String(failure));
  assert.ok(((failure as T2tError & { details?: { status?: number } }).details?.status ?? 0) >= 400);
  const m = await marker(emu, 'fabrikam', u.id);
  assert.is(m?.['notificationSendingAt'], undefined, 'no intent left behind');
  assert.is(await sentTo('refused'), 0);
});

test.run();
