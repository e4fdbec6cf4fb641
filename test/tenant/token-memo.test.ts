// cachedToken: one sign-in shared by concurrent first calls, the token reused until five minutes
// before it expires (as msal-node would refresh it), a failed sign-in not remembered.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cachedToken } from '../../engine/tenant/graph.js';
import type { TenantAuth, TokenAudience } from '../../engine/tenant/auth.js';

const jwt = (expSeconds: number, n: number) =>
  `eyJhbGciOiJub25lIn0.${Buffer.from(JSON.stringify({ exp: expSeconds, n })).toString('base64url')}.sig`;

function fakeAuth(answer: (audience: TokenAudience, n: number) => Promise<string>) {
  const calls: TokenAudience[] = [];
  const auth = { token: (a: TokenAudience) => (calls.push(a), answer(a, calls.length)) } as unknown as TenantAuth;
  return { auth, calls };
}

test('concurrent first calls share one sign-in; later calls reuse the token per audience', async () => {
  const inAnHour = Math.floor(Date.now() / 1000) + 3600;
  const { auth, calls } = fakeAuth(async (_a, n) => (await new Promise((r) => setTimeout(r, 5)), jwt(inAnHour, n)));
  const first = await Promise.all(Array.from({ length: 20 }, () => cachedToken(auth, 'graph')));
  assert.is(new Set(first).size, 1);
  assert.is(await cachedToken(auth, 'graph'), first[0]);
  const ex = await cachedToken(auth, 'exchange');
  assert.is.not(ex, first[0]);
  assert.equal(calls, ['graph', 'exchange']);
});

test('a token within five minutes of expiry is fetched again; a failure is not remembered', async () => {
  const soon = Math.floor(Date.now() / 1000) + 60;
  let fail = true;
  const { auth, calls } = fakeAuth(async (_a, n) => {
    if (fail) throw new Error('sign-in refused');
    return jwt(soon, n);
  });
  let refused = false;
  await cachedToken(auth, 'graph').catch(() => (refused = true));
  assert.ok(refused);
  fail = false;
  const a = await cachedToken(auth, 'graph');
  const b = await cachedToken(auth, 'graph');
  assert.is.not(a, b, 'a token about to expire is not reused');
  assert.is(calls.length, 3);
});

test.run();
