// The apply run's job log writer: the lines readJobLog reads (same fields, redacted), in the order
// appended per user, every line on disk once flush() resolves, lines appended during a write
// coalesced into the next one.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createJobLogWriter } from '../../engine/apply/job-log-writer.js';
import { jobLogFile, readJobLog } from '../../engine/state/job-log.js';

const tmp = mkdtempSync(join(tmpdir(), 't2t-joblog-writer-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));
const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJ0aWQiOiJjb250b3NvIn0.c2lnbmF0dXJl';

test('lines of many users, in order per user, redacted, all written by flush', async () => {
  const dir = join(tmp, 'a');
  const w = createJobLogWriter(dir);
  const users = Array.from({ length: 30 }, (_, i) => `User${i}@contoso.com`);
  for (let step = 0; step < 5; step++) {
    for (const u of users) {
      w.append({ wave: 'wave 01', user: u }, { event: 'step.start', op: `op${step}` });
      w.append({ wave: 'wave 01', user: u }, { event: 'step.done', op: `op${step}`, message: `token ${JWT}` });
    }
    await new Promise((r) => setImmediate(r));
  }
  await w.flush();
  for (const u of users) {
    const lines = await readJobLog(dir, { wave: 'wave 01', user: u });
    assert.equal(lines.map((l) => `${l.event}:${String(l['op'])}`), [0, 1, 2, 3, 4].flatMap((s) => [`step.start:op${s}`, `step.done:op${s}`]));
    assert.ok(lines.every((l) => l.user === u.toLowerCase() && l.wave === 'wave 01' && l.level === 'info' && typeof l.time === 'string'));
  }
  const text = readFileSync(jobLogFile(dir, 'wave 01', users[0]!), 'utf8');
  assert.not.ok(text.includes(JWT), 'the token is redacted');
  assert.is(text.split('\n').filter(Boolean).length, 10);
});

test('an explicit level and time are kept; flush with nothing pending resolves', async () => {
  const dir = join(tmp, 'b');
  const w = createJobLogWriter(dir);
  await w.flush();
  w.append({ wave: 'w', user: 'a@contoso.com' }, { event: 'step.failed', level: 'error', time: '2026-01-01T00:00:00.000Z', message: 'boom' });
  await w.flush();
  const [line] = await readJobLog(dir, { user: 'a@contoso.com' });
  assert.equal(line, { event: 'step.failed', level: 'error', time: '2026-01-01T00:00:00.000Z', message: 'boom', wave: 'w', user: 'a@contoso.com' });
});

test.run();
