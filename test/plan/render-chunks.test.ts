// planJsonChunks streams the same text renderPlanJson returns, whatever the chunk size: a plan
// written piece by piece is byte-identical to the rendered one (saved plans, stdout).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildPlan } from '../../engine/plan/build-plan.js';
import { planJsonChunks, renderPlanJson } from '../../engine/plan/render-json.js';
import { NOW, profile, project, REVISION, wave } from '../fixtures/inventories/builders.js';
import { scenario } from '../fixtures/inventories/scenario.js';
import { planFor } from './helpers.js';

const cutover = buildPlan({
  project: project([wave('wave-01', 'cutover', ['alice@contoso.com']), wave('wave-02', 'prepared', ['ghost@contoso.com'], { paused: true })], {
    profiles: { standard: profile({ notification: { from: 'it@fabrikam.com', subject: 'Moved', bodyFile: 't.html' } }) },
  }),
  inventory: scenario('synced'),
  revision: REVISION,
  now: NOW,
});

test('the chunks concatenate to renderPlanJson, for any chunk size', () => {
  for (const plan of [planFor(scenario('discovered'), 'prepared'), cutover, planFor(scenario('cutover'), 'cutover')]) {
    const whole = renderPlanJson(plan);
    for (const size of [1, 2, 3, 1000]) assert.is([...planJsonChunks(plan, size)].join(''), whole, `chunk size ${size}`);
  }
});

test('a plan without changes, and one whose changes carry unsorted params, stream the same', () => {
  const empty = planFor(scenario('discovered'), 'discovered');
  assert.is(empty.changes.length, 0);
  assert.is([...planJsonChunks(empty)].join(''), renderPlanJson(empty));
  const c = cutover.changes[0]!;
  const odd = { ...cutover, changes: [{ ...c, params: { z: 1, a: { y: [2, { b: 1, a: 0 }], x: null } } }, { ...c, extra: 1 } as typeof c] };
  assert.is([...planJsonChunks(odd, 1)].join(''), renderPlanJson(odd));
  assert.ok(renderPlanJson(odd).includes('"a": {\n          "x": null,\n          "y": [\n            2,\n            {\n              "a": 0,'));
});

test('a big plan comes in several chunks', () => {
  const chunks = [...planJsonChunks(cutover, 2)];
  assert.ok(chunks.length >= cutover.changes.length / 2);
});

test.run();
