import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, X509Certificate } from 'node:crypto';
import { loadCertificate, readPfx, privateKeyPem } from '../../engine/certs/pfx.js';
import { UserError } from '../../engine/errors.js';
import { makePbes2Pfx, makePfx } from '../helpers/pfx.js';

const tmp = mkdtempSync(join(tmpdir(), 't2t-pfx-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));
const PASSWORD = 'Correct-Horse-9';
const pfx = makePfx({ cn: 'mail.fabrikam.com', sans: ['mail.fabrikam.com', 'fabrikam.com', '*.fabrikam.com'], days: 90, password: PASSWORD });
writeFileSync(join(tmp, 'tls.pfx'), pfx);
const source = { name: 'rewrite-tls', pfxFile: 'tls.pfx', passwordFromEnv: 'TLS_PW' };

async function refusal(p: Promise<unknown>): Promise<UserError> {
  try {
    await p;
  } catch (e) {
    assert.instance(e, UserError);
    return e as UserError;
  }
  throw new Error('expected a UserError');
}

test('a valid PFX: subject, SANs, issuer, validity, key, thumbprints', async () => {
  const c = await loadCertificate(source, tmp, { TLS_PW: PASSWORD });
  assert.is(c.subject, 'CN=mail.fabrikam.com');
  assert.is(c.commonName, 'mail.fabrikam.com');
  assert.equal(c.sans, ['mail.fabrikam.com', 'fabrikam.com', '*.fabrikam.com']);
  assert.is(c.issuer, 'CN=mail.fabrikam.com');
  assert.ok(c.selfSigned);
  assert.is(c.keyType, 'rsa');
  assert.is(c.keyBits, 2048);
  assert.is(Math.round((c.notAfter.getTime() - c.notBefore.getTime()) / 86_400_000), 90);
  assert.ok(c.keyMatches);
  const der = c.chain[0]!.raw;
  assert.is(c.thumbprintSha1, createHash('sha1').update(der).digest('hex').toUpperCase());
  assert.is(c.thumbprintSha256, createHash('sha256').update(der).digest('hex').toUpperCase());
  assert.match(privateKeyPem(c)!, /^-----BEGIN PRIVATE KEY-----/);
  assert.not.match(JSON.stringify(c), /PRIVATE KEY/); // the key never serialises
  assert.ok(new X509Certificate(der).checkPrivateKey(c.privateKey!));
});

test('the password can come from a file relative to the project', async () => {
  writeFileSync(join(tmp, 'pw.txt'), PASSWORD + '\n');
  const c = await loadCertificate({ name: 'x', pfxFile: 'tls.pfx', passwordFile: 'pw.txt' }, tmp, {});
  assert.is(c.commonName, 'mail.fabrikam.com');
});

test('a wrong password names the certificate and the variable, never the password', async () => {
  const e = await refusal(loadCertificate(source, tmp, { TLS_PW: 'guess-Secret-123' }));
  assert.is(e.code, 'certs.wrongPassword');
  assert.ok(e.message.includes("certificate 'rewrite-tls' (tls.pfx)"), e.message);
  assert.ok(e.message.includes('TLS_PW'), e.message);
  for (const text of [e.message, e.hint ?? '', String(e.stack)]) {
    assert.not.ok(text.includes('guess-Secret-123'));
    assert.not.ok(text.includes(PASSWORD));
  }
});

test('a password-protected PFX whose manifest names no password says so, and how to name one', async () => {
  // it said "could not be decrypted with the password from no password (none configured)", hint
  // "check no password (none configured)"
  const e = await refusal(loadCertificate({ name: 'rewrite-tls', pfxFile: 'tls.pfx' }, tmp, {}));
  assert.is(e.code, 'certs.wrongPassword');
  assert.is(e.message, "certificate 'rewrite-tls' (tls.pfx) is protected by a password, and the manifest names none");
  assert.match(e.hint ?? '', /passwordFromEnv: VARIABLE \(or passwordFile: PATH\)/);
});

test('a PBES2 PFX (OpenSSL 3 default, Windows AES256-SHA256) with a non-ASCII password opens with it', async () => {
  // its MAC takes the password as UTF-16, its AES encryption as UTF-8: forge used the char codes
  // for both, so the right password was reported as certs.wrongPassword
  const password = 'Pässwörd-€-7';
  writeFileSync(join(tmp, 'utf8.pfx'), makePbes2Pfx({ cn: 'mail.fabrikam.com', password }));
  const c = await loadCertificate({ name: 'rewrite-tls', pfxFile: 'utf8.pfx', passwordFromEnv: 'TLS_PW' }, tmp, { TLS_PW: password });
  assert.is(c.commonName, 'mail.fabrikam.com');
  assert.ok(c.keyMatches);
  for (const wrong of ['Passwörd-€-7', 'Pässwörd-€-8', 'Pässwörd-EUR-7']) {
    const e = await refusal(loadCertificate({ name: 'rewrite-tls', pfxFile: 'utf8.pfx', passwordFromEnv: 'TLS_PW' }, tmp, { TLS_PW: wrong }));
    assert.is(e.code, 'certs.wrongPassword', wrong);
  }
  // the forge-made (3DES) PFX with such a password, as before
  writeFileSync(join(tmp, 'utf8-3des.pfx'), makePfx({ cn: 'mail.fabrikam.com', password }));
  assert.ok((await loadCertificate({ name: 'x', pfxFile: 'utf8-3des.pfx', passwordFromEnv: 'TLS_PW' }, tmp, { TLS_PW: password })).keyMatches);
});

test('a missing variable, a missing file and a non-PFX file are UserErrors', async () => {
  const missingEnv = await refusal(loadCertificate(source, tmp, {}));
  assert.is(missingEnv.code, 'certs.passwordMissing');
  assert.match(missingEnv.message, /environment variable TLS_PW is missing/);
  const missingFile = await refusal(loadCertificate({ ...source, pfxFile: 'nope.pfx' }, tmp, { TLS_PW: PASSWORD }));
  assert.is(missingFile.code, 'certs.missingFile');
  // said in words, with the way to create one for a rehearsal
  assert.match(missingFile.message, /nope\.pfx does not exist$/);
  assert.match(missingFile.hint ?? '', /t2t certs --self-signed/);
  const notPfx = await refusal(Promise.resolve().then(() => readPfx(Buffer.from('hello, not DER'), PASSWORD, source)));
  assert.is(notPfx.code, 'certs.notPfx');
});

test.run();
