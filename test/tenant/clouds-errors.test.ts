import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cloudEndpoints } from '../../engine/tenant/clouds.js';
import { HttpStatusError, remoteFailure, toExchangeError, toTenantError } from '../../engine/tenant/errors.js';
import { TenantError, UserError } from '../../engine/errors.js';

const position = { file: 'project.yaml', line: 3, col: 5 };

test('each cloud has its own sign-in host, Graph and Exchange bases and scopes', () => {
  const global = cloudEndpoints({ name: 't', cloud: 'global', position });
  assert.equal([global.loginHost, global.graphBase, global.exchangeBase, global.graphScope, global.exchangeScope, global.privateCa], ['https://login.microsoftonline.com', 'https://graph.microsoft.com', 'https://outlook.office365.com', 'https://graph.microsoft.com/.default', 'https://outlook.office365.com/.default', false]);
  const gcch = cloudEndpoints({ name: 't', cloud: 'usgov', position });
  assert.equal([gcch.loginHost, gcch.graphScope, gcch.exchangeScope], ['https://login.microsoftonline.us', 'https://graph.microsoft.us/.default', 'https://outlook.office365.us/.default']);
  assert.is(cloudEndpoints({ name: 't', cloud: 'usgovdod', position }).graphBase, 'https://dod-graph.microsoft.us');
  const china = cloudEndpoints({ name: 't', cloud: 'china', position });
  assert.equal([china.loginHost, china.graphBase], ['https://login.chinacloudapi.cn', 'https://microsoftgraph.chinacloudapi.cn']);
});

test('the emulator serves everything on its endpoint with the global scope names', () => {
  const e = cloudEndpoints({ name: 'contoso', cloud: 'emulator', endpoint: 'https://127.0.0.1:7365/', position });
  assert.equal([e.loginHost, e.graphBase, e.exchangeBase, e.graphScope, e.knownAuthorities, e.privateCa], ['https://127.0.0.1:7365', 'https://127.0.0.1:7365', 'https://127.0.0.1:7365', 'https://graph.microsoft.com/.default', ['127.0.0.1:7365'], true]);
  for (const endpoint of [undefined, 'not a url', 'http://127.0.0.1:7365']) {
    try {
      cloudEndpoints({ name: 'contoso', cloud: 'emulator', ...(endpoint ? { endpoint } : {}), position });
      assert.unreachable(String(endpoint));
    } catch (err) {
      assert.instance(err, UserError);
      assert.match((err as UserError).message, /^tenant 'contoso'/);
    }
  }
});

const graphError = (status: number, code: string, message: string, headers: Record<string, string> = {}) =>
  new HttpStatusError(status, new Headers(headers), { error: { code, message, innerError: { 'request-id': 'rid-1', date: '2026-01-01T00:00:00Z' } } });
const ctx = { tenant: 'fabrikam', clientId: 'app-2', method: 'POST', url: '/v1.0/users/u1/assignLicense', object: 'user alice@fabrikam.com' };

test('licence errors get a hint about usage location or free units', () => {
  const usage = toTenantError(graphError(400, 'Request_BadRequest', 'License assignment cannot be done for user with invalid usage location.'), ctx);
  assert.match(usage.hint!, /usageLocation/);
  const units = toTenantError(graphError(400, 'Request_BadRequest', 'Subscription abc does not have any available licenses.'), ctx);
  assert.match(units.hint!, /no free units/);
  assert.equal((units as TenantError).details, { tenant: 'fabrikam', object: 'user alice@fabrikam.com', status: 400, requestId: 'rid-1', retryable: false });
});

test('404 hints at replication; request id falls back to the header; Retry-After is read', () => {
  const e = new HttpStatusError(404, new Headers({ 'request-id': 'hdr-9', 'retry-after': '2.5' }), { error: { code: 'Request_ResourceNotFound', message: 'gone' } });
  const t = toTenantError(e, { ...ctx, method: 'GET', url: '/users/u1', object: undefined as unknown as string }) as TenantError;
  assert.is(t.details.requestId, 'hdr-9');
  assert.is(t.details.object, 'users/u1');
  assert.match(t.hint!, /replicated/);
  assert.is(remoteFailure(e)!.retryAfterMs, 2500);
});

test('secrets in remote messages are redacted', () => {
  const t = toTenantError(graphError(400, 'BadRequest', 'value sup3r-secret-123 rejected'), { ...ctx, secrets: ['sup3r-secret-123'] });
  assert.match(t.message, /value \*\*\* rejected/);
});

test('Exchange errors read error.details "id|type|text"', () => {
  const e = new HttpStatusError(400, new Headers({ 'request-id': 'x1' }), { error: { code: 'BadRequest', message: 'Error executing cmdlet', details: [{ code: 'Context', message: 'Ex2A7D2B|Microsoft.Exchange.Data.DataValidationException|The proxy address "smtp:a@b.com" is already being used.' }] } });
  const t = toExchangeError(e, { tenant: 'fabrikam', method: 'POST', url: '/adminapi', cmdlet: 'Set-MailUser', identity: 'alice' }) as TenantError;
  assert.is(t.message, `tenant 'fabrikam': Set-MailUser -Identity alice failed: DataValidationException: The proxy address "smtp:a@b.com" is already being used. [request-id x1]`);
  assert.is(t.details.object, 'Set-MailUser -Identity alice');
});

test.run();
