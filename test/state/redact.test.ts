import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { redact, redactString, REDACTED } from '../../engine/state/redact.js';

const JWT = 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0aWQiOiJjb250b3NvIiwicm9sZXMiOlsiVXNlci5SZWFkIl19.c2lnbmF0dXJlLWJ5dGVz';
const PEM = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----';
const RSA_PEM = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----';

test('values under secret-sounding keys are masked, at any depth', () => {
  const input = {
    clientSecret: 'dev-secret',
    nested: { deep: [{ password: 'p@ss', Authorization: 'Bearer x', privateKey: 'k', private_key: 'k2', pfxPassword: 'x' }] },
    access_token: 'abc',
    client_assertion: 'abc',
    keep: 'visible',
    count: 3,
  };
  const out = redact(input);
  assert.equal(out, {
    clientSecret: REDACTED,
    nested: { deep: [{ password: REDACTED, Authorization: REDACTED, privateKey: REDACTED, private_key: REDACTED, pfxPassword: REDACTED }] },
    access_token: REDACTED,
    client_assertion: REDACTED,
    keep: 'visible',
    count: 3,
  });
  assert.is(input.clientSecret, 'dev-secret'); // a copy: the input is untouched
});

test('JWTs inside any string are masked', () => {
  assert.is(redactString(`request failed: Authorization: Bearer ${JWT} rejected`), 'request failed: Authorization: Bearer [REDACTED-JWT] rejected');
  assert.equal(redact({ url: `https://x/cb?id_token=${JWT}&a=1` }), { url: 'https://x/cb?id_token=[REDACTED-JWT]&a=1' });
  assert.is(redactString('eyJ is not a token'), 'eyJ is not a token');
});

test('PEM private keys are masked, certificates are not', () => {
  const cert = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';
  assert.is(redactString(`key:\n${PEM}\nand ${RSA_PEM}\n${cert}`), `key:\n[REDACTED-PRIVATE-KEY]\nand [REDACTED-PRIVATE-KEY]\n${cert}`);
  assert.is(redactString('-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE (truncated'), '[REDACTED-PRIVATE-KEY]');
  assert.equal(redact({ list: [PEM] }), { list: ['[REDACTED-PRIVATE-KEY]'] });
});

test('errors, buffers and cycles are handled', () => {
  const e = Object.assign(new Error(`token ${JWT} expired`), { code: 'E1', password: 'x' });
  assert.equal(redact({ e }), { e: { name: 'Error', message: 'token [REDACTED-JWT] expired', code: 'E1', password: REDACTED } });
  assert.equal(redact({ b: Buffer.from('secret bytes') }), { b: '[binary 12 bytes]' });
  const a: Record<string, unknown> = { x: 1 };
  a.self = a;
  assert.equal(redact(a), { x: 1, self: '[Circular]' });
  assert.equal(redact({ token: null, secret: '' }), { token: null, secret: '' }); // nothing to hide
});

test.run();
