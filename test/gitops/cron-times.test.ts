import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// Cron times are local, and node-cron caches its time-zone formatter for the life of the process:
// each case runs in a child process started in the time zone under test.
const module = fileURLToPath(new URL('../../engine/gitops/cron-times.js', import.meta.url));

function inZone(tz: string, calls: [fn: 'nextCronTime' | 'isDue', ...args: (string | null)[]][]): (string | boolean | null)[] {
  const script = `
    const m = await import(${JSON.stringify(module)});
    const calls = ${JSON.stringify(calls)};
    const out = calls.map(([fn, expr, ...dates]) => {
      const d = dates.map((x) => (x === null ? undefined : new Date(x)));
      const r = m[fn](expr, ...d);
      return r instanceof Date ? r.toISOString() : r;
    });
    process.stdout.write(JSON.stringify(out));`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, TZ: tz }, encoding: 'utf8' })) as (string | boolean | null)[];
}

const iso = (s: string) => new Date(s).toISOString();

test('nextCronTime: the next local time at which the expression fires', () => {
  assert.equal(
    inZone('UTC', [
      ['nextCronTime', '0 2 * * *', '2026-06-01T01:00:00Z'],
      ['nextCronTime', '0 2 * * *', '2026-06-01T02:00:00Z'],
      ['nextCronTime', '0 */6 * * *', '2026-06-01T07:00:00Z'],
      ['nextCronTime', '0 2 29 2 *', '2026-03-01T00:00:00Z'],
    ]),
    ['2026-06-01T02:00:00.000Z', '2026-06-02T02:00:00.000Z', '2026-06-01T12:00:00.000Z', '2028-02-29T02:00:00.000Z'],
  );
});

test('nextCronTime: on the day clocks spring forward, the times of the day that exist still fire', () => {
  // 2026-03-29 in Berlin: 02:00 CET becomes 03:00 CEST, so 02:00 does not exist that day; 14:00 does
  assert.equal(
    inZone('Europe/Berlin', [
      ['nextCronTime', '0 2,14 * * *', '2026-03-29T00:30:00+01:00'],
      ['nextCronTime', '0 */6 * * *', '2026-03-29T00:30:00+01:00'],
      ['nextCronTime', '30 2 * * *', '2026-03-28T03:00:00+01:00'], // a time the day does not have is skipped, as node-cron skips it
      ['isDue', '0 2,14 * * *', '2026-03-28T14:00:00+01:00', '2026-03-29T14:05:00+02:00'],
    ]),
    [iso('2026-03-29T14:00:00+02:00'), iso('2026-03-29T06:00:00+02:00'), iso('2026-03-30T02:30:00+02:00'), true],
  );
  // 2026-09-06 in Chile: midnight does not exist (00:00 becomes 01:00)
  assert.equal(inZone('America/Santiago', [['nextCronTime', '0 0,12 * * *', '2026-09-05T23:30:00-04:00']]), [iso('2026-09-06T12:00:00-03:00')]);
});

test.run();
