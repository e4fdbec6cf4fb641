// YAML aliases: within a document they are expanded; one that cannot be expanded (no anchor before
// it in its document, or an alias bomb) is a yaml-syntax error at the alias, not an exception that
// ended every command with 'unexpected failure ... a bug in t2t'.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadProject } from '../../engine/manifest/load-project.js';
import { cleanup, PROJECT, testdir, wave } from './helpers.js';

test.after.each(cleanup);

test('an alias within its document is expanded', async () => {
  const r = await loadProject(testdir({ 'project.yaml': PROJECT, 'waves/a.yaml': wave('a', '    users: &pilot [a@src.com]\n    groups: [Pilot]\n') + 'x-note: *pilot\n' }));
  // (x-note is an unknown key: what matters is that the alias was read)
  assert.equal(r.diagnostics.map((d) => [d.code, d.line]), [['unknown-key', 11]]);
});

test('an alias to an anchor of another document (anchors do not cross ---) is a yaml-syntax error at the alias', async () => {
  const waves = `${wave('a', '    users: [a@src.com]\n').replace('spec:', 'spec: &base')}---\napiVersion: t2t.dev/v1\nkind: Wave\nmetadata: { name: b }\nspec:\n  <<: *base\n  profile: standard\n  members: { users: [b@src.com] }\n`;
  const r = await loadProject(testdir({ 'project.yaml': PROJECT, 'waves/a.yaml': waves }));
  assert.is(r.project, undefined);
  assert.equal(r.diagnostics.map((d) => [d.code, d.file, d.line, d.col, d.message]), [
    ['yaml-syntax', 'waves/a.yaml', 15, 7, 'YAML syntax error: alias *base names no anchor &base before it in this document'],
  ]);
  assert.match(r.diagnostics[0]!.hint!, /does not reach across '---'/);
});

test('an alias with no anchor at all, in the Project', async () => {
  const r = await loadProject(testdir({ 'project.yaml': PROJECT.replace('standard: {}', 'standard: *std') }));
  assert.equal(r.diagnostics.map((d) => [d.code, d.line, d.col, d.message]), [['yaml-syntax', 22, 15, 'YAML syntax error: alias *std names no anchor &std before it in this document']]);
});

test('an alias bomb is refused as a yaml-syntax error, not expanded', async () => {
  const bomb = `${wave('a', '    users: [a@src.com]\n')}x1: &a1 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\nx2: &a2 [*a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1]\nx3: &a3 [*a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2]\nx4: [*a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3]\n`;
  const r = await loadProject(testdir({ 'project.yaml': PROJECT, 'waves/a.yaml': bomb }));
  assert.is(r.project, undefined);
  assert.equal(r.diagnostics.map((d) => [d.code, d.file, d.message]), [['yaml-syntax', 'waves/a.yaml', 'YAML syntax error: the aliases of this document expand too far (more than 100 copies)']]);
});

test.run();
