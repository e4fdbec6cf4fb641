// Ctrl-C during `t2t apply`, through the executable: the stop is announced on one line (the entry
// point's), not twice (it also printed the executor's "stopping: ..." line), and the run stops
// after the changes in flight, exit 1.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunningEmulator } from '../helpers/emulator.js';
import { exampleProject, startExampleEmulator, type ExampleProject } from '../apply/fixture.js';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'engine', 'cli', 'bin.js');

let emu: RunningEmulator;
let p: ExampleProject;

test.before(async () => {
  // each request takes a while, so the apply is still running when the signal arrives
  emu = await startExampleEmulator({ faults: { latencyMs: 40 } });
  p = exampleProject(emu, { phases: { 'wave-01-pilot': 'prepared', 'wave-02-sales': 'discovered' } });
});
test.after(async () => {
  await emu?.stop();
  p?.cleanup();
});

test('Ctrl-C during apply: one line says the run is stopping, then it stops after the changes in flight', async () => {
  const child = spawn(process.execPath, [BIN, 'apply', p.dir, '--auto-approve'], { cwd: p.dir, env: { ...process.env, ...p.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let sent = false;
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    // the plan is shown before the changes start: interrupt as they begin
    if (!sent && /^Plan: /m.test(stdout)) {
      sent = true;
      child.kill('SIGINT');
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  assert.ok(sent, `the plan was never shown: ${stdout}\n${stderr}`);
  assert.is(code, 1, stderr);
  const announced = stderr.split('\n').filter((l) => /^SIGINT received|^stopping:/.test(l));
  assert.equal(announced, ['SIGINT received: finishing in-flight work, then stopping (again to force)'], stderr);
  assert.not.match(stderr, /\n\s+at /, 'no stack trace');
});

test.run();
