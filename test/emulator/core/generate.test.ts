// The tenant generator: explicit users and groups, generated people with departments, managers,
// licences (so mailboxes exist), mail, archive items and files; the same seed gives the same tenant.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startEmulator, testConfig, type RunningEmulator } from '../../helpers/emulator.js';
import { exchangeInvoke, graphClient, rawRequest } from '../../helpers/graph.js';

type User = { id: string; userPrincipalName: string; department: string | null; jobTitle: string | null; employeeId: string | null };

const config = () => {
  const c = testConfig() as { tenants: Record<string, unknown>[] };
  Object.assign(c.tenants[0]!, {
    users: [
      { userPrincipalName: 'alice@contoso.com', mail: 'alice@contoso.com', displayName: 'Alice Archer', givenName: 'Alice', surname: 'Archer', department: 'IT', jobTitle: 'Engineer', employeeId: 'E1001', license: 'SPE_E3', mailboxItems: 3, archiveItems: 2, driveItems: 2 },
      { userPrincipalName: 'bob@contoso.com', displayName: 'Bob Baker', manager: 'alice@contoso.com' },
    ],
    groups: [{ displayName: 'Sales Team', members: ['alice@contoso.com', 'bob@contoso.com'] }],
    generate: { users: 12, groups: 10, mailboxItems: 1, archiveItems: 0, driveItems: 1, seed: 5 },
  });
  return c;
};

const emus: RunningEmulator[] = [];
test.after(async () => {
  await Promise.all(emus.map((e) => e.stop()));
});

const usersOf = async (emu: RunningEmulator): Promise<User[]> => {
  const client = await graphClient(emu, 'contoso');
  const r = (await client.api('/users').select('id,userPrincipalName,department,jobTitle,employeeId').top(999).get()) as { value: User[] };
  return r.value;
};

test('a generated tenant has explicit and generated users, managers, groups, licences, mail, archive and files', async () => {
  const emu = await startEmulator(config());
  emus.push(emu);
  const users = await usersOf(emu);
  assert.is(users.length, 14);
  const alice = users.find((u) => u.userPrincipalName === 'alice@contoso.com')!;
  assert.equal([alice.department, alice.jobTitle, alice.employeeId], ['IT', 'Engineer', 'E1001']);
  const bob = users.find((u) => u.userPrincipalName === 'bob@contoso.com')!;
  const mgr = await rawRequest(emu, 'contoso', 'GET', `/v1.0/users/${bob.id}/manager`);
  assert.is(mgr.body.id, alice.id, 'the explicit manager is set');
  const generated = users.filter((u) => u.employeeId?.startsWith('G'));
  assert.is(generated.length, 12);
  assert.ok(generated.every((u) => u.department && u.jobTitle && /@contoso\.com$/.test(u.userPrincipalName)));
  const worker = generated.find((u) => users.filter((x) => x.department === u.department).length > 1 && !/Director|Chief|VP|Head|Counsel/.test(u.jobTitle!));
  if (worker) assert.is((await rawRequest(emu, 'contoso', 'GET', `/v1.0/users/${worker.id}/manager`)).status, 200, 'a generated non-head has a manager');

  const groups = await rawRequest(emu, 'contoso', 'GET', '/v1.0/groups?$top=999');
  assert.is(groups.body.value.length, 11);
  // a generated department team does not take the configured "Sales Team"'s name
  const names = (groups.body.value as { displayName: string }[]).map((g) => g.displayName.toLowerCase());
  assert.is(new Set(names).size, names.length, names.join(', '));
  const sales = groups.body.value.find((g: { displayName: string }) => g.displayName === 'Sales Team');
  const members = await rawRequest(emu, 'contoso', 'GET', `/v1.0/groups/${sales.id}/members`);
  assert.equal(members.body.value.map((m: { id: string }) => m.id).sort(), [alice.id, bob.id].sort());

  const skus = await rawRequest(emu, 'contoso', 'GET', '/v1.0/subscribedSkus');
  const consumed = skus.body.value.reduce((n: number, s: { consumedUnits: number }) => n + s.consumedUnits, 0);
  assert.is(consumed, 13, 'alice (explicit licence) and the 12 generated users; bob has none');

  const mail = await rawRequest(emu, 'contoso', 'GET', `/v1.0/users/${alice.id}/messages?$top=50`);
  assert.is(mail.status, 200, JSON.stringify(mail.body));
  assert.is(mail.body.value.length, 3, 'the primary holds the mailbox items (archive items moved out)');
  for (const m of mail.body.value as { isDraft: boolean; receivedDateTime: string; from?: unknown }[]) {
    assert.is(m.isDraft, false, 'generated mail is received or sent mail, not drafts');
    assert.ok(m.from, 'with a sender');
  }
  const mime = await rawRequest(emu, 'contoso', 'GET', `/v1.0/users/${alice.id}/messages/${mail.body.value[0].id}/$value`);
  assert.match(mime.text, /^From: .+\r?\nTo: .+\r?\nSubject: /m);
  assert.match(emu.stderr(), /contoso: generated 14 users \(13 licensed\), 11 groups, 15 messages, 2 archive items, 14 files/);
});

test('a configured guest (userType: Guest) is generated as a B2B guest with its GuestMailUser, hidden', async () => {
  const c = testConfig() as { tenants: Record<string, unknown>[] };
  Object.assign(c.tenants[1]!, {
    users: [{ userPrincipalName: 'zoe_northwind.example#EXT#@fabrikam.onmicrosoft.com', mail: 'zoe@northwind.example', displayName: 'Zoe Zhang', userType: 'Guest' }],
  });
  const emu = await startEmulator(c);
  emus.push(emu);
  const u = await rawRequest(emu, 'fabrikam', 'GET', `/v1.0/users/${encodeURIComponent('zoe_northwind.example#EXT#@fabrikam.onmicrosoft.com')}?$select=id,userType,mail`);
  assert.equal([u.status, u.body.userType, u.body.mail], [200, 'Guest', 'zoe@northwind.example']);
  const r = await exchangeInvoke(emu, 'fabrikam', 'Get-MailUser', { Identity: 'zoe@northwind.example' });
  assert.is(r.status, 200, JSON.stringify(r.body));
  assert.equal([r.body.value[0].RecipientTypeDetails, r.body.value[0].HiddenFromAddressListsEnabled, r.body.value[0].ExternalDirectoryObjectId], ['GuestMailUser', true, u.body.id]);
});

test('the same seed generates the same people', async () => {
  const [a, b] = await Promise.all([startEmulator(config()), startEmulator(config())]);
  emus.push(a, b);
  const shape = (us: User[]) => us.map((u) => [u.userPrincipalName, u.department, u.jobTitle, u.employeeId].join('|')).sort();
  assert.equal(shape(await usersOf(a)), shape(await usersOf(b)));
});

test.run();
