#!/usr/bin/env node
// Runs uvu over dist/test and trusts its counts, not its exit code: uvu 0.5 formats a failure with
// `err.details.split(...)`, so an error whose `details` is an object (our TenantError) throws inside
// the runner's `finally`, is swallowed, and the run exits 0 with "Passed: 0 / Total: 2". Here a run
// fails unless every test passed or was skipped.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const uvu = join(dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', 'uvu', 'bin.js');
const [dir = 'dist/test', pattern = '\\.test\\.js$', ...rest] = process.argv.slice(2);
const child = spawn(process.execPath, [uvu, dir, pattern, ...rest], { stdio: ['inherit', 'pipe', 'inherit'] });
let tail = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  tail = (tail + chunk.toString()).slice(-2000);
});
child.on('close', (code, signal) => {
  // eslint-disable-next-line no-control-regex
  const plain = tail.replace(/\u001b\[[0-9;]*m/g, '');
  const count = (label) => Number(new RegExp(`${label}:\\s+(\\d+)`).exec(plain)?.[1] ?? NaN);
  const total = count('Total');
  const passed = count('Passed');
  const skipped = count('Skipped');
  if (code !== 0 || signal) {
    process.exitCode = code || 1;
  } else if (!Number.isFinite(total) || passed + skipped !== total) {
    console.error(`\nrun-tests: ${total - passed - skipped} of ${total} tests neither passed nor were skipped (an error uvu could not format): failing the run`);
    process.exitCode = 1;
  }
});
