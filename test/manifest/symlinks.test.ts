// Manifests reached through symbolic links (a project.yaml shared between environments, a wave or
// a directory of waves linked from elsewhere) are part of the project. They used to be skipped
// without a word: a linked project.yaml gave 'no Project document', a linked wave silently left
// the project (validate said valid; plan and apply planned without it).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { loadProject } from '../../engine/manifest/load-project.js';
import { cleanup, PROJECT, testdir, wave } from './helpers.js';

test.after.each(cleanup);

test('a linked project.yaml, a linked wave file and a linked directory of waves are all read', async () => {
  const shared = testdir({
    'project.yaml': PROJECT,
    'wave-b.yaml': wave('b', '    users: [b@src.com]\n'),
    'more/wave-c.yaml': wave('c', '    users: [c@src.com]\n'),
  });
  const dir = testdir({ 'waves/wave-a.yaml': wave('a', '    users: [a@src.com]\n') });
  symlinkSync(join(shared, 'project.yaml'), join(dir, 'project.yaml'));
  symlinkSync(join(shared, 'wave-b.yaml'), join(dir, 'waves', 'wave-b.yaml'));
  symlinkSync(join(shared, 'more'), join(dir, 'waves', 'more'));
  const r = await loadProject(dir);
  assert.equal(r.diagnostics, []);
  assert.equal(r.files, ['project.yaml', 'waves/more/wave-c.yaml', 'waves/wave-a.yaml', 'waves/wave-b.yaml']);
  assert.equal(r.project!.waves.map((w) => [w.name, w.file]), [
    ['c', 'waves/more/wave-c.yaml'],
    ['a', 'waves/wave-a.yaml'],
    ['b', 'waves/wave-b.yaml'],
  ]);
});

test('a link back up the tree is walked once (no loop, no duplicate waves); a link to nothing is skipped', async () => {
  const dir = testdir({ 'project.yaml': PROJECT, 'waves/wave-a.yaml': wave('a', '    users: [a@src.com]\n') });
  symlinkSync('..', join(dir, 'waves', 'up'));
  mkdirSync(join(dir, 'other'));
  symlinkSync(join(dir, 'does-not-exist.yaml'), join(dir, 'other', 'gone.yaml'));
  const r = await loadProject(dir);
  assert.equal(r.diagnostics, []);
  assert.equal(r.files, ['project.yaml', 'waves/wave-a.yaml']);
});

test.run();
