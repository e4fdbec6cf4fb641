import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readPfx } from '../../engine/certs/pfx.js';
import { checkCertificate, sanCovers } from '../../engine/certs/validate.js';
import { makePfx, makeMismatchedPfx } from '../helpers/pfx.js';

const DAY = 86_400_000;
const now = new Date();
const pw = 'pw';
const source = { name: 'rewrite-tls', pfxFile: 'certs/tls.pfx', passwordFromEnv: 'PW' };
function cert(o: { sans?: string[]; days?: number; notBefore?: Date; keyBits?: number; mismatched?: boolean }) {
  const opts = { cn: 'fabrikam.com', sans: o.sans ?? ['fabrikam.com'], days: o.days ?? 365, keyBits: o.keyBits ?? 2048, password: pw, ...(o.notBefore ? { notBefore: o.notBefore } : {}) };
  return readPfx(o.mismatched ? makeMismatchedPfx(opts) : makePfx(opts), pw, source);
}
const codes = (ds: { code: string; severity: string }[]) => ds.map((d) => `${d.severity}:${d.code}`);
const good = cert({ sans: ['fabrikam.com', '*.fabrikam.com'] });

test('a good TLS certificate has no findings', () => {
  assert.equal(checkCertificate(good, { now, domains: ['fabrikam.com', 'eu.fabrikam.com'], purpose: 'tls' }), []);
});

test('expired is an error with the date', () => {
  const c = cert({ notBefore: new Date(now.getTime() - 40 * DAY), days: 10 });
  const ds = checkCertificate(c, { now, domains: [], purpose: 'tls' });
  assert.equal(codes(ds), ['error:cert-expired']);
  assert.ok(ds[0]!.message.startsWith("certificate 'rewrite-tls' (certs/tls.pfx): expired on 20"), ds[0]!.message);
});

test('not yet valid is an error', () => {
  const c = cert({ notBefore: new Date(now.getTime() + 2 * DAY) });
  assert.equal(codes(checkCertificate(c, { now, domains: [], purpose: 'tls' })), ['error:cert-not-yet-valid']);
});

test('expiring within 30 days is a warning that counts the days', () => {
  const c = cert({ notBefore: new Date(now.getTime() - DAY), days: 11 });
  const ds = checkCertificate(c, { now, domains: [], purpose: 'dkim' });
  assert.equal(codes(ds), ['warning:cert-expiring']);
  assert.match(ds[0]!.message, /expires in 10 days/);
  assert.equal(checkCertificate(cert({ days: 31 }), { now, domains: [], purpose: 'tls' }), []);
});

test('small RSA keys: an error for TLS, a warning at 1024 for DKIM', () => {
  const small = cert({ keyBits: 1024 });
  assert.equal(codes(checkCertificate(small, { now, domains: [], purpose: 'tls' })), ['error:cert-weak-key']);
  assert.equal(codes(checkCertificate(small, { now, domains: [], purpose: 'auth' })), ['error:cert-weak-key']);
  const dkim = checkCertificate(small, { now, domains: [], purpose: 'dkim' });
  assert.equal(codes(dkim), ['warning:cert-dkim-key-size']);
  assert.match(dkim[0]!.message, /1024 bits.*2048 bits are recommended/);
  assert.equal(codes(checkCertificate(cert({ keyBits: 768 }), { now, domains: [], purpose: 'dkim' })), ['error:cert-weak-key']);
});

test('a TLS certificate must cover every target domain by SAN', () => {
  const c = cert({ sans: ['contoso.com'] });
  const ds = checkCertificate(c, { now, domains: ['fabrikam.com'], purpose: 'tls' });
  assert.equal(codes(ds), ['error:cert-domain-not-covered']);
  assert.match(ds[0]!.message, /does not cover the target domain fabrikam\.com \(subject alternative names: contoso\.com\)/);
  assert.equal(checkCertificate(c, { now, domains: ['fabrikam.com'], purpose: 'dkim' }), []); // DKIM does not need the SAN
});

test('wildcards cover exactly one label, not the apex', () => {
  const c = cert({ sans: ['*.fabrikam.com'] });
  assert.equal(checkCertificate(c, { now, domains: ['eu.fabrikam.com', 'EU.Fabrikam.com'], purpose: 'tls' }), []);
  const apex = checkCertificate(c, { now, domains: ['fabrikam.com'], purpose: 'tls' });
  assert.equal(codes(apex), ['error:cert-domain-not-covered']);
  assert.match(apex[0]!.hint!, /wildcard \*\.fabrikam\.com does not cover fabrikam\.com itself/);
  assert.ok(sanCovers('*.fabrikam.com', 'mail.fabrikam.com'));
  assert.not.ok(sanCovers('*.fabrikam.com', 'a.b.fabrikam.com'));
  assert.not.ok(sanCovers('*.com', 'fabrikam.com'));
  assert.not.ok(sanCovers('*.fabrikam.com', 'xfabrikam.com'));
});

test('a private key that does not belong to the certificate is an error', () => {
  const c = cert({ mismatched: true });
  assert.not.ok(c.keyMatches);
  assert.equal(codes(checkCertificate(c, { now, domains: [], purpose: 'tls' })), ['error:cert-key-mismatch']);
});

test.run();
