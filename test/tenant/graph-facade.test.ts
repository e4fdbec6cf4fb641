// The Graph facade over a fake HTTPS Graph: $batch re-submission, retries, idempotency, 410 resync,
// budgets. Sign-in is not under test here (a fixed token); test/tenant/emulator.test.ts covers it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createGraph, mailboxOf, type GraphFacade } from '../../engine/tenant/graph.js';
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
  transport: HttpTransport;
  close(): Promise<void>;
}

async function setup(handle: (req: FakeRequest) => FakeAnswer, retry: RetryPolicy = {}): Promise<Setup> {
  const fake = await startFakeGraph(handle);
  const tenant = { name: 'contoso', cloud: 'emulator' as const, endpoint: fake.url, caFile: fake.caFile, position: { file: 'project.yaml', line: 1, col: 1 } };
  const endpoints = cloudEndpoints(tenant);
  const transport = createTransport(tenant, { projectDir: '/', env: {} });
  const auth = { token: async () => 'header.eyJyb2xlcyI6W119.sig', knownSecrets: () => [] } as unknown as TenantAuth;
  const budgets = new TenantBudgets('contoso');
  const graph = createGraph({ tenant: 'contoso', clientId: 'app-1', endpoints, auth, transport, budgets, retry: { baseMs: 5, random: () => 0, ...retry } });
  return { fake, graph, budgets, transport, close: async () => (await transport.close(), await fake.close()) };
}

test('a $batch of 25 goes out as 20 + 5, and an inner 429 is re-submitted alone after its Retry-After', async () => {
  let throttledOnce = false;
  const s = await setup((req) => {
    assert.is(req.url, '/v1.0/$batch');
    assert.is(req.headers.authorization, 'Bearer header.eyJyb2xlcyI6W119.sig');
    const responses = (req.body.requests as { id: string; url: string }[]).map((r) => {
      if (r.url === '/users/u3' && !throttledOnce) {
        throttledOnce = true;
        return { id: r.id, status: 429, headers: { 'Retry-After': '0.02' }, body: { error: { code: 'TooManyRequests', message: 'slow down' } } };
      }
      return { id: r.id, status: 200, body: { id: r.url.split('/').pop() } };
    });
    return { status: 200, body: { responses: responses.reverse() } }; // any order, as Graph may answer
  });
  try {
    const requests = Array.from({ length: 25 }, (_, i) => ({ method: 'GET' as const, url: `/users/u${i}` }));
    const answers = await s.graph.batch(requests);
    assert.equal(answers.map((a) => (a.body as { id: string }).id), requests.map((r) => r.url.split('/').pop()));
    assert.ok(answers.every((a) => a.status === 200));
    const sizes = s.fake.requests.map((r) => r.body.requests.length);
    assert.equal(sizes, [20, 1, 5]);
    assert.is(s.fake.requests[1]!.body.requests[0].url, '/users/u3');
    const stats = s.budgets.stats().graph;
    assert.is(stats.throttled, 1);
    assert.is(stats.retries, 1);
    assert.ok(stats.pausedMs >= 20);
  } finally {
    await s.close();
  }
});

test('an inner 429 whose Retry-After is above RetryPolicy.maxRetryAfterMs is not waited for: it is returned, and reads as the error a single request gives', async () => {
  // Found by a review: runBatch waited whatever Retry-After an inner 429 carried (an hour for
  // 'Retry-After: 3600'), while a single request fails at once above the cap (5 minutes by default).
  const s = await setup(
    (req): FakeAnswer => {
      const throttled = { status: 429, headers: { 'Retry-After': '1' }, body: { error: { code: 'TooManyRequests', message: 'slow down', innerError: { 'request-id': 'req-429' } } } };
      if (req.method === 'GET') return throttled; // a direct request
      const inner = req.body.requests as { id: string; url: string }[];
      return { status: 200, body: { responses: inner.map((r) => (r.url === '/users/u2' ? { id: r.id, ...throttled } : { id: r.id, status: 200, body: { id: r.url.split('/').pop() } })) } };
    },
    { maxRetryAfterMs: 50 },
  );
  try {
    const started = Date.now();
    const answers = await s.graph.batch([{ method: 'GET', url: '/users/u1' }, { method: 'GET', url: '/users/u2' }]);
    assert.ok(Date.now() - started < 1000, 'the Retry-After of 1 s was not waited for');
    assert.is(s.fake.requests.length, 1, 'the throttled request was not re-submitted');
    assert.equal(answers.map((a) => a.status), [200, 429]);
    assert.is(s.budgets.stats().graph.throttled, 1);
    assert.is(s.budgets.stats().graph.retries, 0);
    const e = s.graph.batchError({ method: 'GET', url: '/users/u2' }, answers[1]!) as TenantError;
    assert.is(e.code, 'tenant.http429');
    assert.is(e.message, "tenant 'contoso': GET users/u2 failed: 429 TooManyRequests: slow down [request-id req-429]");
    assert.is(e.hint, 'the service asked to wait 1 s before retrying, longer than t2t waits (0.05 s): run again after that wait');
    // a single request gives the same error
    const single = await s.graph.get('/users/u2').then(() => undefined, (x: unknown) => x as TenantError);
    assert.is(single?.hint, e.hint);
  } finally {
    await s.close();
  }
});

