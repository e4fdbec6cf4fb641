import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, readFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendJobLog, readJobLog, jobLogFile, createProcessLogger } from '../../engine/state/job-log.js';

const tmp = mkdtempSync(join(tmpdir(), 't2t-joblog-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));
const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJ0aWQiOiJjb250b3NvIn0.c2lnbmF0dXJl';

test('append then read one user, one wave, and a user across waves, in time order', async () => {
  const dir = join(tmp, 'a');
  await appendJobLog(dir, { wave: 'wave-01', user: 'Alice@Contoso.com' }, { event: 'step.start', step: 'createUser', time: '2026-01-01T00:00:01Z' });
  await appendJobLog(dir, { wave: 'wave-01', user: 'bob@contoso.com' }, { event: 'step.start', time: '2026-01-01T00:00:02Z' });
  await appendJobLog(dir, { wave: 'wave-01', user: 'alice@contoso.com' }, { event: 'step.done', step: 'createUser', time: '2026-01-01T00:00:03Z' });
  await appendJobLog(dir, { wave: 'wave-02', user: 'alice@contoso.com' }, { event: 'step.failed', level: 'error', message: 'boom', time: '2026-01-01T00:00:00Z' });

  const alice1 = await readJobLog(dir, { user: 'alice@contoso.com', wave: 'wave-01' });
  assert.equal(alice1.map((e) => e.event), ['step.start', 'step.done']);
  assert.is(alice1[0]!.user, 'alice@contoso.com');
  assert.is(alice1[0]!.level, 'info');
  assert.is(alice1[0]!.step, 'createUser');

  const alice = await readJobLog(dir, { user: 'ALICE@contoso.com' });
  assert.equal(alice.map((e) => `${e.wave}:${e.event}`), ['wave-02:step.failed', 'wave-01:step.start', 'wave-01:step.done']);

  const wave = await readJobLog(dir, { wave: 'wave-01' });
  assert.equal(wave.map((e) => `${e.user}:${e.event}`), ['alice@contoso.com:step.start', 'bob@contoso.com:step.start', 'alice@contoso.com:step.done']);

  assert.equal(await readJobLog(dir, { user: 'nobody@contoso.com' }), []);
  assert.equal(await readJobLog(join(tmp, 'never-written'), { wave: 'x' }), []);
});

test('job log lines are redacted and a torn last line is skipped', async () => {
  const dir = join(tmp, 'b');
  const where = { wave: 'w', user: 'carol@contoso.com' };
  await appendJobLog(dir, where, { event: 'token', message: `got ${JWT}`, request: { headers: { authorization: 'Bearer x' } } });
  appendFileSync(jobLogFile(dir, 'w', 'carol@contoso.com'), '{"time":"2026-'); // crash mid-write
  const text = readFileSync(jobLogFile(dir, 'w', 'carol@contoso.com'), 'utf8');
  assert.not.ok(text.includes(JWT));
  assert.not.ok(text.includes('Bearer x'));
  const entries = await readJobLog(dir, where);
  assert.is(entries.length, 1);
  assert.is(entries[0]!.message, 'got [REDACTED-JWT]');
});

test('a damaged line that is still JSON but no entry is skipped, not a crash of logs and status', async () => {
  // `null`, `{}`, `42` or an array: JSON.parse takes them, and the sort by time (and logs' level
  // column) failed with "Cannot read properties of null (reading 'time')"
  const dir = join(tmp, 'c');
  const where = { wave: 'w', user: 'dan@contoso.com' };
  await appendJobLog(dir, where, { event: 'step.start', time: '2026-01-01T00:00:01Z' });
  appendFileSync(jobLogFile(dir, 'w', 'dan@contoso.com'), 'null\n{}\n42\n[1]\n"x"\n{"time":7,"level":"info","wave":"w","user":"dan@contoso.com","event":"e"}\n');
  await appendJobLog(dir, where, { event: 'step.done', time: '2026-01-01T00:00:02Z' });
  assert.equal((await readJobLog(dir, where)).map((e) => e.event), ['step.start', 'step.done']);
  assert.equal((await readJobLog(dir, { wave: 'w' })).map((e) => e.event), ['step.start', 'step.done']);
});

test('odd characters in names stay inside the logs folder', () => {
  const file = jobLogFile('/s', '../up', "o'brien/x@contoso.com");
  assert.is(file, "/s/logs/%2e.%2fup/o%27brien%2fx@contoso.com.jsonl");
});

test('the pino process log redacts merge objects and message strings', () => {
  const dir = join(tmp, 'c');
  const log = createProcessLogger(dir);
  log.info({ tenant: 'contoso', clientSecret: 'dev-secret', nested: { accessToken: 'x' } }, `token ${JWT}`);
  log.warn('plain message');
  const lines = readFileSync(join(dir, 't2t.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.is(lines.length, 2);
  assert.is(lines[0].tenant, 'contoso');
  assert.is(lines[0].clientSecret, '[REDACTED]');
  assert.is(lines[0].nested.accessToken, '[REDACTED]');
  assert.is(lines[0].msg, 'token [REDACTED-JWT]');
  assert.is(lines[1].msg, 'plain message');
});

test.run();
