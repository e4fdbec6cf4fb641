// engine/tenant against the real emulator over loopback HTTPS: msal-node sign-in (secret and
// certificate), Graph paging and delta, and the errors users see.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALL_ROLES, startEmulator, testConfig, type RunningEmulator } from '../helpers/emulator.js';
import { generateSelfSigned, toPfx } from '../../engine/certs/generate.js';
import { createTenantClient, type TenantClient } from '../../engine/tenant/client.js';
import { TenantError, UserError } from '../../engine/errors.js';
import { emulatorTenant, secretsEnv } from './fixtures.js';

const LIMITED = { clientId: '3f1c2d4e-0000-4000-8000-00000000000a', clientSecret: 'limited-secret-value' };
const CERT_APP = '3f1c2d4e-0000-4000-8000-00000000000b';
const FILES_ONLY = { clientId: '3f1c2d4e-0000-4000-8000-00000000000c', clientSecret: 'files-only-secret' };
const cert = generateSelfSigned({ cn: 't2t-cert-app', keyBits: 2048 });
const projectDir = mkdtempSync(join(tmpdir(), 't2t-tenant-it-'));
writeFileSync(join(projectDir, 'app.pfx'), toPfx({ privateKeyPem: cert.privateKeyPem, certificatePems: [cert.certificatePem], password: 'pfx-password-42' }));

let emu: RunningEmulator;
const clients: TenantClient[] = [];
const client = (...args: Parameters<typeof emulatorTenant>) => {
  const env = secretsEnv({ LIMITED_SECRET: LIMITED.clientSecret, FILES_ONLY_SECRET: FILES_ONLY.clientSecret, PFX_PASSWORD: 'pfx-password-42' });
  const c = createTenantClient({ dir: projectDir }, emulatorTenant(...args), { env, retry: { baseMs: 10 } });
  clients.push(c);
  return c;
};

test.before(async () => {
  const config = testConfig() as { tenants: { apps: object[] }[] };
  config.tenants[0]!.apps.push({ ...LIMITED, roles: ['User.Read.All'] }, { clientId: CERT_APP, certificates: [cert.certificatePem], roles: [...ALL_ROLES] }, { ...FILES_ONLY, roles: ['Files.ReadWrite.All'] });
  emu = await startEmulator(config);
});

test.after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await emu?.stop();
  rmSync(projectDir, { recursive: true, force: true });
});

test('signs in with a client secret and shows the Graph and Exchange tokens\' claims', async () => {
  const c = client(emu, 'contoso');
  const graph = await c.claims();
  assert.ok(graph.roles.includes('User.ReadWrite.All'));
  assert.match(graph.tid, /^[0-9a-f-]{36}$/);
  assert.is(graph.appId, '3f1c2d4e-0000-4000-8000-000000000001');
  assert.ok(graph.expiresAt.getTime() > Date.now());
  const exchange = await c.claims('exchange');
  assert.ok(exchange.roles.includes('Exchange.ManageAsApp'));
});

test('signs in with a certificate read from a PFX', async () => {
  const c = client(emu, 'contoso', { auth: { clientId: CERT_APP, certificate: { pfxFile: 'app.pfx', passwordFromEnv: 'PFX_PASSWORD' } } });
  const claims = await c.claims();
  assert.is(claims.appId, CERT_APP);
  const org = await c.graph.get<{ value: { id: string }[] }>('/organization');
  assert.is(org.value[0]!.id, claims.tid);
});

test('pages follow @odata.nextLink and delta links return only what changed', async () => {
  const c = client(emu, 'fabrikam');
  for (let i = 0; i < 5; i++) {
    await c.graph.post('/users', { accountEnabled: true, displayName: `Pager ${i}`, mailNickname: `pager${i}`, userPrincipalName: `pager${i}@fabrikam.com`, passwordProfile: { password: 'P@ssw0rd-1' } });
  }
  const sizes: number[] = [];
  const upns: string[] = [];
  for await (const page of c.graph.pages<{ userPrincipalName: string }>('/users?$top=2&$select=userPrincipalName')) {
    sizes.push(page.length);
    upns.push(...page.map((u) => u.userPrincipalName));
  }
  assert.ok(sizes.length >= 3, `pages: ${sizes}`);
  for (let i = 0; i < 5; i++) assert.ok(upns.includes(`pager${i}@fabrikam.com`));

  const first = await c.graph.delta<{ id: string; userPrincipalName?: string }>('/users/delta?$select=userPrincipalName');
  assert.is(first.resync, false);
  if (first.resync) return;
  assert.ok(first.items.length >= 5);
  await c.graph.post('/users', { accountEnabled: true, displayName: 'Late', mailNickname: 'late', userPrincipalName: 'late@fabrikam.com', passwordProfile: { password: 'P@ssw0rd-1' } });
  const pages: number[] = [];
  const second = await c.graph.delta<{ userPrincipalName?: string }>(first.deltaLink, { onPage: (items) => void pages.push(items.length) });
  assert.is(second.resync, false);
  if (second.resync) return;
  assert.equal(second.items, []); // handed over page by page instead
  assert.equal(pages.reduce((a, b) => a + b, 0), 1);
  assert.ok(c.stats().graph.requests >= 10);
});

