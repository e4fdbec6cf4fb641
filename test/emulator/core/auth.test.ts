// Sign-in against the emulator with the real msal-node (secret and certificate), the real Graph
// client reaching a route, and the identity platform's error shapes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startEmulator, testConfig, TEST_APPS, type RunningEmulator } from '../../helpers/emulator.js';
import { accessToken, graphClient, msalApp, rawRequest, EXCHANGE_SCOPE } from '../../helpers/graph.js';
import { makeAppCertificate } from './test-cert.js';

const cert = makeAppCertificate();
const otherCert = makeAppCertificate('not registered');
const CERT_APP = '3f1c2d4e-0000-4000-8000-0000000000c1';
const READER_APP = '3f1c2d4e-0000-4000-8000-0000000000d1';
let emu: RunningEmulator;

const decode = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

test.before(async () => {
  const config = testConfig() as { tenants: { apps: unknown[] }[] };
  config.tenants[0]!.apps.push({ clientId: CERT_APP, certificates: [cert.certPem], roles: ['User.ReadWrite.All'] });
  config.tenants[0]!.apps.push({ clientId: READER_APP, clientSecret: 'reader-secret', roles: ['Mail.ReadWrite'] });
  emu = await startEmulator(config);
});

test.after(async () => {
  await emu?.stop();
});

test('msal-node acquires a Graph token with a client secret; the token carries tid, appid and roles', async () => {
  const token = await accessToken(emu, 'contoso');
  const claims = decode(token);
  assert.is(claims.aud, 'https://graph.microsoft.com');
  assert.is(claims.appid, TEST_APPS.contoso!.clientId);
  assert.ok((claims.roles as string[]).includes('User.ReadWrite.All'));
  assert.not.ok((claims.roles as string[]).includes('Exchange.ManageAsApp'), 'Exchange roles belong to the Exchange token');
  const tenants = (await rawRequest(emu, null, 'GET', '/_emulator/tenants')).body as { id: string; name: string }[];
  assert.is(claims.tid, tenants.find((t) => t.name === 'contoso')!.id);
});

test('msal-node acquires an Exchange token (aud outlook.office365.com, role Exchange.ManageAsApp)', async () => {
  const claims = decode(await accessToken(emu, 'contoso', EXCHANGE_SCOPE));
  assert.is(claims.aud, 'https://outlook.office365.com');
  assert.equal(claims.roles, ['Exchange.ManageAsApp']);
});

test('msal-node acquires a token with a certificate (PS256 + x5t#S256 client assertion)', async () => {
  const token = await accessToken(emu, 'contoso.onmicrosoft.com', undefined, { clientId: CERT_APP, certificate: { thumbprintSha256: cert.thumbprintSha256, privateKey: cert.keyPem } });
  assert.is(decode(token).appid, CERT_APP);
});

test('a certificate that is not registered for the app is refused with invalid_client', async () => {
  try {
    await accessToken(emu, 'contoso', undefined, { clientId: CERT_APP, certificate: { thumbprintSha256: otherCert.thumbprintSha256, privateKey: otherCert.keyPem } });
    assert.unreachable('sign-in should fail');
  } catch (e) {
    const err = e as { errorCode?: string; errorMessage?: string };
    assert.is(err.errorCode, 'invalid_client');
    assert.match(err.errorMessage ?? '', /AADSTS700027/);
  }
});

test('a wrong client secret gives invalid_client AADSTS7000215 in the identity platform shape', async () => {
  const r = await rawRequest(emu, null, 'POST', '/contoso.com/oauth2/v2.0/token', new URLSearchParams({ grant_type: 'client_credentials', client_id: TEST_APPS.contoso!.clientId, client_secret: 'wrong', scope: 'https://graph.microsoft.com/.default' }).toString(), { 'content-type': 'application/x-www-form-urlencoded' });
  assert.is(r.status, 401);
  assert.is(r.body.error, 'invalid_client');
  assert.equal(r.body.error_codes, [7000215]);
  assert.match(r.body.error_description, /^AADSTS7000215: Invalid client secret provided/);
  assert.ok(r.body.trace_id && r.body.correlation_id && r.body.timestamp);
  assert.not.match(r.text, /wrong/, 'the presented secret is never echoed');
});

