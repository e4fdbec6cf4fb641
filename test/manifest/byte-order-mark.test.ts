// A file saved with a UTF-8 byte-order mark (Notepad, Excel's "CSV UTF-8") is read as the same
// text without it: the positions of line 1 are those an editor shows, and no excerpt carries it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadProject } from '../../engine/manifest/load-project.js';
import { cleanup, PROJECT, testdir, wave } from './helpers.js';

test.after.each(cleanup);

const BOM = '\uFEFF';

test('a problem on line 1 of a YAML file with a BOM is at the column an editor shows, and its excerpt has no BOM', async () => {
  const r = await loadProject(testdir({ 'project.yaml': PROJECT, 'waves/a.yaml': BOM + wave('a', '    users: [a@src.com]\n').replace('apiVersion: t2t.dev/v1', 'apiVersion: t2t.dev/v2') }));
  assert.equal(r.diagnostics.map((d) => [d.code, d.file, d.line, d.col, d.excerpt]), [['bad-api-version', 'waves/a.yaml', 1, 13, 'apiVersion: t2t.dev/v2']]);
});

test('a BOM before a wave is no change of meaning: the project loads with the wave at line 1, column 1', async () => {
  const r = await loadProject(testdir({ 'project.yaml': BOM + PROJECT, 'waves/a.yaml': BOM + wave('a', '    users: [a@src.com]\n') }));
  assert.equal(r.diagnostics, []);
  assert.equal(r.project!.position, { file: 'project.yaml', line: 1, col: 1 });
  assert.equal(r.project!.waves[0]!.position, { file: 'waves/a.yaml', line: 1, col: 1 });
});

test('the excerpt of a bad first line of a CSV with a BOM has no BOM', async () => {
  const r = await loadProject(testdir({ 'project.yaml': PROJECT, 'waves/a.yaml': wave('a', '    csv: waves/a.csv\n'), 'waves/a.csv': `${BOM}email\r\na@src.com\r\n` }));
  assert.equal(r.diagnostics.map((d) => [d.code, d.file, d.line, d.col, d.excerpt]), [['bad-csv', 'waves/a.csv', 1, 1, 'email']]);
});

test('a members CSV saved by Excel for Mac (lone CR line ends, empty fields) gives its members, and a bad line its own excerpt', async () => {
  const csv = `${BOM}user;\ra@src.com;\rnot-an-address;\rB@src.com;;\r`;
  const r = await loadProject(testdir({ 'project.yaml': PROJECT, 'waves/a.yaml': wave('a', '    csv: waves/a.csv\n'), 'waves/a.csv': csv }));
  assert.equal(r.diagnostics.map((d) => [d.code, d.file, d.line, d.col, d.excerpt]), [['bad-csv', 'waves/a.csv', 3, 1, 'not-an-address;']]);
  const ok = await loadProject(testdir({ 'project.yaml': PROJECT, 'waves/a.yaml': wave('a', '    csv: waves/a.csv\n'), 'waves/a.csv': csv.replace('not-an-address;\r', '') }));
  assert.equal(ok.project!.waves[0]!.members.csvUsers, ['a@src.com', 'b@src.com']);
});

test.run();
