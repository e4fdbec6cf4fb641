// Answers to the authority's metadata request that msal cannot use. msal reports every one of them
// as endpoints_resolution_error, like a connection that failed; t2t tells them apart by the answer.
// (The emulator's own answer to an unknown tenant, 400 AADSTS90002, is tested in emulator.test.ts.)
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createTenantClient } from '../../engine/tenant/client.js';
import { TenantError, UserError } from '../../engine/errors.js';
import { startFakeGraph, type FakeAnswer } from './fake-graph.js';
import { emulatorTenant, secretsEnv } from './fixtures.js';

async function signInAgainst(answer: FakeAnswer): Promise<{ error: unknown; paths: string[] }> {
  const fake = await startFakeGraph(() => answer);
  const tenant = emulatorTenant(fake, 'contoso');
  const client = createTenantClient({ dir: '/' }, tenant, { env: secretsEnv(), retry: { baseMs: 1, maxMs: 5 } });
  try {
    await client.claims();
    return { error: undefined, paths: fake.requests.map((r) => r.url) };
  } catch (e) {
    return { error: e, paths: fake.requests.map((r) => r.url) };
  } finally {
    await client.close();
    await fake.close();
  }
}

test('a 404 without an AADSTS code is a tenant not found, with a hint to check tenantId and cloud', async () => {
  const { error, paths } = await signInAgainst({ status: 404, headers: { 'content-type': 'text/html' }, body: Buffer.from('<html>Not Found</html>') });
  assert.ok(paths.some((p) => p.includes('/contoso.onmicrosoft.com/') && p.includes('openid-configuration')), paths.join(', '));
  assert.instance(error, UserError);
  const u = error as UserError;
  assert.is(u.code, 'tenant.signInRefused');
  assert.match(u.message, /^tenant 'contoso': sign-in for Graph refused: tenant contoso.onmicrosoft.com not found: https:\/\/localhost:\d+ answered its metadata request with 404/);
  assert.match(u.hint!, /^check spec\.tenants\.contoso\.tenantId \(contoso\.onmicrosoft\.com\) and cloud \(emulator\)/);
});

test('a 503 to the metadata request is the service failing, retryable, not an unreachable endpoint', async () => {
  const { error, paths } = await signInAgainst({ status: 503, body: { error: 'temporarily_unavailable', error_description: 'AADSTS90033: A transient error has occurred. Please try again.' } });
  assert.instance(error, TenantError);
  const t = error as TenantError;
  assert.is(t.code, 'tenant.http503');
  assert.is(t.details.retryable, true);
  assert.match(t.message, /^tenant 'contoso': the sign-in endpoint https:\/\/localhost:\d+ failed the metadata request for tenant contoso.onmicrosoft.com: 503 AADSTS90033: A transient error has occurred\.$/);
  assert.not.match(t.message, /cannot reach/);
  // repeated before it was reported (asking for metadata twice changes nothing)
  assert.is(paths.filter((p) => p.includes('openid-configuration')).length, 4, paths.join(', '));
});

test.run();
