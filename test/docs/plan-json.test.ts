// docs/plan-json.md describes the plan JSON as t2t writes it: every field of the document, of a
// change and of a wave has its row, and no row names a field that no longer exists; the fields of
// the nested objects (refused users, orphans, estimates, conditions) are named in the text.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPlan } from '../../engine/plan/build-plan.js';
import { renderPlanJson } from '../../engine/plan/render-json.js';
import { NOW, profile, project, REVISION, wave } from '../fixtures/inventories/builders.js';
import { scenario } from '../fixtures/inventories/scenario.js';
import { planFor } from '../plan/helpers.js';

// the Markdown source: this file runs as dist/test/docs/plan-json.test.js
const DOC = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'docs', 'plan-json.md'), 'utf8');

/** The first-column fields of the table under a heading. */
function rows(heading: string): string[] {
  const section = DOC.split(/^## /m).find((s) => s.startsWith(heading));
  assert.ok(section, `docs/plan-json.md has a section '${heading}'`);
  return [...section!.matchAll(/^\| `([A-Za-z]+)` \|/gm)].map((m) => m[1]!);
}

type Obj = Record<string, unknown>;
const json = (p: Parameters<typeof renderPlanJson>[0]) => JSON.parse(renderPlanJson(p)) as Obj;
const keysOf = (list: unknown) => [...new Set((list as Obj[]).flatMap((o) => Object.keys(o)))].sort();

// a plan with changes, waves and an estimate; one with orphans; one with a refused user
const planned = json(
  buildPlan({
    project: project([wave('wave-01', 'cutover', ['alice@contoso.com'])], { profiles: { standard: profile({ notification: { from: 'it@fabrikam.com', subject: 'Moved', bodyFile: 't.html' } }) } }),
    inventory: scenario('synced'),
    revision: REVISION,
    now: NOW,
  }),
);
const rolledBack = json(planFor(scenario('prepared'), 'discovered'));
const refused = json(planFor(scenario('cutover'), 'synced'));

test('every field of the document has its row, in the order t2t writes them, and no other', () => {
  assert.equal(rows('The document'), Object.keys(planned));
});

test('every field of a change has its row, and no other', () => {
  assert.ok((planned['changes'] as Obj[]).length > 0);
  assert.equal(rows('A change'), Object.keys((planned['changes'] as Obj[])[0]!), 'in the order t2t writes them');
  assert.equal([...rows('A change')].sort(), keysOf(planned['changes']), 'every change has the same fields');
});

test('every field of a wave has its row, and no other', () => {
  assert.equal([...rows('A wave')].sort(), keysOf(planned['waves']));
});

test('the fields of refused users, orphans, estimates and conditions are named', () => {
  const waves = planned['waves'] as Obj[];
  const estimate = waves.map((w) => w['estimate']).filter(Boolean);
  assert.ok(estimate.length > 0, 'the fixture has an estimate');
  assert.ok((rolledBack['orphans'] as Obj[]).length > 0, 'the fixture has orphans');
  assert.ok((refused['refused'] as Obj[]).length > 0, 'the fixture has a refused user');
  const nested = [...keysOf(refused['refused']), ...keysOf(rolledBack['orphans']), ...keysOf(estimate), ...keysOf(waves.flatMap((w) => w['conditions'] as Obj[])), ...Object.keys(planned['revision'] as Obj), ...Object.keys(planned['summary'] as Obj)];
  for (const k of nested) assert.ok(DOC.includes(`"${k}"`), `docs/plan-json.md names "${k}"`);
});

test.run();
