// streamPlan hands each user's changes on as soon as the user is planned and keeps none: what it
// prints must be exactly the whole plan's text, and what it returns the plan without its changes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { generateFuzz } from '../../bench/plan/fuzz.js';
import { buildPlan, hasChanges, streamPlan, type PlanInput } from '../../engine/plan/build-plan.js';
import type { PlanChange, WavePlan } from '../../engine/plan/model.js';
import { renderPlanEndText, renderPlanText, textSink } from '../../engine/plan/render-text.js';
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

/** What a sink receives, in order: per wave, the users' change lists, then the group creates. */
function received(input: PlanInput) {
  const waves: { wave: WavePlan; users: (readonly PlanChange[])[]; groupCreates: readonly PlanChange[] }[] = [];
  let users: (readonly PlanChange[])[] = [];
  const outline = streamPlan(input, {
    changes: (list) => users.push(list),
    wave: (w, groupCreates) => {
      waves.push({ wave: w, users, groupCreates });
      users = [];
    },
  });
  return { outline, waves, pending: users };
}

test('over 60 fuzzed projects: the streamed text is the whole text, the outline the plan without its changes', () => {
  let withChanges = 0;
  for (let seed = 1; seed <= 60; seed++) {
    const plan = buildPlan(fuzzInput(seed));
    let text = '';
    const outline = streamPlan(fuzzInput(seed), textSink((section) => (text += section)));
    assert.is(text + renderPlanEndText(outline), renderPlanText(plan), `seed ${seed}: text`);
    const { changes, ...rest } = plan;
    assert.equal(outline, rest, `seed ${seed}: outline`);
    assert.is(hasChanges(outline), changes.length > 0);
    // every change handed on once, under its own wave, a user's changes together
    const r = received(fuzzInput(seed));
    assert.equal(r.pending, [], `seed ${seed}: changes after the last wave`);
    const handed = r.waves.flatMap((w) => [...w.groupCreates, ...w.users.flat()]);
    assert.equal(new Set(handed.map((c) => c.id)), new Set(changes.map((c) => c.id)), `seed ${seed}: changes`);
    assert.is(handed.length, changes.length);
    for (const w of r.waves) {
      assert.ok([...w.groupCreates, ...w.users.flat()].every((c) => c.wave === w.wave.name), `seed ${seed}: wave`);
      assert.ok(w.users.every((list) => list.length > 0 && list.every((c) => c.user === list[0]!.user)), `seed ${seed}: one user per list`);
    }
    if (changes.length) withChanges++;
  }
  assert.ok(withChanges > 30, `only ${withChanges} of 60 fuzzed plans had changes`);
});

test('a group the first wave creates comes with that wave, and a later wave only depends on it', () => {
  const src = Array.from({ length: 4 }, (_, i) => user(`s${i}@contoso.com`, { id: `s${i}` }));
  const p = project([wave('wave-01', 'prepared', ['s0@contoso.com', 's1@contoso.com']), wave('wave-02', 'prepared', ['s2@contoso.com', 's3@contoso.com'])], {
    groups: [{ source: 'All Sales', target: 'Sales', create: true }],
  });
  const input: PlanInput = { project: p, inventory: inventory(tenant('contoso', { users: src, groups: [group('All Sales', src)] }), tenant('fabrikam')), revision: REVISION, now: NOW };
  const { waves } = received(input);
  assert.equal(
    waves.map((w) => w.groupCreates.map((c) => c.op)),
    [['group.create'], []],
  );
  const createId = waves[0]!.groupCreates[0]!.id;
  assert.ok(waves[1]!.users.flat().some((c) => c.dependsOn.includes(createId)));
  let text = '';
  streamPlan(input, textSink((section) => (text += section)));
  assert.match(text, /^wave wave-01 \(phase prepared, 2 users\)\n  \(shared\)\n    \+ create group Sales in fabrikam\n  s0@contoso.com\n/);
});

test.run();