test('an inner 503 on a POST is re-submitted only when the request is marked safe', async () => {
  const seen = new Map<string, number>();
  const s = await setup((req) => ({
    status: 200,
    body: {
      responses: (req.body.requests as { id: string; url: string }[]).map((r) => {
        const n = (seen.get(r.url) ?? 0) + 1;
        seen.set(r.url, n);
        return n === 1 ? { id: r.id, status: 503, body: { error: { code: 'serviceNotAvailable', message: 'busy' } } } : { id: r.id, status: 201, body: {} };
      }),
    },
  }));
  try {
    const answers = await s.graph.batch([
      { method: 'POST', url: '/groups/g/members/$ref', body: { '@odata.id': 'x' } },
      { method: 'POST', url: '/users/u/extensions', body: {}, safe: true },
    ]);
    assert.equal(answers.map((a) => a.status), [503, 201]);
    assert.equal([...seen.entries()], [['/groups/g/members/$ref', 1], ['/users/u/extensions', 2]]);
    const e = s.graph.batchError({ method: 'POST', url: '/groups/g/members/$ref' }, answers[0]!);
    assert.instance(e, TenantError);
    assert.match(e.message, /^tenant 'contoso': POST groups\/g\/members\/\$ref failed: 503 serviceNotAvailable: busy/);
  } finally {
    await s.close();
  }
});

test('a $batch that fails as a whole after its inner requests may have run is not sent again when it holds a POST that is not safe', async () => {
  // A gateway timeout (504) or a cut connection can come after Graph ran the inner requests:
  // sending the batch again would create the user twice.
  let batches = 0;
  const s = await setup((req) => {
    const inner = req.body.requests as { id: string; method: string }[];
    if (++batches === 1) return { status: 504, body: { error: { code: 'GatewayTimeout', message: 'gateway timeout' } } };
    return { status: 200, body: { responses: inner.map((r) => ({ id: r.id, status: r.method === 'POST' ? 201 : 200, body: {} })) } };
  });
  try {
    const e = await s.graph.batch([{ method: 'GET', url: '/users/u1' }, { method: 'POST', url: '/users', body: { displayName: 'x' } }]).then(() => undefined, (x: unknown) => x);
    assert.instance(e, TenantError);
    assert.is((e as TenantError).details.status, 504);
    assert.is(s.fake.requests.length, 1, 'the batch holding the create was sent once');
    // reads only, or POSTs marked safe: the batch is sent again
    const answers = await s.graph.batch([{ method: 'GET', url: '/users/u1' }, { method: 'POST', url: '/users/u1/extensions', body: {}, safe: true }]);
    assert.equal(answers.map((a) => a.status), [200, 201]);
  } finally {
    await s.close();
  }
});

test('a GET is retried after 503 with a decimal Retry-After; a POST after 500 is not, unless safe', async () => {
  let n = 0;
  const s = await setup((req): FakeAnswer => {
    n++;
    if (req.method === 'GET') return n === 1 ? { status: 503, headers: { 'Retry-After': '0.01' }, body: { error: { code: 'serviceNotAvailable', message: 'x' } } } : { status: 200, body: { ok: true } };
    return { status: 500, headers: { 'request-id': 'req-123' }, body: { error: { code: 'generalException', message: 'General exception while processing.' } } };
  });
  try {
    assert.equal(await s.graph.get('/organization'), { ok: true });
    assert.is(s.budgets.stats().graph.retries, 1);
    const before = s.fake.requests.length;
    try {
      await s.graph.post('/users', { displayName: 'x' }, { object: 'user alice@contoso.com' });
      assert.unreachable();
    } catch (e) {
      assert.instance(e, TenantError);
      const t = e as TenantError;
      assert.is(t.message, "tenant 'contoso': POST user alice@contoso.com failed: 500 generalException: General exception while processing. [request-id req-123]");
      assert.equal(t.details, { tenant: 'contoso', object: 'user alice@contoso.com', status: 500, requestId: 'req-123', retryable: true });
    }
    assert.is(s.fake.requests.length - before, 1);
    await s.graph.post('/users/u/extensions', {}, { safe: true }).catch(() => {});
    assert.is(s.fake.requests.length - before, 1 + 6); // default maxAttempts
  } finally {
    await s.close();
  }
});

