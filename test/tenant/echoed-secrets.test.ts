// A service (or a proxy in front of it) that echoes the request in its error: the secret and the
// access token must not reach the message t2t prints. The client secret travels form-encoded
// (client_secret=p%40ss...), so an echo holds it encoded, not as the variable holds it; the
// access token is a JWT the tenant's secret list never held (found by a safety audit: both were
// printed on stderr in the sign-in and Graph errors).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createTenantClient } from '../../engine/tenant/client.js';
import { T2tError } from '../../engine/errors.js';
import { startFakeGraph, type FakeAnswer, type FakeRequest } from './fake-graph.js';
import { emulatorTenant } from './fixtures.js';
import { reportError } from '../../engine/cli/main.js';
import type { CliIO } from '../../engine/cli/io.js';

const SECRET = 'p@ss w0rd+/=&Q~x.y_z';
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const TOKEN = `${b64({ typ: 'JWT', alg: 'RS256' })}.${b64({ roles: ['User.Read.All'], exp: Math.floor(Date.now() / 1000) + 3600, tid: 't1', appid: 'a1' })}.c2lnbmF0dXJlLXNpZ25hdHVyZQ`;

function raw(body: unknown): string {
  return typeof body === 'string' ? body : JSON.stringify(body);
}

/** An authority that hands out TOKEN (or echoes the token request), and a Graph that echoes the request headers. */
function echoing(url: () => string, refuseToken: boolean) {
  return (req: FakeRequest): FakeAnswer => {
    const tenant = `${url()}/contoso.onmicrosoft.com`;
    if (req.url.includes('openid-configuration')) {
      return {
        status: 200,
        body: {
          token_endpoint: `${tenant}/oauth2/v2.0/token`,
          authorization_endpoint: `${tenant}/oauth2/v2.0/authorize`,
          issuer: `${tenant}/v2.0`,
          jwks_uri: `${tenant}/discovery/v2.0/keys`,
          end_session_endpoint: `${tenant}/oauth2/v2.0/logout`,
          response_types_supported: ['code'],
        },
      };
    }
    if (req.url.includes('/oauth2/v2.0/token')) {
      // the parameter as it came, form-encoded
      const sent = /(?:^|&)(client_secret=[^&]*)/.exec(raw(req.body))?.[1];
      if (refuseToken) return { status: 400, body: { error: 'invalid_request', error_description: `AADSTS900144: The request body is malformed near ${sent}` } };
      return { status: 200, body: { token_type: 'Bearer', expires_in: 3600, access_token: TOKEN } };
    }
    if (req.method === 'POST') return { status: 400, body: { error: { code: 'Request_BadRequest', message: `Invalid value in the request: ${raw(req.body)}` } } };
    return { status: 401, body: { error: { code: 'InvalidAuthenticationToken', message: `Access token has expired or is not yet valid: ${String(req.headers.authorization)}` } } };
  };
}

async function failure(refuseToken: boolean, request: (client: ReturnType<typeof createTenantClient>) => Promise<unknown> = (c) => c.graph.get('/users', {})): Promise<T2tError> {
  let base = '';
  const fake = await startFakeGraph(echoing(() => base, refuseToken));
  base = fake.url;
  const tenant = emulatorTenant(fake, 'contoso');
  const client = createTenantClient({ dir: '/' }, tenant, { env: { CONTOSO_CLIENT_SECRET: SECRET }, retry: { maxAttempts: 1, baseMs: 1 } });
  try {
    await request(client);
    assert.unreachable('the fake refuses');
    throw new Error('unreachable');
  } catch (e) {
    assert.instance(e, T2tError);
    return e as T2tError;
  } finally {
    await client.close();
    await fake.close();
  }
}

function assertClean(e: T2tError): void {
  const text = `${e.message}\n${e.hint ?? ''}`;
  for (const form of [SECRET, encodeURIComponent(SECRET), new URLSearchParams({ s: SECRET }).toString().slice(2)]) assert.not.ok(text.includes(form), `${form} in: ${text}`);
  assert.not.ok(text.includes(TOKEN), `the token in: ${text}`);
  assert.not.ok(text.includes(TOKEN.split('.')[1]!), `the token's payload in: ${text}`);
}

test('a token endpoint echoing the form-encoded request: the secret is masked in every encoding', async () => {
  const e = await failure(true);
  assert.match(e.message, /AADSTS900144: The request body is malformed near client_secret=\*\*\*/);
  assertClean(e);
});

test('Graph echoing the Authorization header: the access token is masked', async () => {
  const e = await failure(false);
  assert.match(e.message, /401 InvalidAuthenticationToken: Access token has expired or is not yet valid: Bearer \[REDACTED-JWT\]/);
  assertClean(e);
});

test('Graph echoing a request body: the password it carried is masked', async () => {
  const password = 'Xy7!new-user-password-42';
  const e = await failure(false, (c) => c.graph.post('/users', { userPrincipalName: 'a@fabrikam.com', passwordProfile: { forceChangePasswordNextSignIn: true, password } }));
  assert.match(e.message, /400 Request_BadRequest: Invalid value in the request: .*"password":"\*\*\*"/);
  assert.not.ok(e.message.includes(password), e.message);
});

test('the CLI masks a token or private key in any error it prints, --debug stack included', async () => {
  let r = '';
  const io = { stderr: { write: (t: string) => (r += t) } } as unknown as CliIO;
  reportError(new Error(`boom with Bearer ${TOKEN} and -----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----`), io, true);
  assert.not.ok(r.includes(TOKEN.split('.')[1]!), r);
  assert.not.ok(r.includes('MIIB'), r);
  assert.match(r, /\[REDACTED-JWT\]/);
});

test.run();