test('a refused request becomes a TenantError naming the missing permission', async () => {
  const c = client(emu, 'contoso', { auth: { clientId: LIMITED.clientId, clientSecret: { fromEnv: 'LIMITED_SECRET' } } });
  try {
    await c.graph.post('/users', { accountEnabled: true, displayName: 'X', mailNickname: 'x', userPrincipalName: 'x@contoso.com', passwordProfile: { password: 'P@ssw0rd-1' } }, { object: 'user x@contoso.com' });
    assert.unreachable('should be refused');
  } catch (e) {
    assert.instance(e, TenantError);
    const t = e as TenantError;
    assert.match(t.message, /^tenant 'contoso': POST user x@contoso.com failed: 403 Authorization_RequestDenied: Insufficient privileges to complete the operation. \(needs User.ReadWrite.All\) \[request-id [0-9a-f-]+\]$/);
    assert.match(t.hint!, /grant the application permission User.ReadWrite.All to app 3f1c2d4e-0000-4000-8000-00000000000a/);
    assert.is(t.details.status, 403);
    assert.ok(t.details.requestId);
  }
});

test('a refused read of a user\'s mailbox ids (settings/exchange) names User.Read.All, the permission Microsoft documents for it', async () => {
  // It named MailboxItem.ImportExport.All, which the import/export calls need, not this one
  // (Graph: usersettings-list-exchange, application permission User.Read.All).
  const c = client(emu, 'contoso');
  const u = await c.graph.post<{ id: string }>('/users', { accountEnabled: true, displayName: 'Ids', mailNickname: 'ids', userPrincipalName: 'ids@contoso.com', passwordProfile: { password: 'P@ssw0rd-1' } });
  const filesOnly = client(emu, 'contoso', { auth: { clientId: FILES_ONLY.clientId, clientSecret: { fromEnv: 'FILES_ONLY_SECRET' } } });
  const e = await filesOnly.graph.get(`/users/${u.id}/settings/exchange`, { beta: true, object: 'user ids@contoso.com' }).then(() => undefined, (x: unknown) => x);
  assert.instance(e, TenantError);
  const t = e as TenantError;
  assert.is(t.details.status, 403);
  assert.match(t.message, /^tenant 'contoso': GET user ids@contoso.com failed: 403 Authorization_RequestDenied: .* \(needs User.Read.All\) \[request-id [0-9a-f-]+\]$/);
  assert.match(t.hint!, /^grant the application permission User.Read.All to app 3f1c2d4e-0000-4000-8000-00000000000c/);
});

