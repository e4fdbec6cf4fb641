// Date-times of the manifests (spec.schedule.cutoverAt, discovery.deltaTimestamp) are read with
// JavaScript's Date by the planner, reconcile and discovery. One the schema's date-time format
// accepts but Date cannot read (a zone written +01, a leap second) would be NaN there: the planner
// compares `now < NaN`, which is false, so a wave at cutover planned its cutover at once instead of
// at cutoverAt. Validation refuses such a date-time; every one it accepts is one Date reads.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadProject } from '../../engine/manifest/load-project.js';
import { cleanup, PROJECT, testdir, wave } from './helpers.js';

test.after.each(cleanup);

const waveAt = (cutoverAt: string) => wave('a', '    users: [a@src.com]\n', `  schedule:\n    cutoverAt: "${cutoverAt}"\n`);

test('a cutoverAt that Date cannot read is a bad-date error at its value, not a cutover planned now', async () => {
  for (const value of ['2026-12-05T22:00:00+01', '2026-12-31T23:59:60Z', '2026-12-05T22:00:00-0530x']) {
    const r = await loadProject(testdir({ 'project.yaml': PROJECT, 'waves/a.yaml': waveAt(value) }));
    assert.is(r.project, undefined, value);
    assert.equal(
      r.diagnostics.map((d) => [d.code, d.file, d.line, d.col, d.message]),
      [['bad-date', 'waves/a.yaml', 9, 16, `spec.schedule.cutoverAt is not a date-time: '${value}'`]],
      value,
    );
    assert.match(r.diagnostics[0]!.hint!, /\+HH:MM/);
  }
});

test('a deltaTimestamp with a zone of hours only is refused too', async () => {
  const project = PROJECT.replace('        clientSecret: { fromEnv: SRC_SECRET }\n', '        clientSecret: { fromEnv: SRC_SECRET }\n      discovery: { deltaTimestamp: "2026-01-01T00:00:00+02" }\n');
  const r = await loadProject(testdir({ 'project.yaml': project }));
  assert.equal(r.diagnostics.map((d) => [d.code, d.line, d.message]), [['bad-date', 13, "spec.tenants.src.discovery.deltaTimestamp is not a date-time: '2026-01-01T00:00:00+02'"]]);
});

test('every date-time form validation accepts is one Date reads (zones Z, +HH:MM, +HHMM; T, t or a space; fractions)', async () => {
  const forms: string[] = [];
  for (const sep of ['T', 't', ' ']) for (const fraction of ['', '.5', '.123456789']) for (const zone of ['Z', 'z', '+01:00', '+0100', '-05:30']) forms.push(`2026-12-05${sep}22:00:00${fraction}${zone}`);
  for (const value of forms) {
    const r = await loadProject(testdir({ 'project.yaml': PROJECT, 'waves/a.yaml': waveAt(value) }));
    assert.equal(r.diagnostics, [], value);
    const at = r.project!.waves[0]!.schedule.cutoverAt!;
    assert.ok(!Number.isNaN(Date.parse(at)), `${value} is accepted but Date reads it as NaN`);
  }
});

test.run();
