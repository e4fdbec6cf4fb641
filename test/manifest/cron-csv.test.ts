import { test } from 'uvu';
import * as assert from 'uvu/assert';
import cron from 'node-cron';
import { cronProblem } from '../../engine/manifest/cron.js';
import { parseMemberCsv } from '../../engine/manifest/csv-members.js';
import { templateFields } from '../../engine/manifest/graph-attributes.js';

test('cron: valid 5- and 6-field expressions', () => {
  for (const ok of ['0 0 * * *', '0 */6 * * *', '*/15 9-17 * * mon-fri', '0 2 1,15 jan,jul *', '30 0 0 * * 7', '0 0 * * 0-6/2']) {
    assert.is(cronProblem(ok), undefined, ok);
  }
});

test('cron: each problem names the field', () => {
  assert.is(cronProblem('0 25 * * *'), "hour field '25' is out of range 0-23");
  assert.is(cronProblem('61 * * * *'), "minute field '61' is out of range 0-59");
  assert.is(cronProblem('0 0 0 * *'), "day-of-month field '0' is out of range 1-31");
  assert.is(cronProblem('0 0 * 13 *'), "month field '13' is out of range 1-12");
  assert.is(cronProblem('0 0 * * funday'), "day-of-week field 'funday' has 'funday', which is not a number or a name");
  assert.is(cronProblem('0 */0 * * *'), "hour field '*/0' has a step of 0");
  assert.is(cronProblem('0 5-2 * * *'), "hour field '5-2' has a range '5-2' that runs backwards");
  assert.is(cronProblem('60 0 0 * * *'), "second field '60' is out of range 0-59");
  assert.match(cronProblem('* * *')!, /has 5 fields .* this one has 3$/);
  assert.match(cronProblem('')!, /this one has 0$/);
});

test('cron: a day of month that none of the months has never fires, and is refused as node-cron refuses it at reconcile', () => {
  assert.is(cronProblem('0 2 31 4 *'), "day-of-month field '31' names no day that month field '4' has (that month has at most 30 days): the schedule would never run");
  assert.match(cronProblem('0 0 30,31 feb *')!, /^day-of-month field '30,31' names no day that month field 'feb' has \(that month has at most 29 days\)/);
  assert.match(cronProblem('0 0 0 31 4,6 *')!, /month field '4,6' has \(those months are too short\)/);
  for (const expression of ['0 2 31 4 *', '0 0 30,31 feb *', '0 0 0 31 4,6 *', '0 0 31 2 mon', '0 0 31 * *', '0 0 29 2 *', '0 0 31 4-5 *', '0 0 30,31 2,3 *', '0 0 */10 2 *', '0 0 31 */2 *', '0 0 31 apr-jun/2 *']) {
    assert.is(cronProblem(expression) === undefined, cron.validate(expression), expression);
  }
});

test('csv: header, blank lines, comments, quotes, lower-casing', () => {
  const r = parseMemberCsv('\uFEFFuser\r\n\r\n# pilot\r\nAlice@Contoso.com\r\n"bob@contoso.com"\r\n');
  assert.equal(r.problems, []);
  assert.equal(r.members, [
    { address: 'alice@contoso.com', line: 4, col: 1 },
    { address: 'bob@contoso.com', line: 5, col: 1 },
  ]);
});

test('csv: no header is fine; bad lines are reported with their line', () => {
  const r = parseMemberCsv('a@x.com\nuser\n  b@x.com;c@x.com\nnot an address\n');
  assert.equal(r.members, [{ address: 'a@x.com', line: 1, col: 1 }]);
  assert.equal(r.problems, [
    { line: 2, col: 1, message: "'user' is not an e-mail address" },
    { line: 3, col: 3, message: 'line 3 holds more than one value: a members CSV has one address a line' },
    { line: 4, col: 1, message: "'not an address' is not an e-mail address" },
  ]);
});

test('csv: lines ending in a lone CR (Excel for Mac) are lines', () => {
  const r = parseMemberCsv('user\ralice@contoso.com\rnot an address\rbob@contoso.com\r');
  assert.equal(r.members, [
    { address: 'alice@contoso.com', line: 2, col: 1 },
    { address: 'bob@contoso.com', line: 4, col: 1 },
  ]);
  assert.equal(r.problems, [{ line: 3, col: 1, message: "'not an address' is not an e-mail address" }]);
});

test('csv: empty fields beside the address (Excel, with ; or ,) are ignored; two values are still an error', () => {
  const r = parseMemberCsv('User;;\r\n"Alice@Contoso.com";;\r\nbob@contoso.com,\r\n;;\r\n;carol@contoso.com\r\n\'dave@contoso.com\'\t\r\nerin@contoso.com;Erin\r\n\r\n');
  assert.equal(r.members.map((m) => [m.address, m.line]), [
    ['alice@contoso.com', 2],
    ['bob@contoso.com', 3],
    ['carol@contoso.com', 5],
    ['dave@contoso.com', 6],
  ]);
  assert.equal(r.problems, [{ line: 7, col: 1, message: 'line 7 holds more than one value: a members CSV has one address a line' }]);
});

test('csv: whitespace, non-breaking spaces, BOMs and zero-width characters around an address are removed; one inside is an error naming it', () => {
  const r = parseMemberCsv('\u200Balice@contoso.com\u200B\n\u00a0bob@contoso.com\u00a0\n\uFEFFcarol@contoso.com\n" \u2060dave@contoso.com\u200D "\nerin\u200B@contoso.com\n');
  assert.equal(r.members.map((m) => m.address), ['alice@contoso.com', 'bob@contoso.com', 'carol@contoso.com', 'dave@contoso.com']);
  assert.equal(r.problems, [{ line: 5, col: 1, message: "'erin@contoso.com' holds an invisible character (U+200B) at position 5: retype the address" }]);
});

test('template fields and unmatched braces', () => {
  assert.equal(templateFields('{jobTitle} ({department})'), [
    { name: 'jobTitle', index: 0 },
    { name: 'department', index: 12 },
  ]);
  assert.equal(templateFields('x { y'), [{ index: 2 }]);
});

test.run();
