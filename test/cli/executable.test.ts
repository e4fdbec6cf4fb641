// The `t2t` executable as npm installs it: its #! line starts node with heap options, which must be
// options node accepts (a typo there would break every command) and must reach node as separate
// arguments (env -S), the way bench/plan runs it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { executableNodeOptions } from '../../bench/executable-options.js';
import { generateSynthetic } from '../../bench/plan/generate.js';
import { writeProjectFiles } from '../../bench/plan/project-files.js';
import { writeCache } from '../../bench/plan/run.js';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'engine', 'cli', 'bin.js');

test('the #! line passes node options through env -S', () => {
  const options = executableNodeOptions(BIN);
  assert.ok(options.length > 0, 'heap options on the #! line');
  for (const o of options) assert.match(o, /^--[a-z-]+=\d+$/);
});

test('node accepts those options and runs the command with them', () => {
  const r = spawnSync(process.execPath, [...executableNodeOptions(BIN), BIN, '--version'], { encoding: 'utf8' });
  assert.is(r.stderr, '');
  assert.is(r.status, 0);
  assert.match(r.stdout, /^t2t \d+\.\d+\.\d+\n$/);
});

test('a reader that stops early (t2t plan | head): no stack trace, the command keeps its exit code', async () => {
  const dir = await mkdtemp(join(tmpdir(), 't2t-epipe-'));
  try {
    // 2,000 users in flight: about 600 KB of plan text, far more than a pipe holds
    const { project, inventory } = generateSynthetic(2000, { settled: false });
    await writeProjectFiles(dir, project);
    await writeCache(join(dir, '.t2t'), project, inventory);
    const child = spawn(process.execPath, [...executableNodeOptions(BIN), BIN, 'plan', dir, '--offline', '--detailed-exitcode'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // read the first chunk, then close our end of the pipe, as head does
    const first = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString())));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    assert.match(first, /^wave wave-0 \(phase prepared, 100 users\)/);
    assert.is(code, 2, stderr);
    assert.not.match(stderr, /EPIPE|\n\s+at /);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
