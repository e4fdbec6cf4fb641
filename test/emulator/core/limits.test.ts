// Throttling, injected faults and $batch over real HTTPS, as a client sees them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startEmulator, testConfig, type RunningEmulator } from '../../helpers/emulator.js';
import { graphClient, rawRequest } from '../../helpers/graph.js';

const started: RunningEmulator[] = [];
const start = async (overrides: Record<string, unknown>) => {
  const e = await startEmulator(testConfig(overrides));
  started.push(e);
  return e;
};

test.after(async () => {
  await Promise.all(started.map((e) => e.stop()));
});

const newUser = (n: string) => ({ accountEnabled: true, displayName: `User ${n}`, mailNickname: `user${n}`, userPrincipalName: `user${n}@contoso.com`, passwordProfile: { password: 'P@ssw0rd-not-real-1' } });

test('directory reads past the RU budget get 429 with Retry-After and throttle headers; the clock refills the bucket', async () => {
  const emu = await start({ limits: { directory: { resourceUnitsPer10s: 3 } } });
  for (let i = 0; i < 3; i++) {
    const ok = await rawRequest(emu, 'contoso', 'GET', '/v1.0/organization');
    assert.is(ok.status, 200);
    assert.is(ok.headers['x-ms-resource-unit'], '1');
  }
  const r = await rawRequest(emu, 'contoso', 'GET', '/v1.0/organization');
  assert.is(r.status, 429);
  assert.is(r.body.error.code, 'TooManyRequests');
  assert.is(r.body.error.innerError.code, '429');
  assert.is(r.body.error.innerError.status, '429');
  assert.ok(r.body.error.innerError['request-id']);
  const retry = Number(r.headers['retry-after']);
  assert.ok(retry > 0 && retry <= 10, `Retry-After ${r.headers['retry-after']}`);
  assert.match(r.headers['x-ms-throttle-scope']!, /^Tenant_Application\/ReadWrite\/3f1c2d4e-0000-4000-8000-000000000001\/[0-9a-f-]{36}$/);
  assert.is(r.headers['x-ms-throttle-information'], 'ResourceUnitLimitExceeded');
  // Another tenant (and app) has its own bucket.
  assert.is((await rawRequest(emu, 'fabrikam', 'GET', '/v1.0/organization')).status, 200);
  await rawRequest(emu, null, 'POST', '/_emulator/clock', { advanceMs: 10_000 });
  assert.is((await rawRequest(emu, 'contoso', 'GET', '/v1.0/organization')).status, 200, 'after 10 s the bucket is full again');
});

