// Generated certificates (t2t certs, test fixtures): the serial number must be a DER INTEGER
// OpenSSL accepts. A serial with a padding 0x00 byte made about one certificate in a hundred
// unreadable ("illegal padding"), so this draws many serials, not one.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { X509Certificate } from 'node:crypto';
import { generateSelfSigned, serialNumberHex } from '../../engine/certs/generate.js';

test('serial numbers: 16 bytes, positive, no padding byte', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 5000; i++) {
    const hex = serialNumberHex();
    assert.match(hex, /^[0-9a-f]{32}$/);
    const first = parseInt(hex.slice(0, 2), 16);
    assert.ok(first >= 0x40 && first <= 0x7f, `first byte ${hex.slice(0, 2)}`);
    seen.add(hex);
  }
  assert.is(seen.size, 5000, 'random');
});

test('a generated certificate parses and verifies with OpenSSL, serial as generated', () => {
  const g = generateSelfSigned({ cn: 'serial.example.com', sans: ['serial.example.com'], days: 30 });
  const c = new X509Certificate(g.certificatePem);
  assert.is(c.serialNumber.length, 32);
  assert.ok(c.verify(c.publicKey));
});

test.run();
