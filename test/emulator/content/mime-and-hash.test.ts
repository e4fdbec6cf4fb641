// Unit tests of the emulator's MIME module and OneDrive's QuickXorHash (pure functions).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildMime, decodeQuotedPrintable, parseAddressList, parseMime } from '../../../emulator/graph/mime.js';
import { quickXorHash } from '../../../emulator/store/drive-state.js';

test('buildMime -> parseMime round-trips UTF-8 subject, names, addresses, HTML body, date and Message-ID', () => {
  const date = new Date('2025-02-03T04:05:06.000Z');
  const raw = buildMime({
    from: { name: 'Zoë Ünal', address: 'zoe@contoso.com' },
    to: [{ name: 'Doe, John', address: 'john@contoso.com' }, { address: 'ann@fabrikam.com' }],
    subject: 'Grüße — 😀',
    date,
    messageId: '<abc@contoso.com>',
    body: { contentType: 'html', content: '<p>Ça va?</p>\n<p>Line 2</p>' },
  });
  assert.ok(/^[\x00-\x7f]*$/.test(raw), 'the built message is 7-bit');
  assert.ok(raw.split('\r\n').every((l) => l.length <= 998), 'no line longer than RFC 5322 allows');
  const m = parseMime(raw);
  assert.equal(m.from, { name: 'Zoë Ünal', address: 'zoe@contoso.com' });
  assert.equal(m.to, [{ name: 'Doe, John', address: 'john@contoso.com' }, { address: 'ann@fabrikam.com' }]);
  assert.is(m.subject, 'Grüße — 😀');
  assert.is(m.date?.toISOString(), date.toISOString());
  assert.is(m.messageId, '<abc@contoso.com>');
  assert.equal(m.body, { contentType: 'html', content: '<p>Ça va?</p>\n<p>Line 2</p>' });
});

test('parseMime: folded headers, Q encoded-words, multipart/alternative prefers HTML, quoted-printable, attachments skipped', () => {
  const raw = [
    'From: =?ISO-8859-1?Q?Andr=E9?= <andre@example.com>',
    'To: a@example.com,',
    ' b@example.com',
    'Subject: =?UTF-8?Q?Caf=C3=A9_time?=',
    'Content-Type: multipart/mixed; boundary="outer"',
    '',
    'preamble',
    '--outer',
    'Content-Type: multipart/alternative; boundary=inner',
    '',
    '--inner',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'plain text',
    '--inner',
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    '<b>Caf=C3=A9</b> soft=',
    'break',
    '--inner--',
    '--outer',
    'Content-Type: text/html',
    'Content-Disposition: attachment; filename="x.html"',
    '',
    '<i>not the body</i>',
    '--outer--',
    '',
  ].join('\r\n');
  const m = parseMime(raw);
  assert.equal(m.from, { name: 'André', address: 'andre@example.com' });
  assert.equal(m.to.map((a) => a.address), ['a@example.com', 'b@example.com']);
  assert.is(m.subject, 'Café time');
  assert.equal(m.body, { contentType: 'html', content: '<b>Café</b> softbreak' });
});

test('decodeQuotedPrintable and parseAddressList edge cases', () => {
  assert.is(decodeQuotedPrintable('a=3Db=\r\nc').toString(), 'a=bc');
  assert.equal(parseAddressList('"Smith, J" <j@x.com>, k@x.com'), [{ name: 'Smith, J', address: 'j@x.com' }, { address: 'k@x.com' }]);
  assert.equal(parseAddressList(undefined), []);
});

test('quickXorHash matches published test vectors (rclone, checked against the reference C#)', () => {
  const vectors: [string, string][] = [
    ['', 'AAAAAAAAAAAAAAAAAAAAAAAAAAA='],
    ['Sg==', 'SgAAAAAAAAAAAAAAAQAAAAAAAAA='],
    ['tbQ=', 'taAFAAAAAAAAAAAAAgAAAAAAAAA='],
    ['vPgoDjOfO6fm71RxLw==', 'vMAHChwwg0/s4BTmdQcV4vACAAA='],
    ['2fuxhBJXtpWFe8dOfdGeHw==', 'O9tHLAghgSvYohKFyMMxnNCHaHg='],
    ['T6LYJIfDh81JrAK309H2JMJTXis=', 'zBTHrspn3mEcohlJdIUAbjGNaNg='],
  ];
  for (const [input, want] of vectors) assert.is(quickXorHash(Buffer.from(input, 'base64')), want, `input ${input}`);
});

test.run();
