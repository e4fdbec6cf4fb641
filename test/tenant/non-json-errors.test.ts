// A failed Graph call whose body is not a JSON error (a gateway's HTML or text page, an empty
// body: the usual 502/503/504 of a proxy in front of Graph). The Graph SDK threw such answers as a
// bare GraphError without the response's headers, so the error had no request id, and the retry
// loop never saw Retry-After: its 5-minute cap (RetryPolicy.maxRetryAfterMs) was not applied while
// the rate budget still paused for it. Found by a review of engine/tenant.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createGraph, type GraphFacade } from '../../engine/tenant/graph.js';
import { cloudEndpoints } from '../../engine/tenant/clouds.js';
import { createTransport, type HttpTransport } from '../../engine/tenant/http-transport.js';
import { TenantBudgets } from '../../engine/tenant/rate-budget.js';
import type { TenantAuth } from '../../engine/tenant/auth.js';
import type { RetryPolicy } from '../../engine/tenant/retry.js';
import { TenantError } from '../../engine/errors.js';
import { startFakeGraph, type FakeAnswer, type FakeGraph, type FakeRequest } from './fake-graph.js';

interface Setup {
  fake: FakeGraph;
  graph: GraphFacade;
  budgets: TenantBudgets;
  close(): Promise<void>;
}

async function setup(handle: (req: FakeRequest) => FakeAnswer, retry: RetryPolicy = {}): Promise<Setup> {
  const fake = await startFakeGraph(handle);
  const tenant = { name: 'contoso', cloud: 'emulator' as const, endpoint: fake.url, caFile: fake.caFile, position: { file: 'project.yaml', line: 1, col: 1 } };
  const transport: HttpTransport = createTransport(tenant, { projectDir: '/', env: {} });
  const auth = { token: async () => 'header.eyJyb2xlcyI6W119.sig', knownSecrets: () => ['app-secret-value'] } as unknown as TenantAuth;
  const budgets = new TenantBudgets('contoso');
  const graph = createGraph({ tenant: 'contoso', clientId: 'app-1', endpoints: cloudEndpoints(tenant), auth, transport, budgets, retry: { baseMs: 5, random: () => 0, ...retry } });
  return { fake, graph, budgets, close: async () => (await transport.close(), await fake.close()) };
}

async function failure(p: Promise<unknown>): Promise<TenantError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  assert.instance(e, TenantError);
  return e as TenantError;
}

const GATEWAY_PAGE = '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n';

test('a 502 HTML page from a gateway keeps status and request id, and says the body was not JSON', async () => {
  const s = await setup(() => ({ status: 502, headers: { 'content-type': 'text/html', 'request-id': 'req-502' }, body: Buffer.from(GATEWAY_PAGE) }));
  try {
    const e = await failure(s.graph.get('/users/u1', { object: 'user alice@contoso.com' }));
    assert.is(e.code, 'tenant.http502');
    assert.equal(e.details, { tenant: 'contoso', object: 'user alice@contoso.com', status: 502, requestId: 'req-502', retryable: true });
    assert.match(e.message, /^tenant 'contoso': GET user alice@contoso.com failed: 502 HTTP502: the answer is not JSON \(text\/html, \d+ bytes\): <html> <head><title>502 Bad Gateway<\/title>/);
    assert.match(e.message, /\[request-id req-502\]$/);
    assert.is(s.fake.requests.length, 6, 'a GET is retried as for any 502');
  } finally {
    await s.close();
  }
});

test('an empty or unparsable body, whatever its content type, is reported as such with its request id', async () => {
  const answers: FakeAnswer[] = [
    { status: 504, headers: { 'request-id': 'req-empty' } },
    { status: 504, headers: { 'content-type': 'application/json', 'request-id': 'req-json' } },
    { status: 503, headers: { 'content-type': 'application/json', 'request-id': 'req-bad' }, body: Buffer.from('Service Unavailable') },
    { status: 500, headers: { 'content-type': 'text/plain', 'request-id': 'req-text' }, body: Buffer.from('upstream connect error') },
    { status: 502, headers: { 'content-type': 'application/json', 'request-id': 'req-other' }, body: { message: 'Bad gateway' } },
  ];
  let i = 0;
  const s = await setup(() => answers[i]!, { maxAttempts: 1 });
  try {
    const seen: string[] = [];
    for (; i < answers.length; i++) {
      const e = await failure(s.graph.get('/organization'));
      seen.push(`${e.details.requestId} ${e.message.replace(/^tenant 'contoso': GET organization failed: /, '').replace(/ \[request-id [^\]]*\]$/, '')}`);
    }
    assert.equal(seen, [
      'req-empty 504 HTTP504: the answer has an empty body (no content type), not a JSON error',
      'req-json 504 HTTP504: the answer has an empty body (application/json), not a JSON error',
      'req-bad 503 HTTP503: the answer is not JSON (application/json, 19 bytes): Service Unavailable',
      'req-text 500 HTTP500: the answer is not JSON (text/plain, 22 bytes): upstream connect error',
      'req-other 502 HTTP502: the answer is JSON without an error object (application/json, 25 bytes): {"message":"Bad gateway"}',
    ]);
  } finally {
    await s.close();
  }
});

test('a Retry-After on a text answer above RetryPolicy.maxRetryAfterMs fails the request at once, as on a JSON one', async () => {
  const s = await setup(() => ({ status: 503, headers: { 'content-type': 'text/plain', 'retry-after': '1' }, body: Buffer.from('Service Unavailable') }), { maxRetryAfterMs: 50 });
  try {
    const started = Date.now();
    const e = await failure(s.graph.get('/users'));
    assert.is(e.details.status, 503);
    assert.is(s.fake.requests.length, 1, 'not retried: the wait asked for is above the cap');
    assert.ok(Date.now() - started < 1000, 'no retry waited for the budget\'s pause');
  } finally {
    await s.close();
  }
});

test('the first bytes shown are masked: credentials and what the request carried', async () => {
  const s = await setup((req) => ({ status: 502, headers: { 'content-type': 'text/plain' }, body: Buffer.from(`proxy error for ${JSON.stringify(req.body)} with app-secret-value`) }));
  try {
    const e = await failure(s.graph.post('/users', { displayName: 'x', passwordProfile: { password: 'Pa55-w0rd-new-user' } }));
    assert.not.match(e.message, /Pa55-w0rd-new-user|app-secret-value/);
    assert.match(e.message, /the answer is not JSON \(text\/plain, \d+ bytes\): proxy error for \{"displayName":"x","passwordProfile":\{"password":"\*\*\*"\}\} with \*\*\*/);
    assert.is(s.fake.requests.length, 1, 'a POST is not repeated after a 502');
  } finally {
    await s.close();
  }
});

test('a JSON Graph error is read as before: code, message, request id from the body', async () => {
  const s = await setup(() => ({ status: 404, body: { error: { code: 'Request_ResourceNotFound', message: 'Resource u9 does not exist.', innerError: { 'request-id': 'req-404' } } } }));
  try {
    const e = await failure(s.graph.get('/users/u9'));
    assert.is(e.message, "tenant 'contoso': GET users/u9 failed: 404 Request_ResourceNotFound: Resource u9 does not exist. [request-id req-404]");
    const bytes = await failure(s.graph.bytes('/users/u9/messages/m/$value'));
    assert.is(bytes.details.requestId, 'req-404');
  } finally {
    await s.close();
  }
});

test.run();
