// Unit tests of the core's pure parts: config checking, routing, replication lag, the throttler.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig, ConfigError, DEFAULT_LIMITS } from '../../../emulator/config.js';
import { Router } from '../../../emulator/core/router.js';
import { recordWrite, visibleVersion } from '../../../emulator/core/lag.js';
import { Throttler, resourceUnits } from '../../../emulator/core/throttle.js';
import { GraphError, json, type Route } from '../../../emulator/core/http-types.js';
import { tenantFromConfig, deterministicGuid } from '../../../emulator/store/emulator-state.js';
import type { Tracked } from '../../../emulator/store/tenant-state.js';

const problemsOf = (text: string): string[] => {
  try {
    parseConfig(text, 'emu.yaml');
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
};

test('config: a secret or a private key in the wrong shape is refused without being shown', () => {
  // found by a safety audit: a private key pasted into certificates was printed whole on stderr,
  // and a client secret given as a list was quoted back
  const key = ['-----BEGIN PRIVATE KEY-----', 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC', '-----END PRIVATE KEY-----'].join('\\n');
  const problems = problemsOf(['tenants:', '  - name: contoso', '    apps:', `      - { clientId: a, clientSecret: [s3cr3t-value], certificates: ["${key}"], roles: [x] }`].join('\n'));
  const text = problems.join('\n');
  assert.match(text, /clientSecret \(line 4\): expected a non-empty string, got a list/);
  assert.match(text, /certificates\[0\] \(line 4\): expected a PEM certificate \(-----BEGIN CERTIFICATE-----\) or a file path, got a private key \(not shown\)/);
  assert.not.match(text, /s3cr3t-value|MIIEvQIBADANBgkqhkiG9w0BAQEFAASC|BEGIN PRIVATE KEY/);
});

test('config: every problem names the key path and line, all at once', () => {
  const problems = problemsOf(['tenants:', '  - name: contoso', '    apps:', '      - { clientId: a, roles: [x] }', '    licences: []', 'limits:', '  timeScale: -1', 'faults: { errorRate: 2 }'].join('\n'));
  assert.ok(problems.some((p) => /^tenants\[0\]\.apps\[0\] \(line 4\): an app needs a clientSecret or at least one certificate/.test(p)), problems.join('\n'));
  assert.ok(problems.some((p) => /^tenants\[0\]\.licences \(line 5\): unknown key 'licences'/.test(p)), problems.join('\n'));
  assert.ok(problems.some((p) => /^limits\.timeScale \(line 7\): must be >= /.test(p)), problems.join('\n'));
  assert.ok(problems.some((p) => /^faults\.errorRate \(line 8\): must be >= 0 and <= 1, got 2/.test(p)), problems.join('\n'));
  const userType = problemsOf(['tenants:', '  - name: fabrikam', '    apps: [{ clientId: a, clientSecret: s }]', '    users:', '      - { userPrincipalName: x@fabrikam.com, userType: Robot }'].join('\n'));
  assert.ok(userType.some((p) => /^tenants\[0\]\.users\[0\]\.userType \(line 5\): must be Member or Guest, got 'Robot'/.test(p)), userType.join('\n'));
  try {
    parseConfig('tenants: [', 'broken.yaml');
    assert.unreachable();
  } catch (e) {
    assert.match((e as Error).message, /^emulator config broken\.yaml is invalid:\n  - line \d+:\d+: YAML syntax/);
  }
});

test('config: defaults, `limits: none`, and tenants addressable by GUID and domains', () => {
  const c = parseConfig('tenants:\n  - { name: contoso, domains: [Contoso.com], apps: [{ clientId: a, clientSecret: s, roles: [] }] }\n');
  assert.equal(c.limits, DEFAULT_LIMITS);
  assert.is(c.faults.errorRate, 0);
  assert.is(parseConfig('tenants:\n  - { name: x, apps: [{ clientId: a, clientSecret: s }] }\nlimits: none\n').limits, null);
  const t = tenantFromConfig(c.tenants[0]!);
  assert.is(t.initialDomain, 'contoso.onmicrosoft.com');
  assert.equal(t.domains, ['contoso.onmicrosoft.com', 'contoso.com']);
  assert.is(t.id, tenantFromConfig(c.tenants[0]!).id, 'the tenant id is deterministic');
  assert.match(t.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.is.not(deterministicGuid('a'), deterministicGuid('b'));
});

const h = (name: string) => () => json(200, { name });
const route = (method: Route['method'], pattern: string): Route => ({ method, pattern, handler: h(pattern) });

test('router: placeholders, literal $ segments, literals before placeholders, drive paths, beta fallback', () => {
  const r = new Router([
    route('GET', '/v1.0/users/{id}'),
    route('GET', '/v1.0/users/delta'),
    route('POST', '/v1.0/groups/{id}/members/$ref'),
    route('DELETE', '/v1.0/groups/{id}/members/{memberId}/$ref'),
    route('GET', '/v1.0/users/{id}/messages/{messageId}/$value'),
    route('PUT', '/v1.0/users/{id}/drive/root:/{path}:/content'),
    route('POST', '/v1.0/$batch'),
  ]);
  assert.is(r.match('GET', '/v1.0/users/delta')!.route.pattern, '/v1.0/users/delta');
  assert.equal(r.match('GET', '/v1.0/users/alice%40contoso.com')!.params, { id: 'alice@contoso.com' });
  assert.equal(r.match('POST', '/v1.0/groups/g1/members/$ref')!.params, { id: 'g1' });
  assert.equal(r.match('DELETE', '/v1.0/groups/g1/members/u1/$ref')!.params, { id: 'g1', memberId: 'u1' });
  assert.is(r.match('DELETE', '/v1.0/groups/g1/members/u1'), undefined, 'without /$ref it is another operation');
  assert.equal(r.match('GET', '/v1.0/users/u1/messages/m1/$value')!.params, { id: 'u1', messageId: 'm1' });
  assert.equal(r.match('PUT', '/v1.0/users/u1/drive/root:/Documents/Q3 plan.docx:/content')!.params, { id: 'u1', path: 'Documents/Q3 plan.docx' });
  assert.ok(r.match('POST', '/v1.0/$batch'));
  assert.equal(r.match('GET', '/beta/users/u2')!.params, { id: 'u2' }, '/beta falls back to the v1.0 handler');
  assert.equal(r.allowedMethods('/v1.0/users/u1'), ['GET']);
});

interface Rec extends Tracked {
  name: string;
}

test('lag: a create is invisible, an update shows the previous version, until _visibleAt', () => {
  const rec: Rec = { _seq: 1, name: 'v1' };
  recordWrite(rec, 1000, 500, undefined);
  assert.is(visibleVersion(rec, 1200), undefined, 'a fresh create is not yet replicated');
  assert.is(visibleVersion(rec, 1500), rec);
  const before = structuredClone(rec);
  rec.name = 'v2';
  recordWrite(rec, 2000, 500, before);
  assert.is(visibleVersion(rec, 2100)!.name, 'v1');
  rec.name = 'v3';
  recordWrite(rec, 2200, 500, structuredClone(rec));
  assert.is(visibleVersion(rec, 2600)!.name, 'v1', 'writes inside one window keep the version from before the first');
  assert.is(visibleVersion(rec, 2700)!.name, 'v3');
  recordWrite(rec, 3000, 0, undefined);
  assert.is(visibleVersion(rec, 3000)!.name, 'v3', 'no lag: visible at once');
});

const tenant = tenantFromConfig({ name: 'contoso', domains: [], apps: [{ clientId: 'app', clientSecret: 's', roles: [] }], licenses: [], users: [], groups: [] });
const mailRoute: Route = { method: 'GET', pattern: '/v1.0/users/{id}/messages', budget: 'mailbox', handler: h('m') };

test('throttle: the 5th concurrent request on one mailbox is 429 ApplicationThrottled; a freed slot admits the next', () => {
  const t = new Throttler(structuredClone(DEFAULT_LIMITS));
  const input = (mailbox: string) => ({ method: 'GET', path: `/v1.0/users/${mailbox}/messages`, query: new URLSearchParams(), route: mailRoute, tenant, appId: 'app', bodyBytes: 0, now: 1000 });
  const held = [1, 2, 3, 4].map(() => t.acquire(input('alice@contoso.com')));
  try {
    t.acquire(input('alice@contoso.com'));
    assert.unreachable('the 5th concurrent request must be throttled');
  } catch (e) {
    assert.instance(e, GraphError);
    const g = e as GraphError;
    assert.is(g.status, 429);
    assert.is(g.code, 'ApplicationThrottled');
    assert.match(g.message, /over its MailboxConcurrency limit/);
    assert.ok(Number(g.headers['Retry-After']) > 0);
  }
  assert.ok(t.acquire(input('bob@contoso.com')), 'another mailbox has its own budget');
  held[0]!.release!();
  assert.ok(t.acquire(input('alice@contoso.com')), 'a freed slot admits the next request');
});

test('throttle: RU costs follow Graph ($select -1, $expand +1, $top < 20 -1, minimum 1)', () => {
  const users: Route = { method: 'GET', pattern: '/v1.0/users', resourceUnits: 2, handler: h('u') };
  assert.is(resourceUnits(users, '/v1.0/users', new URLSearchParams()), 2);
  assert.is(resourceUnits(users, '/v1.0/users', new URLSearchParams('$select=id')), 1);
  assert.is(resourceUnits(users, '/v1.0/users', new URLSearchParams('$select=id&$top=5')), 1);
  assert.is(resourceUnits(users, '/v1.0/users', new URLSearchParams('$expand=manager')), 3);
  const inferred: Route = { method: 'GET', pattern: '/v1.0/groups/{id}/transitiveMembers', handler: h('g') };
  assert.is(resourceUnits(inferred, '/v1.0/groups/g/transitiveMembers', new URLSearchParams()), 5);
});

test('throttle: the upload budget refuses bytes beyond 150 MB per 5 min; timeScale shortens the wait', () => {
  const limits = { ...structuredClone(DEFAULT_LIMITS), timeScale: 0.01 };
  const t = new Throttler(limits);
  const post: Route = { method: 'POST', pattern: '/v1.0/users/{id}/messages', budget: 'mailbox', handler: h('p') };
  const big = { method: 'POST', path: '/v1.0/users/u/messages', query: new URLSearchParams(), route: post, tenant, appId: 'app', bodyBytes: 100 * 1024 * 1024, now: 0 };
  t.acquire(big).release!();
  try {
    t.acquire(big);
    assert.unreachable();
  } catch (e) {
    const g = e as GraphError;
    assert.is(g.status, 429);
    // 50 MB short at 150 MB per 5 min is 100 s; a time scale of 0.01 makes it 1 s.
    assert.ok(Math.abs(Number(g.headers['Retry-After']) - 1) < 0.01, g.headers['Retry-After']);
  }
  assert.ok(t.acquire({ ...big, now: 1000 }), 'after Retry-After (scaled) the upload is accepted');
});

test.run();
