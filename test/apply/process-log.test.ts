// The process log (.t2t/t2t.log) is best effort: a disk that fills up or a log that cannot be
// written must not fail an apply, least of all after its tenant writes, where the failure lost the
// apply record. /dev/full answers every write with ENOSPC, as a full disk does (found by a safety
// audit: apply ended in "unexpected failure: ENOSPC ... a bug in t2t" and recorded nothing).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningEmulator } from '../helpers/emulator.js';
import { exampleProject, startExampleEmulator, type ExampleProject } from './fixture.js';

const FULL = '/dev/full';
let emu: RunningEmulator;
let p: ExampleProject;

test.before(async () => {
  if (!existsSync(FULL)) return;
  emu = await startExampleEmulator();
  p = exampleProject(emu, { phases: { 'wave-01-pilot': 'prepared', 'wave-02-sales': 'discovered' } });
});
test.after(async () => {
  await emu?.stop();
  p?.cleanup();
});

test('apply with a process log that cannot be written: warns once, applies, records the apply', async () => {
  if (!existsSync(FULL)) return; // Linux only
  mkdirSync(join(p.dir, '.t2t'), { recursive: true });
  symlinkSync(FULL, join(p.dir, '.t2t', 't2t.log'));
  const r = await p.apply('--wave', 'wave-01-pilot');
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout + r.stderr, /Apply complete: \d+ done, 0 failed/);
  const warnings = r.stderr.split('\n').filter((l) => l.includes('cannot be written'));
  assert.is(warnings.length, 1, r.stderr);
  assert.match(warnings[0]!, /the process log .*t2t\.log cannot be written \(ENOSPC\): apply goes on without it/);
  assert.not.match(r.stderr, /unexpected failure|bug in t2t/);
  assert.match(p.git('log', '--notes=t2t', '--format=%N', '-1'), /"result":"succeeded"/);
  const again = await p.apply('--wave', 'wave-01-pilot');
  assert.is(again.code, 0, again.stderr);
});

test.run();