test('a 410 on a delta link asks the caller to resync', async () => {
  const s = await setup(() => ({ status: 410, headers: { Location: 'https://localhost/v1.0/users/delta' }, body: { error: { code: 'syncStateNotFound', message: 'gone' } } }));
  try {
    const r = await s.graph.delta(`${s.fake.url}/v1.0/users/delta?$deltatoken=abc`);
    assert.equal(r, { resync: true, location: 'https://localhost/v1.0/users/delta' });
  } finally {
    await s.close();
  }
});

test('mail routes draw from the mailbox budget, others from the tenant budget', async () => {
  const s = await setup(() => ({ status: 200, body: { value: [] } }));
  try {
    await s.graph.get('/users/alice@contoso.com/mailFolders/inbox/messages');
    await s.graph.get('/users');
    const stats = s.budgets.stats();
    assert.is(stats.graph.requests, 1);
    assert.equal(stats.mailboxes.map((m) => [m.name, m.requests]), [['contoso/mailbox/alice@contoso.com', 1]]);
    assert.is(mailboxOf('https://graph.microsoft.com/beta/admin/exchange/mailboxes/MBX1/exportItems'), 'MBX1');
    assert.is(mailboxOf('/users/u1/drive/root'), undefined);
  } finally {
    await s.close();
  }
});

test('raw bytes in and out', async () => {
  const s = await setup((req) => (req.method === 'GET' ? { status: 200, headers: { 'content-type': 'application/octet-stream' }, body: Buffer.from('MIME-Version: 1.0\r\n\r\nhi') } : { status: 201, body: { size: req.body.length } }));
  try {
    const bytes = await s.graph.bytes('/users/u/messages/m/$value');
    assert.is(bytes.toString(), 'MIME-Version: 1.0\r\n\r\nhi');
    const r = await s.graph.sendBytes<{ size: number }>('PUT', '/users/u/drive/root:/a.txt:/content', Buffer.from('hello'), 'text/plain');
    assert.is(s.fake.requests[1]!.headers['content-type'], 'text/plain');
    assert.equal(r, { size: 5 });
  } finally {
    await s.close();
  }
});

test('pre-authenticated URLs get no Authorization header and no query in error messages', async () => {
  const s = await setup((req) => (req.url.startsWith('/import') ? { status: 400, body: { error: { code: 'BadRequest', message: 'bad data' } } } : { status: 200, body: {} }));
  try {
    try {
      await s.graph.preauthenticated('POST', `${s.fake.url}/import/session?authtoken=SECRET-SAS`, { FolderId: 'f', Mode: 'create', Data: 'AAAA' }, 'application/json');
      assert.unreachable();
    } catch (e) {
      assert.instance(e, TenantError);
      assert.not.match((e as Error).message, /SECRET-SAS/);
    }
    assert.is(s.fake.requests[0]!.headers.authorization, undefined);
    assert.equal(s.fake.requests[0]!.body, { FolderId: 'f', Mode: 'create', Data: 'AAAA' });
  } finally {
    await s.close();
  }
});

test('an abort stops a request waiting for Retry-After', async () => {
  const s = await setup(() => ({ status: 429, headers: { 'Retry-After': '60' }, body: { error: { code: 'TooManyRequests', message: 'x' } } }));
  try {
    const controller = new AbortController();
    const p = s.graph.get('/users', { signal: controller.signal });
    while (s.fake.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    try {
      await p;
      assert.unreachable();
    } catch (e) {
      assert.is((e as Error).name, 'AbortError');
    }
  } finally {
    await s.close();
  }
});

test('a request throttled more often than the retry policy allows attempts still goes through (429s are refused before they run)', async () => {
  let throttled = 0;
  const s = await setup(() => (throttled++ < 9 ? { status: 429, headers: { 'Retry-After': '0.001' }, body: { error: { code: 'TooManyRequests', message: 'x' } } } : { status: 201, body: { id: 'u1' } }));
  try {
    const u = await s.graph.post<{ id: string }>('/users', { displayName: 'x' });
    assert.is(u.id, 'u1');
    assert.is(s.fake.requests.length, 10, 'nine 429s then the write, sent once');
  } finally {
    await s.close();
  }
});

test.run();