test('a failed raw read (bytes) names Graph\'s error code, message and request id, as a JSON call does', async () => {
  const limited = client(emu, 'contoso', { auth: { clientId: LIMITED.clientId, clientSecret: { fromEnv: 'LIMITED_SECRET' } } });
  try {
    await limited.graph.bytes('/users/alice@contoso.com/messages/m1/$value', { object: 'message m1' });
    assert.unreachable('should be refused');
  } catch (e) {
    assert.instance(e, TenantError);
    const t = e as TenantError;
    assert.match(t.message, /^tenant 'contoso': GET message m1 failed: 403 Authorization_RequestDenied: Insufficient privileges to complete the operation. \(needs Mail.Read\) \[request-id [0-9a-f-]+\]$/);
    assert.is(t.details.status, 403);
    assert.ok(t.details.requestId);
  }
  const c = client(emu, 'contoso');
  const u = await c.graph.post<{ id: string }>('/users', { accountEnabled: true, displayName: 'Raw', mailNickname: 'raw', userPrincipalName: 'raw@contoso.com', passwordProfile: { password: 'P@ssw0rd-1' } });
  const url = `/users/${u.id}/drive/items/nope/content`;
  const json = await c.graph.get(url.replace(/\/content$/, '')).then(() => undefined, (e: TenantError) => e);
  const raw = await c.graph.bytes(url).then(() => undefined, (e: TenantError) => e);
  assert.instance(raw, TenantError);
  assert.is(raw!.details.status, 404);
  // the same cause as the JSON read of the item gives, not a bare "404 HTTP404: HTTP 404"
  const cause = / failed: 404 (\w+: [^[]+)/.exec(json!.message)![1]!;
  assert.ok(raw!.message.includes(cause), raw!.message);
  assert.match(raw!.message, /\[request-id [0-9a-f-]+\]$/);
});

test('a wrong secret is a one-line UserError that never shows the secret, at the line of auth.clientSecret', async () => {
  const credentialPosition = { file: 'project.yaml', line: 9, col: 9 };
  const c = createTenantClient({ dir: projectDir }, emulatorTenant(emu, 'contoso', { credentialPosition }), { env: { CONTOSO_CLIENT_SECRET: 'not-the-right-secret' } });
  clients.push(c);
  try {
    await c.graph.get('/users');
    assert.unreachable();
  } catch (e) {
    assert.instance(e, UserError);
    const u = e as UserError;
    assert.is(u.message, "tenant 'contoso': sign-in for Graph refused: AADSTS7000215: Invalid client secret provided.");
    assert.match(u.hint!, /environment variable CONTOSO_CLIENT_SECRET/);
    assert.not.match(`${u.message}\n${u.hint}`, /not-the-right-secret|dev-secret/);
    assert.not.match(u.message, /\n/);
    assert.equal(u.position, credentialPosition);
  }
});

test('a missing emulator CA file says how to get one', async () => {
  const c = client(emu, 'contoso', { caFile: 'nowhere/ca.pem' });
  try {
    await c.claims();
    assert.unreachable();
  } catch (e) {
    assert.instance(e, UserError);
    assert.is((e as UserError).code, 'tenant.emulatorCaMissing');
    assert.match((e as UserError).message, /nowhere\/ca.pem \(from the tenant's caFile\) does not exist/);
    assert.match((e as UserError).hint!, /start the emulator/);
  }
});

test('an emulator that is not running is reported as unreachable with a hint to start it', async () => {
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  const c = client(emu, 'contoso', { endpoint: `https://127.0.0.1:${port}` });
  try {
    await c.claims();
    assert.unreachable();
  } catch (e) {
    assert.instance(e, TenantError);
    assert.is((e as TenantError).code, 'tenant.unreachable');
    assert.match((e as TenantError).message, /cannot reach the sign-in endpoint https:\/\/127.0.0.1:\d+ \(ECONNREFUSED\)/);
    assert.match((e as TenantError).hint!, /t2t emulator/);
  }
});

test('a misspelled tenantId is a tenant not found with a hint to check tenantId, not an unreachable emulator', async () => {
  // The emulator answers the authority's metadata request 400 AADSTS90002, as Entra ID does;
  // msal reports that as endpoints_resolution_error, the code it also uses for a failed connection.
  const c = client(emu, 'contoso', { tenantId: 'contosso.onmicrosoft.com' });
  for (const call of [() => c.claims(), () => c.graph.get('/domains'), () => c.exchange.invoke('Get-Mailbox')]) {
    try {
      await call();
      assert.unreachable();
    } catch (e) {
      assert.instance(e, UserError);
      const u = e as UserError;
      assert.is(u.code, 'tenant.signInRefused');
      assert.match(u.message, /^tenant 'contoso': sign-in for (Graph|Exchange) refused: AADSTS90002: Tenant 'contosso.onmicrosoft.com' not found\.$/);
      assert.match(u.hint!, /^check spec\.tenants\.contoso\.tenantId \(contosso\.onmicrosoft\.com\) and cloud \(emulator\)/);
      assert.not.match(`${u.message} ${u.hint}`, /cannot reach|start the emulator|endpoints_resolution_error/);
    }
  }
});

test('Exchange cmdlets run through the admin API, pages are followed, errors name cmdlet and identity', async () => {
  const c = client(emu, 'fabrikam');
  for (const n of [1, 2, 3]) {
    const [contact] = await c.exchange.invoke<{ PrimarySmtpAddress: string }>('New-MailContact', { Name: `Pager Contact ${n}`, ExternalEmailAddress: `contact${n}@contoso.com` });
    assert.is(contact!.PrimarySmtpAddress, `contact${n}@contoso.com`);
  }
  const all = await c.exchange.invoke<{ Name: string }>('Get-MailContact', {}, { pageSize: 2 });
  assert.equal(all.map((x) => x.Name).filter((n) => n.startsWith('Pager Contact')).sort(), ['Pager Contact 1', 'Pager Contact 2', 'Pager Contact 3']);
  assert.ok(c.stats().exchange.requests >= 3 + 2);
  try {
    await c.exchange.invoke('Get-MailContact', { Identity: 'nobody@nowhere.com' });
    assert.unreachable();
  } catch (e) {
    assert.instance(e, TenantError);
    const t = e as TenantError;
    assert.match(t.message, /^tenant 'fabrikam': Get-MailContact -Identity nobody@nowhere.com failed: ManagementObjectNotFoundException: The operation couldn't be performed because object 'nobody@nowhere.com' couldn't be found/);
    assert.is(t.details.status, 404);
    assert.is(t.details.object, 'Get-MailContact -Identity nobody@nowhere.com');
    assert.ok(t.details.requestId);
    assert.match(t.hint!, /does not exist/);
  }
});

test('an Exchange call without Exchange.ManageAsApp names the missing permission', async () => {
  const c = client(emu, 'contoso', { auth: { clientId: LIMITED.clientId, clientSecret: { fromEnv: 'LIMITED_SECRET' } } });
  try {
    await c.exchange.invoke('Get-Mailbox', {});
    assert.unreachable();
  } catch (e) {
    assert.instance(e, TenantError);
    assert.is((e as TenantError).details.status, 403);
    assert.match((e as TenantError).message, /\(needs Exchange.ManageAsApp\)/);
  }
});

test.run();
