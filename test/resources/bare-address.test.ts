// sameBareAddress is bareAddress(a) === bareAddress(b) without building the strings: it must
// agree on every case, prefix, whitespace and non-ASCII variant.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bareAddress, sameBareAddress } from '../../engine/resources/change.js';

const VALUES = [
  null,
  undefined,
  '',
  '   ',
  'smtp:',
  'SMTP:',
  ' smtp: ',
  'alice@contoso.com',
  'ALICE@Contoso.com',
  'SMTP:alice@contoso.com',
  'smtp:ALICE@contoso.com ',
  '\tSmTp:  alice@contoso.com\n',
  'smtpalice@contoso.com',
  'smtp;alice@contoso.com',
  'x500:alice@contoso.com',
  'alice@contoso.co',
  'alicf@contoso.com',
  'SMTP:smtp:alice@contoso.com',
  'smtp:alice@contoso.com\u00a0',
  '\u00a0alice@contoso.com',
  'ÄLICE@contoso.com',
  'älice@contoso.com',
  'SMTP:İ@contoso.com',
  'i̇@contoso.com',
  'SMTP:\u2003alice@contoso.com',
];

test('sameBareAddress(a, b) is bareAddress(a) === bareAddress(b) for every pair', () => {
  for (const a of VALUES) {
    for (const b of VALUES) {
      assert.is(sameBareAddress(a, b), bareAddress(a) === bareAddress(b), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
    }
  }
});

test.run();
