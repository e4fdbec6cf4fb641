import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, createPublicKey, createPrivateKey, X509Certificate } from 'node:crypto';
import { redact, resolveCertificate, resolveSecret } from '../../engine/tenant/secrets.js';
import { UserError } from '../../engine/errors.js';
import { makePbes2Pfx, makePfx } from '../helpers/pfx.js';

const dir = mkdtempSync(join(tmpdir(), 't2t-secrets-'));
const tenant = { name: 'contoso', position: { file: 'project.yaml', line: 7, col: 5 } };
const ctx = (env: NodeJS.ProcessEnv = {}) => ({ projectDir: dir, env, tenant, key: 'spec.tenants.contoso.auth.clientSecret' });

function userError(fn: () => unknown): UserError {
  try {
    fn();
  } catch (e) {
    assert.instance(e, UserError);
    return e as UserError;
  }
  throw new Error('expected a UserError');
}

test('reads a secret from the environment', () => {
  assert.is(resolveSecret({ fromEnv: 'CONTOSO_CLIENT_SECRET' }, ctx({ CONTOSO_CLIENT_SECRET: 's3cr3t-value' })), 's3cr3t-value');
});

test('a missing variable names tenant, manifest key and variable, with an export hint', () => {
  const e = userError(() => resolveSecret({ fromEnv: 'CONTOSO_CLIENT_SECRET' }, ctx({})));
  assert.is(e.message, "tenant 'contoso': spec.tenants.contoso.auth.clientSecret reads environment variable CONTOSO_CLIENT_SECRET, which is not set");
  assert.match(e.hint!, /^export CONTOSO_CLIENT_SECRET=…/);
  assert.equal(e.position, tenant.position);
  assert.is(e.code, 'tenant.secretMissing');
});

test('an error about the secret points at where the manifest names it, when known', () => {
  const credentialPosition = { file: 'project.yaml', line: 16, col: 9 };
  const e = userError(() => resolveSecret({ fromEnv: 'CONTOSO_CLIENT_SECRET' }, { ...ctx({}), tenant: { ...tenant, credentialPosition } }));
  assert.equal(e.position, credentialPosition);
});

test('an empty variable is refused too', () => {
  const e = userError(() => resolveSecret({ fromEnv: 'X' }, ctx({ X: '' })));
  assert.match(e.message, /which is empty$/);
});

test('a file secret is read relative to the project directory, without its trailing newline', () => {
  mkdirSync(join(dir, 'secrets'), { recursive: true });
  writeFileSync(join(dir, 'secrets', 'contoso.txt'), 'file-secret-value\n');
  assert.is(resolveSecret({ file: 'secrets/contoso.txt' }, ctx()), 'file-secret-value');
  const e = userError(() => resolveSecret({ file: 'secrets/missing.txt' }, ctx()));
  assert.match(e.message, /names file 'secrets\/missing.txt', which cannot be read \(no such file\)/);
});

test('a PFX becomes msal-node certificate credentials', () => {
  writeFileSync(join(dir, 'app.pfx'), makePfx({ cn: 't2t-test-app', password: 'pfx-pass-123', keyBits: 1024 }));
  const cred = resolveCertificate({ pfxFile: 'app.pfx', passwordFromEnv: 'PFX_PASSWORD' }, { ...ctx({ PFX_PASSWORD: 'pfx-pass-123' }), key: 'spec.tenants.contoso.auth.certificate' });
  const cert = new X509Certificate(cred.x5c);
  assert.is(cred.thumbprintSha256, createHash('sha256').update(cert.raw).digest('hex').toUpperCase());
  assert.match(cred.privateKey, /^-----BEGIN PRIVATE KEY-----/);
  // The key belongs to the certificate.
  const fromKey = createPublicKey(createPrivateKey(cred.privateKey)).export({ type: 'spki', format: 'der' });
  assert.ok(Buffer.compare(fromKey, cert.publicKey.export({ type: 'spki', format: 'der' })) === 0);
});

test('a PBES2 (OpenSSL 3, Windows AES256) PFX with a non-ASCII password opens', () => {
  // forge fed PBKDF2 the password's char codes instead of its UTF-8 bytes: "wrong password"
  writeFileSync(join(dir, 'app-utf8.pfx'), makePbes2Pfx({ cn: 't2t-test-app', password: 'Kennwört-€-9', keyBits: 1024 }));
  const cred = resolveCertificate({ pfxFile: 'app-utf8.pfx', passwordFromEnv: 'PFX_PASSWORD' }, { ...ctx({ PFX_PASSWORD: 'Kennwört-€-9' }), key: 'spec.tenants.contoso.auth.certificate' });
  assert.match(cred.privateKey, /^-----BEGIN PRIVATE KEY-----/);
  const e = userError(() => resolveCertificate({ pfxFile: 'app-utf8.pfx', passwordFromEnv: 'PFX_PASSWORD' }, { ...ctx({ PFX_PASSWORD: 'Kennwort-€-9' }), key: 'spec.tenants.contoso.auth.certificate' }));
  assert.match(e.message, /\(wrong password\)/);
});

test('a wrong PFX password is named as such, and the password is not in the message', () => {
  writeFileSync(join(dir, 'app2.pfx'), makePfx({ cn: 't2t-test-app', password: 'right-password', keyBits: 1024 }));
  const e = userError(() => resolveCertificate({ pfxFile: 'app2.pfx', passwordFromEnv: 'PFX_PASSWORD' }, { ...ctx({ PFX_PASSWORD: 'wrong-password' }), key: 'spec.tenants.contoso.auth.certificate' }));
  assert.match(e.message, /cannot open certificate 'app2.pfx' \(wrong password\)/);
  assert.match(e.hint!, /environment variable PFX_PASSWORD/);
  assert.not.match(`${e.message} ${e.hint}`, /wrong-password|right-password/);
});

test('a missing PFX password variable names the key and the variable', () => {
  const e = userError(() => resolveCertificate({ pfxFile: 'app.pfx', passwordFromEnv: 'PFX_PASSWORD' }, { ...ctx({}), key: 'spec.tenants.contoso.auth.certificate' }));
  assert.match(e.message, /spec.tenants.contoso.auth.certificate.passwordFromEnv reads environment variable PFX_PASSWORD/);
});

test('redact replaces every occurrence of each secret', () => {
  assert.is(redact('secret=abcd1234; again abcd1234', ['abcd1234']), 'secret=***; again ***');
  assert.is(redact('short ab', ['ab']), 'short ab'); // too short to be a secret worth masking
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