test('writes past writesPer150s get 429 WriteLimitExceeded; timeScale shrinks Retry-After', async () => {
  const emu = await start({ limits: { directory: { writesPer150s: 2 }, timeScale: 0.001 } });
  // 150 s per 2 writes scaled by 0.001: one write frees every 75 ms, so Retry-After <= 0.075.
  let throttled: Awaited<ReturnType<typeof rawRequest>> | undefined;
  for (let i = 0; i < 6 && !throttled; i++) {
    const r = await rawRequest(emu, 'contoso', 'POST', '/v1.0/users', newUser(`w${i}`));
    if (r.status === 429) throttled = r;
    else assert.is(r.status, 201, JSON.stringify(r.body));
  }
  assert.ok(throttled, 'some write is throttled');
  assert.is(throttled!.headers['x-ms-throttle-information'], 'WriteLimitExceeded');
  assert.match(throttled!.headers['x-ms-throttle-scope']!, /^Tenant_Application\/Write\//);
  assert.ok(Number(throttled!.headers['retry-after']) <= 0.075, throttled!.headers['retry-after']);
});

test('faults are the same sequence under the same seed: 500/503 and injected 429 in Graph shape', async () => {
  const faults = { errorRate: 0.3, throttleRate: 0.3, seed: 7 };
  const run = async () => {
    const emu = await start({ faults });
    await rawRequest(emu, 'contoso', 'GET', '/_emulator/clock'); // signs in first (sign-in is never faulted)
    const statuses: number[] = [];
    for (let i = 0; i < 24; i++) {
      const r = await rawRequest(emu, 'contoso', 'GET', '/v1.0/organization');
      statuses.push(r.status);
      if (r.status !== 200) {
        assert.ok(r.body.error.code && r.body.error.innerError['request-id'], JSON.stringify(r.body));
        if (r.status === 429 || r.status === 503) assert.ok(Number(r.headers['retry-after']) > 0);
      }
    }
    return statuses;
  };
  const first = await run();
  const second = await run();
  assert.equal(second, first);
  assert.ok(first.includes(200));
  assert.ok(first.includes(429));
  assert.ok(first.some((s) => s === 500 || s === 503));
});

test('$batch: dependsOn failure is 424, more than 20 or duplicate ids are 400, responses carry ids', async () => {
  const emu = await start({});
  const ok = await rawRequest(emu, 'contoso', 'POST', '/v1.0/$batch', {
    requests: [
      { id: '1', method: 'GET', url: '/nonsense' },
      { id: '2', method: 'GET', url: '/organization', dependsOn: ['1'] },
      { id: '3', method: 'GET', url: 'organization' },
      { id: '4', method: 'POST', url: '/users', headers: { 'Content-Type': 'application/json' }, body: newUser('b1') },
      { id: '5', method: 'GET', url: '/users/userb1@contoso.com', dependsOn: ['4'] },
    ],
  });
  assert.is(ok.status, 200);
  const byId = Object.fromEntries((ok.body.responses as { id: string; status: number; body: any }[]).map((r) => [r.id, r]));
  assert.is(byId['1']!.status, 400);
  assert.is(byId['2']!.status, 424);
  assert.is(byId['3']!.status, 200);
  assert.is(byId['3']!.body.value[0].displayName, 'contoso');
  assert.is(byId['4']!.status, 201, JSON.stringify(byId['4']));
  assert.is(byId['5']!.status, 200);
  assert.is(byId['5']!.body.userPrincipalName, 'userb1@contoso.com');

  const many = Array.from({ length: 21 }, (_, i) => ({ id: String(i), method: 'GET', url: '/organization' }));
  const tooMany = await rawRequest(emu, 'contoso', 'POST', '/v1.0/$batch', { requests: many });
  assert.is(tooMany.status, 400);
  assert.match(tooMany.body.error.message, /maximum of 20/);
  const dup = await rawRequest(emu, 'contoso', 'POST', '/v1.0/$batch', { requests: [{ id: 'a', method: 'GET', url: '/organization' }, { id: 'a', method: 'GET', url: '/organization' }] });
  assert.is(dup.status, 400);
  assert.match(dup.body.error.message, /unique/);
  // A write without its Content-Type, or without a body, fails the whole batch before anything runs
  // (as Graph answers it: microsoftgraph/msgraph-sdk-dotnet#2628).
  for (const write of [
    { id: 'w', method: 'POST', url: '/users', body: newUser('b2') },
    { id: 'w', method: 'PATCH', url: '/users/userb1@contoso.com', headers: { 'Content-Type': 'application/json' } },
  ]) {
    const refused = await rawRequest(emu, 'contoso', 'POST', '/v1.0/$batch', { requests: [{ id: 'r', method: 'GET', url: '/organization' }, write] });
    assert.is(refused.status, 400, JSON.stringify(refused.body));
    assert.equal([refused.body.error.code, refused.body.error.message], ['BadRequest', 'Write request id : w does not contain Content-Type header or body.']);
  }
  const notCreated = await rawRequest(emu, 'contoso', 'GET', '/v1.0/users/userb2@contoso.com');
  assert.is(notCreated.status, 404, 'the refused batch created nothing');
});

test('$batch: each inner request is throttled on its own (inner 429 with Retry-After, batch 200), via the Graph client', async () => {
  const emu = await start({ limits: { directory: { resourceUnitsPer10s: 3 } } });
  const client = await graphClient(emu, 'contoso');
  const res = (await client.api('/$batch').post({ requests: Array.from({ length: 5 }, (_, i) => ({ id: String(i + 1), method: 'GET', url: '/organization' })) })) as { responses: { id: string; status: number; headers: Record<string, string> }[] };
  const statuses = res.responses.map((r) => r.status).sort();
  assert.equal(statuses, [200, 200, 200, 429, 429]);
  for (const r of res.responses.filter((x) => x.status === 429)) assert.ok(Number(r.headers['Retry-After']) > 0);
});

test('the 5th concurrent request to one mailbox is 429 ApplicationThrottled (requests held by faults.latencyMs)', async () => {
  const config = testConfig({ limits: {}, faults: { latencyMs: 1000 } }) as { tenants: Record<string, unknown>[] };
  config.tenants[0]!.users = [{ userPrincipalName: 'alice@contoso.com', displayName: 'Alice', license: 'EXCHANGESTANDARD' }];
  const emu = await startEmulator(config);
  started.push(emu);
  await rawRequest(emu, 'contoso', 'GET', '/_emulator/clock'); // sign in first, so the five start together
  const five = await Promise.all(Array.from({ length: 5 }, () => rawRequest(emu, 'contoso', 'GET', '/v1.0/users/alice@contoso.com/mailFolders')));
  const statuses = five.map((r) => r.status).sort();
  assert.equal(statuses, [200, 200, 200, 200, 429], JSON.stringify(five.map((r) => r.body)));
  const throttled = five.find((r) => r.status === 429)!;
  assert.is(throttled.body.error.code, 'ApplicationThrottled');
  assert.match(throttled.body.error.message, /over its MailboxConcurrency limit/);
  assert.ok(Number(throttled.headers['retry-after']) > 0);
});

test.run();
