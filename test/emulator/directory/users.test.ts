// /users over HTTPS with the real Graph client: create and its errors, read by id and UPN, $select
// and the v1.0 default property set, $filter variants, paging, $count, PATCH, DELETE, manager.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Client } from '@microsoft/microsoft-graph-client';
import { startEmulator, testConfig, type RunningEmulator } from '../../helpers/emulator.js';
import { graphClient, rawRequest } from '../../helpers/graph.js';
import { allPages, createUser } from './setup.js';

let emu: RunningEmulator;
let c: Client;

test.before(async () => {
  emu = await startEmulator(testConfig());
  c = await graphClient(emu, 'fabrikam');
});

test.after(async () => {
  await emu?.stop();
});

const post = (body: Record<string, unknown>) => rawRequest(emu, 'fabrikam', 'POST', '/v1.0/users', body);
const base = { accountEnabled: true, displayName: 'X', mailNickname: 'x', passwordProfile: { password: 'P@ss-1234' } };

test('POST /users creates a user answered with @odata.context and the default property set', async () => {
  const u = await createUser(c, 'Ann.Lee@fabrikam.com', { department: 'Sales', employeeId: 'E1', usageLocation: 'GB' });
  const got = (await c.api(`/users/${u.id}`).get()) as Record<string, unknown>;
  assert.is(got.userPrincipalName, 'Ann.Lee@fabrikam.com');
  assert.match(String(got['@odata.context']), /\/v1\.0\/\$metadata#users\/\$entity$/);
  assert.is(got.department, undefined, 'department is not in v1.0 default set');
  const sel = (await c.api(`/users/${u.id}`).select('department,employeeId,usageLocation,userType,accountEnabled').get()) as Record<string, unknown>;
  assert.equal([sel.department, sel.employeeId, sel.usageLocation, sel.userType, sel.accountEnabled], ['Sales', 'E1', 'GB', 'Member', true]);
  const byUpn = (await c.api('/users/ann.lee@FABRIKAM.com').get()) as { id: string };
  assert.is(byUpn.id, u.id, 'UPN lookup is case-insensitive');
});

test('POST /users refuses an unverified domain, a duplicate UPN and a missing required property with Graph errors', async () => {
  const foreign = await post({ ...base, userPrincipalName: 'x@contoso.com' });
  assert.is(foreign.status, 400);
  assert.is(foreign.body.error.code, 'Request_BadRequest');
  assert.match(foreign.body.error.message, /domain portion of the userPrincipalName property is invalid/);
  await createUser(c, 'dup@fabrikam.com');
  const dup = await post({ ...base, userPrincipalName: 'DUP@fabrikam.com' });
  assert.is(dup.status, 400);
  assert.is(dup.body.error.message, 'Another object with the same value for property userPrincipalName already exists.');
  const missing = await post({ accountEnabled: true, displayName: 'Y', mailNickname: 'y', userPrincipalName: 'y@fabrikam.com' });
  assert.is(missing.status, 400);
  assert.match(missing.body.error.message, /passwordProfile/);
  assert.ok(missing.body.error.innerError['request-id']);
  const onInitial = await post({ ...base, userPrincipalName: 'z@fabrikam.onmicrosoft.com' });
  assert.is(onInitial.status, 201, 'the initial domain is verified');
});

test('$filter: eq on upn/mail/employeeId, startswith, in, proxyAddresses/any, and/or, userType, accountEnabled', async () => {
  await createUser(c, 'f1@fabrikam.com', { mail: 'f1@fabrikam.com', employeeId: 'F-1', displayName: 'Filter One' });
  await createUser(c, 'f2@fabrikam.com', { mail: 'f2@fabrikam.com', employeeId: 'F-2', displayName: 'Filter Two', accountEnabled: false });
  const q = async (f: string) => ((await c.api('/users').filter(f).select('userPrincipalName').get()) as { value: { userPrincipalName: string }[] }).value.map((u) => u.userPrincipalName).sort();
  assert.equal(await q("userPrincipalName eq 'F1@fabrikam.com'"), ['f1@fabrikam.com']);
  assert.equal(await q("mail eq 'f2@fabrikam.com'"), ['f2@fabrikam.com']);
  assert.equal(await q("employeeId eq 'F-2'"), ['f2@fabrikam.com']);
  assert.equal(await q("startswith(displayName,'Filter')"), ['f1@fabrikam.com', 'f2@fabrikam.com']);
  assert.equal(await q("mail in ('f1@fabrikam.com','f2@fabrikam.com','none@fabrikam.com')"), ['f1@fabrikam.com', 'f2@fabrikam.com']);
  assert.equal(await q("proxyAddresses/any(p:p eq 'smtp:F1@fabrikam.com')"), ['f1@fabrikam.com']);
  assert.equal(await q("startswith(displayName,'Filter') and accountEnabled eq false"), ['f2@fabrikam.com']);
  assert.equal(await q("employeeId eq 'F-1' or employeeId eq 'F-2'"), ['f1@fabrikam.com', 'f2@fabrikam.com']);
  assert.ok((await q("userType eq 'Member'")).includes('f1@fabrikam.com'));
  const bad = await rawRequest(emu, 'fabrikam', 'GET', `/v1.0/users?$filter=${encodeURIComponent("favouriteColour eq 'red'")}`);
  assert.is(bad.status, 400);
  assert.is(bad.body.error.code, 'Request_UnsupportedQuery');
  const syntax = await rawRequest(emu, 'fabrikam', 'GET', `/v1.0/users?$filter=${encodeURIComponent("mail eq 'x")}`);
  assert.is(syntax.status, 400);
});

test('paging: $top pages with an absolute @odata.nextLink until every user is seen once; $top > 999 is refused', async () => {
  for (let i = 0; i < 7; i++) await createUser(c, `page${i}@fabrikam.com`, { department: 'Paging' });
  const first = (await c.api('/users').top(3).select('id,department').get()) as { value: { id: string }[]; '@odata.nextLink'?: string };
  assert.is(first.value.length, 3);
  assert.ok(first['@odata.nextLink']!.startsWith(`${emu.url}/v1.0/users?`), first['@odata.nextLink']);
  const all = await allPages(c, first);
  const total = ((await c.api('/users').top(999).get()) as { value: unknown[] }).value.length;
  assert.is(all.length, total);
  assert.is(new Set(all.map((u) => u.id)).size, total, 'no user twice');
  const tooBig = await rawRequest(emu, 'fabrikam', 'GET', '/v1.0/users?$top=1000');
  assert.is(tooBig.status, 400);
});

test('$count needs ConsistencyLevel: eventual: ignored on a list without it, the /$count segment refused', async () => {
  const ok = await rawRequest(emu, 'fabrikam', 'GET', `/v1.0/users?$count=true&$filter=${encodeURIComponent("department eq 'Paging'")}`, undefined, { ConsistencyLevel: 'eventual' });
  assert.is(ok.status, 200);
  assert.is(ok.body['@odata.count'], 7);
  // https://learn.microsoft.com/graph/aad-advanced-queries#error-handling-for-advanced-queries-on-directory-objects
  const ignored = await rawRequest(emu, 'fabrikam', 'GET', `/v1.0/users?$count=true&$filter=${encodeURIComponent("department eq 'Paging'")}`);
  assert.is(ignored.status, 200);
  assert.is(ignored.body.value.length, 7);
  assert.not.ok('@odata.count' in ignored.body, 'no count without the header');
  const segment = await rawRequest(emu, 'fabrikam', 'GET', '/v1.0/users/$count');
  assert.is(segment.status, 400);
  assert.equal([segment.body.error.code, segment.body.error.message], ['Request_BadRequest', '$count is not currently supported.']);
  const plain = await rawRequest(emu, 'fabrikam', 'GET', '/v1.0/users/$count', undefined, { ConsistencyLevel: 'eventual' });
  assert.ok(Number(plain.text) >= 7);
  const search = await rawRequest(emu, 'fabrikam', 'GET', '/v1.0/users?$search="displayName:Paging"');
  assert.equal([search.status, search.body.error.code], [400, 'Request_UnsupportedQuery']);
});

test('ne, not and endsWith are advanced queries: refused without ConsistencyLevel: eventual and $count=true, as Graph refuses them', async () => {
  await createUser(c, 'adv1@fabrikam.com', { mail: 'adv1@fabrikam.com', department: 'Advanced' });
  await createUser(c, 'adv2@fabrikam.com', { mail: 'adv2@fabrikam.com', department: 'Advanced', accountEnabled: false });
  const advanced = { ConsistencyLevel: 'eventual' };
  const get = (filter: string, headers: Record<string, string> = {}, count = false) =>
    rawRequest(emu, 'fabrikam', 'GET', `/v1.0/users?$filter=${encodeURIComponent(filter)}&$select=userPrincipalName${count ? '&$count=true' : ''}`, undefined, headers);
  const cases: [string, string][] = [
    ["department eq 'Advanced' and accountEnabled ne true", 'ne'],
    ["department eq 'Advanced' and not(accountEnabled eq true)", 'not'],
    ["endswith(mail,'dv2@fabrikam.com')", 'endsWith'],
    ["proxyAddresses/any(p:endswith(p,'dv2@fabrikam.com'))", 'endsWith'],
  ];
  for (const [filter, op] of cases) {
    for (const [headers, count] of [[{}, false], [advanced, false], [{}, true]] as const) {
      const r = await get(filter, headers, count);
      assert.is(r.status, 400, `${filter} (${JSON.stringify(headers)}, $count ${count})`);
      assert.is(r.body.error.code, 'Request_UnsupportedQuery');
      assert.is(r.body.error.message, `Operator '${op}' is not supported because the required parameters might be missing. Try adding $count=true query parameter and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more information`);
    }
    const ok = await get(filter, advanced, true);
    assert.is(ok.status, 200, filter);
    assert.equal(ok.body.value.map((u: { userPrincipalName: string }) => u.userPrincipalName), ['adv2@fabrikam.com'], filter);
    assert.is(ok.body['@odata.count'], 1);
  }
  // endsWith reads the address properties only, even in an advanced query.
  const name = await get("endswith(displayName,'x')", advanced, true);
  assert.equal([name.status, name.body.error.code, name.body.error.message], [400, 'Request_UnsupportedQuery', "Unsupported or invalid query filter clause specified for property 'displayName' of resource 'User'."]);
  // eq, startsWith, in and any() stay default queries.
  assert.is((await get("startswith(mail,'adv')")).status, 200);
});

test('PATCH updates properties (and the UPN index); read-only proxyAddresses is refused; DELETE removes', async () => {
  const u = await createUser(c, 'patch.me@fabrikam.com');
  await c.api(`/users/${u.id}`).patch({ jobTitle: 'Engineer', userPrincipalName: 'patched@fabrikam.com', onPremisesExtensionAttributes: { extensionAttribute3: 'x3' } });
  const got = (await c.api('/users/patched@fabrikam.com').select('jobTitle,onPremisesExtensionAttributes').get()) as { jobTitle: string; onPremisesExtensionAttributes: Record<string, string | null> };
  assert.is(got.jobTitle, 'Engineer');
  assert.is(got.onPremisesExtensionAttributes.extensionAttribute3, 'x3');
  assert.is((await rawRequest(emu, 'fabrikam', 'GET', '/v1.0/users/patch.me@fabrikam.com')).status, 404);
  const ro = await rawRequest(emu, 'fabrikam', 'PATCH', `/v1.0/users/${u.id}`, { proxyAddresses: ['SMTP:a@fabrikam.com'] });
  assert.is(ro.status, 400);
  await c.api(`/users/${u.id}`).delete();
  const gone = await rawRequest(emu, 'fabrikam', 'GET', `/v1.0/users/${u.id}`);
  assert.is(gone.status, 404);
  assert.is(gone.body.error.code, 'Request_ResourceNotFound');
  const again = await post({ ...base, userPrincipalName: 'patched@fabrikam.com' });
  assert.is(again.status, 201, 'a deleted user frees its UPN');
});

test('manager: PUT $ref, GET manager, DELETE $ref', async () => {
  const boss = await createUser(c, 'boss@fabrikam.com');
  const emp = await createUser(c, 'emp@fabrikam.com');
  assert.is((await rawRequest(emu, 'fabrikam', 'GET', `/v1.0/users/${emp.id}/manager`)).status, 404);
  await c.api(`/users/${emp.id}/manager/$ref`).put({ '@odata.id': `${emu.url}/v1.0/users/${boss.id}` });
  const m = (await c.api(`/users/${emp.id}/manager`).get()) as { id: string; '@odata.type': string };
  assert.is(m.id, boss.id);
  assert.is(m['@odata.type'], '#microsoft.graph.user');
  await c.api(`/users/${emp.id}/manager/$ref`).delete();
  assert.is((await rawRequest(emu, 'fabrikam', 'GET', `/v1.0/users/${emp.id}/manager`)).status, 404);
});

test('open extensions: create, read, $expand on user and list, PATCH replaces, duplicate 409, DELETE', async () => {
  const u = await createUser(c, 'ext@fabrikam.com');
  const created = (await c.api(`/users/${u.id}/extensions`).post({ '@odata.type': 'microsoft.graph.openTypeExtension', extensionName: 'dev.t2t.migration', wave: 'w1', phase: 'prepared' })) as Record<string, unknown>;
  assert.is(created.id, 'dev.t2t.migration');
  assert.is(created.wave, 'w1');
  const dup = await rawRequest(emu, 'fabrikam', 'POST', `/v1.0/users/${u.id}/extensions`, { '@odata.type': 'microsoft.graph.openTypeExtension', extensionName: 'dev.t2t.migration' });
  assert.is(dup.status, 409);
  await c.api(`/users/${u.id}/extensions/dev.t2t.migration`).patch({ '@odata.type': 'microsoft.graph.openTypeExtension', extensionName: 'dev.t2t.migration', phase: 'synced' });
  const ext = (await c.api(`/users/${u.id}/extensions/dev.t2t.migration`).get()) as Record<string, unknown>;
  assert.is(ext.phase, 'synced');
  assert.is(ext.wave, undefined, 'PATCH on a directory object replaces the data');
  const expanded = (await c.api(`/users/${u.id}`).expand('extensions').get()) as { extensions: { id: string }[] };
  assert.equal(expanded.extensions.map((e) => e.id), ['dev.t2t.migration']);
  const list = (await c.api('/users').filter("userPrincipalName eq 'ext@fabrikam.com'").select('id').expand('extensions').get()) as { value: { extensions: { phase: string }[] }[] };
  assert.is(list.value[0]!.extensions[0]!.phase, 'synced');
  await c.api(`/users/${u.id}/extensions/dev.t2t.migration`).delete();
  assert.is((await rawRequest(emu, 'fabrikam', 'GET', `/v1.0/users/${u.id}/extensions/dev.t2t.migration`)).status, 404);
});

test('an open extension holds at most 2 KB: a bigger create or PATCH is refused (400 BadRequest) and changes nothing', async () => {
  const u = await createUser(c, 'ext-size@fabrikam.com');
  const body = (data: string) => ({ '@odata.type': 'microsoft.graph.openTypeExtension', extensionName: 'dev.t2t.migration', data });
  const big = await rawRequest(emu, 'fabrikam', 'POST', `/v1.0/users/${u.id}/extensions`, body('x'.repeat(2100)));
  assert.is(big.status, 400);
  const err = (big.body as { error: { code: string; message: string } }).error;
  assert.is(err.code, 'BadRequest');
  assert.is(err.message, 'Maximum size supported for each extension is : 2 KB.');
  assert.is((await rawRequest(emu, 'fabrikam', 'GET', `/v1.0/users/${u.id}/extensions/dev.t2t.migration`)).status, 404, 'nothing created');
  await c.api(`/users/${u.id}/extensions`).post(body('x'.repeat(1900)));
  const patch = await rawRequest(emu, 'fabrikam', 'PATCH', `/v1.0/users/${u.id}/extensions/dev.t2t.migration`, body('y'.repeat(2100)));
  assert.is(patch.status, 400);
  const kept = (await c.api(`/users/${u.id}/extensions/dev.t2t.migration`).get()) as { data: string };
  assert.is(kept.data, 'x'.repeat(1900), 'the refused PATCH left the data as it was');
});

test('domains lists the verified domains with isInitial and isDefault', async () => {
  const d = (await c.api('/domains').get()) as { value: { id: string; isInitial: boolean; isVerified: boolean; isDefault: boolean }[] };
  const byId = Object.fromEntries(d.value.map((x) => [x.id, x]));
  assert.ok(byId['fabrikam.onmicrosoft.com']!.isInitial);
  assert.ok(byId['fabrikam.com']!.isVerified);
  assert.ok(byId['fabrikam.com']!.isDefault);
});

test.run();
