import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stateDir, stateDirPath } from '../../engine/state/paths.js';

const tmp = mkdtempSync(join(tmpdir(), 't2t-paths-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));

test('stateDir is <project>/.t2t by default, created with a .gitignore of *', () => {
  const dir = stateDir(tmp, {});
  assert.is(dir, join(tmp, '.t2t'));
  assert.ok(readFileSync(join(dir, '.gitignore'), 'utf8').split('\n').includes('*'));
});

test('T2T_STATE_DIR overrides it; a relative value is relative to the project', () => {
  assert.is(stateDirPath(tmp, { T2T_STATE_DIR: 'cache/state' }), join(tmp, 'cache/state'));
  const abs = join(tmp, 'elsewhere');
  assert.is(stateDir('/nonexistent-project', { T2T_STATE_DIR: abs }), abs);
  assert.ok(existsSync(join(abs, '.gitignore')));
});

test.run();
