import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { generateKeyPairSync } from 'node:crypto';
import { dkimRecord, dkimRecordFor, splitForDns } from '../../engine/certs/dkim.js';
import { readPfx } from '../../engine/certs/pfx.js';
import { makePfx } from '../helpers/pfx.js';

test('the record text is exact for a short key', () => {
  const r = dkimRecord('t2t', 'Fabrikam.com.', 'MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC1');
  assert.is(r.name, 't2t._domainkey.fabrikam.com');
  assert.is(r.type, 'TXT');
  assert.is(r.value, 'v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC1');
  assert.equal(r.strings, [r.value]);
  assert.is(r.text, 't2t._domainkey.fabrikam.com TXT "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC1"');
});

test('a 2048-bit key is split into 255-character strings that join back to the value', () => {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const p = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  const r = dkimRecord('s1', 'fabrikam.com', p);
  assert.is(r.strings.length, 2);
  assert.is(r.strings[0]!.length, 255);
  assert.is(r.strings.join(''), `v=DKIM1; k=rsa; p=${p}`);
  assert.is(r.text, `s1._domainkey.fabrikam.com TXT "${r.strings[0]}" "${r.strings[1]}"`);
  assert.equal(splitForDns('a'.repeat(510)), ['a'.repeat(255), 'a'.repeat(255)]);
  assert.equal(splitForDns('a'.repeat(511)).map((s) => s.length), [255, 255, 1]);
});

test('the p= value is the certificate public key (SPKI DER, base64)', () => {
  const c = readPfx(makePfx({ cn: 'dkim', password: 'x' }), 'x', { name: 'dkim', pfxFile: 'd.pfx' });
  const r = dkimRecordFor(c, 't2t', 'fabrikam.com');
  assert.is(r.value, `v=DKIM1; k=rsa; p=${c.chain[0]!.publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`);
  assert.match(r.value, /p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA/); // 2048-bit RSA SPKI prefix
});

test.run();
