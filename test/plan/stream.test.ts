// streamPlan hands each wave's changes on as soon as the wave is planned and keeps none: what it
// prints must be exactly the whole plan's text, and what it returns the plan without its changes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { generateFuzz } from '../../bench/plan/fuzz.js';
import { buildPlan, hasChanges, streamPlan, type PlanInput } from '../../engine/plan/build-plan.js';
import type { PlanChange, WavePlan } from '../../engine/plan/model.js';
import { renderPlanEndText, renderPlanText, renderWaveText } from '../../engine/plan/render-text.js';
import { group, inventory, NOW, project, REVISION, tenant, user, wave } from '../fixtures/inventories/builders.js';

function fuzzInput(seed: number): PlanInput {
  const f = generateFuzz(seed, 40);
  return {
    project: f.project,
    inventory: f.inventory,
    revision: { commit: f.commit, dirty: false },
    now: f.now,
    files: f.files,
    ...(f.waveFilter !== undefined ? { waveFilter: f.waveFilter } : {}),
    ...(f.deltaSyncWaves ? { deltaSyncWaves: f.deltaSyncWaves } : {}),
  };
}

function streamed(input: PlanInput) {
  const waves: { wave: WavePlan; changes: readonly PlanChange[] }[] = [];
  const outline = streamPlan(input, (wave, changes) => waves.push({ wave, changes }));
  return { outline, waves };
}

test('over 60 fuzzed projects: the streamed text is the whole text, the outline the plan without its changes', () => {
  let withChanges = 0;
  for (let seed = 1; seed <= 60; seed++) {
    const plan = buildPlan(fuzzInput(seed));
    const { outline, waves } = streamed(fuzzInput(seed));
    const text = waves.map((w) => renderWaveText(w.wave, w.changes)).join('') + renderPlanEndText(outline);
    assert.is(text, renderPlanText(plan), `seed ${seed}: text`);
    const { changes, ...rest } = plan;
    assert.equal(outline, rest, `seed ${seed}: outline`);
    // every change handed on once, each under its own wave
    const handed = waves.flatMap((w) => w.changes);
    assert.equal(new Set(handed.map((c) => c.id)), new Set(changes.map((c) => c.id)), `seed ${seed}: changes`);
    assert.is(handed.length, changes.length);
    for (const w of waves) assert.ok(w.changes.every((c) => c.wave === w.wave.name), `seed ${seed}: wave`);
    assert.is(hasChanges(outline), changes.length > 0);
    if (changes.length) withChanges++;
  }
  assert.ok(withChanges > 30, `only ${withChanges} of 60 fuzzed plans had changes`);
});

test('a group the first wave creates leads that wave, and a later wave only depends on it', () => {
  const src = Array.from({ length: 4 }, (_, i) => user(`s${i}@contoso.com`, { id: `s${i}` }));
  const p = project([wave('wave-01', 'prepared', ['s0@contoso.com', 's1@contoso.com']), wave('wave-02', 'prepared', ['s2@contoso.com', 's3@contoso.com'])], {
    groups: [{ source: 'All Sales', target: 'Sales', create: true }],
  });
  const input: PlanInput = { project: p, inventory: inventory(tenant('contoso', { users: src, groups: [group('All Sales', src)] }), tenant('fabrikam')), revision: REVISION, now: NOW };
  const { waves } = streamed(input);
  const creates = waves.map((w) => w.changes.filter((c) => c.op === 'group.create').length);
  assert.equal(creates, [1, 0]);
  assert.is(waves[0]!.changes[0]!.op, 'group.create');
  const createId = waves[0]!.changes[0]!.id;
  assert.ok(waves[1]!.changes.some((c) => c.dependsOn.includes(createId)));
});

test.run();
