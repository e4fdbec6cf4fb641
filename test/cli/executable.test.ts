// The `t2t` executable as npm installs it: its #! line starts node with heap options, which must be
// options node accepts (a typo there would break every command) and must reach node as separate
// arguments (env -S), the way bench/plan runs it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { executableNodeOptions } from '../../bench/executable-options.js';

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

test.run();
