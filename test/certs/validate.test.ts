import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chainExpiry, issuingChain, readPfx } from '../../engine/certs/pfx.js';
import { checkCertificate, sanCovers } from '../../engine/certs/validate.js';
import { makeChainPfx, makePfx, makeMismatchedPfx, type ChainSpec } from '../helpers/pfx.js';

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

/** A leaf valid for a year, issued by an intermediate CA of the given validity (and a root). */
function chained(intermediate: Omit<ChainSpec, 'cn'>, o: { root?: boolean; leafDays?: number } = {}) {
  const der = makeChainPfx({
    leaf: { cn: 'fabrikam.com', sans: ['fabrikam.com'], days: o.leafDays ?? 365 },
    intermediate: { cn: 'Fabrikam Issuing CA', ...intermediate },
    ...(o.root ? { root: { cn: 'Fabrikam Root CA', days: 3650, notBefore: new Date(now.getTime() - 1000 * DAY) } } : {}),
    password: pw,
  });
  return readPfx(der, pw, source);
}

test('the chain of a PFX: the CA certificates that issued the leaf, its issuer first', () => {
  const c = chained({ notBefore: new Date(now.getTime() - 100 * DAY), days: 2000 }, { root: true });
  assert.is(c.subject, 'CN=fabrikam.com');
  assert.equal(issuingChain(c).map((ca) => [ca.subject, ca.issuer, ca.selfSigned]), [
    ['CN=Fabrikam Issuing CA', 'CN=Fabrikam Root CA', false],
    ['CN=Fabrikam Root CA', 'CN=Fabrikam Root CA', true],
  ]);
  // both outlive the leaf: it is the leaf that expires first, and nothing is found
  assert.equal(chainExpiry(c), { notAfter: c.notAfter });
  assert.equal(checkCertificate(c, { now, domains: ['fabrikam.com'], purpose: 'tls' }), []);
  assert.equal(issuingChain(good), [], 'a self-signed certificate has no chain');
});

test('a valid leaf whose intermediate CA expired: an error for TLS naming the CA, its expiry and the file; a warning elsewhere', () => {
  const c = chained({ notBefore: new Date(now.getTime() - 400 * DAY), days: 380 });
  const expiredOn = new Date(now.getTime() - 20 * DAY);
  const ds = checkCertificate(c, { now, domains: ['fabrikam.com'], purpose: 'tls' });
  assert.equal(codes(ds), ['error:cert-chain-expired']);
  assert.ok(ds[0]!.message.startsWith(`certificate 'rewrite-tls' (certs/tls.pfx): the intermediate CA certificate CN=Fabrikam Issuing CA in its chain expired on ${expiredOn.toISOString().slice(0, 10)}T`), ds[0]!.message);
  assert.match(ds[0]!.message, /expired on \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z: clients that check the chain refuse the certificate$/);
  assert.match(ds[0]!.hint!, /export the PFX again with the CA's current \(renewed\) certificate in its chain, or renew the certificate/);
  // DKIM publishes the key alone, and Entra ID knows a sign-in certificate by its key
  assert.equal(codes(checkCertificate(c, { now, domains: [], purpose: 'dkim' })), ['warning:cert-chain-expired']);
  assert.equal(codes(checkCertificate(c, { now, domains: [], purpose: 'auth' })), ['warning:cert-chain-expired']);
  assert.equal(chainExpiry(c).expiresFirst?.subject, 'CN=Fabrikam Issuing CA');
  assert.ok(chainExpiry(c).notAfter.getTime() < now.getTime());
});

test('an intermediate CA that expires before the leaf: a warning, counting the days within 30', () => {
  const soon = chained({ notBefore: new Date(now.getTime() - 100 * DAY), days: 110 });
  const ds = checkCertificate(soon, { now, domains: ['fabrikam.com'], purpose: 'tls' });
  assert.equal(codes(ds), ['warning:cert-chain-expiring']);
  assert.match(ds[0]!.message, /^certificate 'rewrite-tls' \(certs\/tls\.pfx\): the intermediate CA certificate CN=Fabrikam Issuing CA in its chain expires in 10 days \(\d{4}-[^)]+\), before the certificate itself \(\d{4}-[^)]+\): the chain is valid until then only$/);
  const later = chained({ notBefore: new Date(now.getTime() - 100 * DAY), days: 300 });
  const dl = checkCertificate(later, { now, domains: ['fabrikam.com'], purpose: 'tls' });
  assert.equal(codes(dl), ['warning:cert-chain-expiring']);
  assert.match(dl[0]!.message, /CN=Fabrikam Issuing CA in its chain expires on \d{4}-\d\d-\d\dT[^ ]+Z, before the certificate itself/);
  // one that outlives the leaf is the renewal's business; the leaf's own expiry is reported as before
  const outlives = chained({ notBefore: new Date(now.getTime() - 100 * DAY), days: 120 }, { leafDays: 15 });
  assert.equal(codes(checkCertificate(outlives, { now, domains: ['fabrikam.com'], purpose: 'tls' })), ['warning:cert-expiring']);
});

test.run();
