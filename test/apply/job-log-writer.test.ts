// The apply run's job log writer: the lines readJobLog reads (same fields, redacted), in the order
// appended per user, each in the file as soon as it is appended, files closed at a user's end and
// beyond the open-file cap (then reopened for appending).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createJobLogWriter } from '../../engine/apply/job-log-writer.js';
import { jobLogFile, readJobLog } from '../../engine/state/job-log.js';

const tmp = mkdtempSync(join(tmpdir(), 't2t-joblog-writer-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));
const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJ0aWQiOiJjb250b3NvIn0.c2lnbmF0dXJl';
const openFds = () => readdirSync('/proc/self/fd').length;

test('lines of many users, in order per user, redacted, with at most maxOpen files open', async () => {
  const dir = join(tmp, 'a');
  const before = openFds();
  const w = createJobLogWriter(dir, { maxOpen: 8 });
  const users = Array.from({ length: 30 }, (_, i) => `User${i}@contoso.com`);
  for (let step = 0; step < 5; step++) {
    for (const u of users) {
      w.append({ wave: 'wave 01', user: u }, { event: 'step.start', op: `op${step}` });
      w.append({ wave: 'wave 01', user: u }, { event: 'step.done', op: `op${step}`, message: `token ${JWT}` });
      assert.ok(openFds() - before <= 8, 'no more than maxOpen files open');
    }
  }
  // written at once: readable before any end() or close()
  for (const u of users) {
    const lines = await readJobLog(dir, { wave: 'wave 01', user: u });
    assert.equal(lines.map((l) => `${l.event}:${String(l['op'])}`), [0, 1, 2, 3, 4].flatMap((s) => [`step.start:op${s}`, `step.done:op${s}`]));
    assert.ok(lines.every((l) => l.user === u.toLowerCase() && l.wave === 'wave 01' && l.level === 'info' && typeof l.time === 'string'));
  }
  const text = readFileSync(jobLogFile(dir, 'wave 01', users[0]!), 'utf8');
  assert.not.ok(text.includes(JWT), 'the token is redacted');
  w.close();
  assert.is(openFds(), before, 'close() closes every file');
});

test('end() closes the user file; a later line reopens it and appends; explicit level and time kept', async () => {
  const dir = join(tmp, 'b');
  const before = openFds();
  const w = createJobLogWriter(dir);
  const where = { wave: 'w', user: 'a@contoso.com' };
  w.append(where, { event: 'step.failed', level: 'error', time: '2026-01-01T00:00:00.000Z', message: 'boom' });
  assert.is(openFds(), before + 1);
  w.end(where);
  assert.is(openFds(), before);
  w.append(where, { event: 'user.result', time: '2026-01-01T00:00:01.000Z', status: 'failed' });
  w.close();
  const lines = await readJobLog(dir, { user: 'a@contoso.com' });
  assert.equal(lines[0], { event: 'step.failed', level: 'error', time: '2026-01-01T00:00:00.000Z', message: 'boom', wave: 'w', user: 'a@contoso.com' });
  assert.equal(lines.map((l) => l.event), ['step.failed', 'user.result']);
});

test('a directory that cannot be made does not throw (a job log is best effort)', () => {
  const file = join(tmp, 'a-file');
  writeFileSync(file, '');
  const w = createJobLogWriter(join(file, 'state'));
  w.append({ wave: 'w', user: 'a@contoso.com' }, { event: 'step.start' });
  w.close();
});

test('a line that cannot be written is dropped and reported once, and the writer goes on', () => {
  // found by a safety audit: on a full disk or with .t2t/logs unusable, apply lost every job log
  // line without a word, and `t2t logs` later showed nothing of what it did
  const dir = join(tmp, 'unwritable');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'logs'), 'a file where the logs directory should be\n');
  const errors: string[] = [];
  const w = createJobLogWriter(dir, { onError: (e, file) => errors.push(`${(e as NodeJS.ErrnoException).code} ${file}`) });
  for (const user of ['a@contoso.com', 'b@contoso.com']) for (let i = 0; i < 3; i++) w.append({ wave: 'w', user }, { event: 'step.done' });
  w.close();
  assert.equal(errors, [`ENOTDIR ${jobLogFile(dir, 'w', 'a@contoso.com')}`]);
});

test.run();