test('msal-node surfaces the wrong-secret error', async () => {
  try {
    await accessToken(emu, 'fabrikam', undefined, { clientId: TEST_APPS.fabrikam!.clientId, clientSecret: 'nope' });
    assert.unreachable('sign-in should fail');
  } catch (e) {
    assert.is((e as { errorCode?: string }).errorCode, 'invalid_client');
    assert.match((e as Error).message, /AADSTS7000215/);
  }
});

test('an unknown tenant is AADSTS90002 on the metadata and token endpoints', async () => {
  const meta = await rawRequest(emu, null, 'GET', '/nowhere.onmicrosoft.com/v2.0/.well-known/openid-configuration');
  assert.is(meta.status, 400);
  assert.is(meta.body.error, 'invalid_tenant');
  assert.match(meta.body.error_description, /^AADSTS90002: Tenant 'nowhere.onmicrosoft.com' not found/);
  try {
    await msalApp(emu, 'nowhere.onmicrosoft.com', { clientId: TEST_APPS.contoso!.clientId, clientSecret: 'dev-secret' }).acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] });
    assert.unreachable('sign-in should fail');
  } catch (e) {
    assert.match(String((e as Error).message), /90002|invalid_tenant|endpoints_resolution_error/);
  }
});

test('an app unknown to the tenant is AADSTS700016', async () => {
  const r = await rawRequest(emu, null, 'POST', '/fabrikam.com/oauth2/v2.0/token', `grant_type=client_credentials&client_id=${TEST_APPS.contoso!.clientId}&client_secret=dev-secret&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default`, { 'content-type': 'application/x-www-form-urlencoded' });
  assert.is(r.status, 400);
  assert.is(r.body.error, 'unauthorized_client');
  assert.match(r.body.error_description, /^AADSTS700016: /);
});

test('the real Graph client reaches a route with the msal token (GET /organization)', async () => {
  const client = await graphClient(emu, 'fabrikam');
  const org = (await client.api('/organization').get()) as { value: { displayName: string; verifiedDomains: { name: string }[] }[] };
  assert.is(org.value[0]!.displayName, 'fabrikam');
  assert.equal(org.value[0]!.verifiedDomains.map((d) => d.name).sort(), ['fabrikam.com', 'fabrikam.onmicrosoft.com']);
});

test('Graph without a token, with a bad token or with an Exchange token is 401 InvalidAuthenticationToken', async () => {
  const none = await rawRequest(emu, null, 'GET', '/v1.0/organization');
  assert.is(none.status, 401);
  assert.is(none.body.error.code, 'InvalidAuthenticationToken');
  assert.ok(none.body.error.innerError['request-id']);
  const forged = await rawRequest(emu, null, 'GET', '/v1.0/organization', undefined, { authorization: 'Bearer eyJhbGciOiJSUzI1NiJ9.eyJ0aWQiOiJ4In0.c2ln' });
  assert.is(forged.status, 401);
  const exo = await accessToken(emu, 'contoso', EXCHANGE_SCOPE);
  const wrongAud = await rawRequest(emu, null, 'GET', '/v1.0/organization', undefined, { authorization: `Bearer ${exo}` });
  assert.is(wrongAud.status, 401);
  assert.match(wrongAud.body.error.message, /Invalid audience/);
});

test('a token without the route role is 403 Authorization_RequestDenied in Graph shape', async () => {
  const token = await accessToken(emu, 'contoso', undefined, { clientId: READER_APP, clientSecret: 'reader-secret' });
  // GET /organization needs Organization.Read.All or Directory.Read.All (or their ReadWrite).
  const r = await rawRequest(emu, null, 'GET', '/v1.0/organization', undefined, { authorization: `Bearer ${token}` });
  assert.is(r.status, 403);
  assert.equal(r.body.error.code, 'Authorization_RequestDenied');
  assert.is(r.body.error.message, 'Insufficient privileges to complete the operation.');
  assert.ok(r.body.error.innerError.date && r.body.error.innerError['request-id'] && r.body.error.innerError['client-request-id']);
});

test('unknown operations answer in Graph shape: 400 for an unknown segment, 405 for a wrong method', async () => {
  const unknown = await rawRequest(emu, 'contoso', 'GET', '/v1.0/nonsense');
  assert.is(unknown.status, 400);
  assert.is(unknown.body.error.code, 'BadRequest');
  assert.is(unknown.body.error.message, "Resource not found for the segment 'nonsense'.");
  const wrong = await rawRequest(emu, 'contoso', 'DELETE', '/v1.0/organization');
  assert.is(wrong.status, 405);
  assert.is(wrong.headers.allow, 'GET');
});

test.run();
