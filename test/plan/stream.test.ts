// streamPlan hands each user's changes on as soon as the user is planned and keeps none: what the
// text, JSON and markdown sinks make must be exactly the whole plan's, and what it returns the
// plan without its changes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fuzzPlanInput } from '../../bench/plan/fuzz.js';
import { generateSynthetic } from '../../bench/plan/generate.js';
import { buildPlan, hasChanges, planHead, streamPlan, streamPlanSteps, type PlanInput } from '../../engine/plan/build-plan.js';
import type { PlanChange, WavePlan } from '../../engine/plan/model.js';
import { jsonSink, planJsonChunks, renderPlanJson } from '../../engine/plan/render-json.js';
import { markdownSink, renderPlanMarkdown } from '../../engine/plan/render-markdown.js';
import { renderPlanEndText, renderPlanText, textSink } from '../../engine/plan/render-text.js';
import { group, inventory, NOW, project, REVISION, tenant, user, wave } from '../fixtures/inventories/builders.js';

const fuzzInput = (seed: number): PlanInput => fuzzPlanInput(seed, 40);

/** What a sink receives, in order: per wave, its users' change lists. */
function received(input: PlanInput) {
  const waves: { wave: WavePlan; users: (readonly PlanChange[])[] }[] = [];
  let users: (readonly PlanChange[])[] = [];
  const outline = streamPlan(input, {
    changes: (list) => users.push(list),
    wave: (w) => {
      waves.push({ wave: w, users });
      users = [];
    },
  });
  return { outline, waves, pending: users };
}

function streamedJson(input: PlanInput, perChunk: number): string {
  let json = '';
  const sink = jsonSink((t) => (json += t), planHead(input), perChunk);
  sink.end(streamPlan(input, sink));
  return json;
}

test('over 60 fuzzed projects: the streamed text and JSON are the whole plan\'s, the outline the plan without its changes', () => {
  let withChanges = 0;
  for (let seed = 1; seed <= 60; seed++) {
    const plan = buildPlan(fuzzInput(seed));
    let text = '';
    const outline = streamPlan(fuzzInput(seed), textSink((section) => (text += section)));
    assert.is(text + renderPlanEndText(outline), renderPlanText(plan), `seed ${seed}: text`);
    const { changes, ...rest } = plan;
    assert.equal(outline, rest, `seed ${seed}: outline`);
    assert.is(hasChanges(outline), changes.length > 0);
    assert.is(streamedJson(fuzzInput(seed), 7), renderPlanJson(plan), `seed ${seed}: JSON`);
    assert.is([...planJsonChunks(plan, 5)].join(''), renderPlanJson(plan), `seed ${seed}: JSON chunks`);
    for (const maxChangesPerWave of [3, 50]) {
      const md = markdownSink({ maxChangesPerWave });
      assert.is(md.end(streamPlan(fuzzInput(seed), md)), renderPlanMarkdown(plan, { maxChangesPerWave }), `seed ${seed}: markdown, ${maxChangesPerWave} per wave`);
    }
    // every change handed on once, in plan order, under its own wave, a user's changes together
    const r = received(fuzzInput(seed));
    assert.equal(r.pending, [], `seed ${seed}: changes after the last wave`);
    assert.equal(
      r.waves.flatMap((w) => w.users.flat().map((c) => c.id)),
      changes.map((c) => c.id),
      `seed ${seed}: changes`,
    );
    for (const w of r.waves) {
      assert.ok(w.users.flat().every((c) => c.wave === w.wave.name), `seed ${seed}: wave`);
      assert.ok(w.users.every((list) => list.length > 0 && new Set(list.map((c) => c.user).filter(Boolean)).size === 1), `seed ${seed}: one user per list`);
    }
    if (changes.length) withChanges++;
  }
  assert.ok(withChanges > 30, `only ${withChanges} of 60 fuzzed plans had changes`);
});

test('a group is created once, before the first change that needs it, and shown first in its wave', () => {
  const src = Array.from({ length: 4 }, (_, i) => user(`s${i}@contoso.com`, { id: `s${i}` }));
  const p = project([wave('wave-01', 'prepared', ['s0@contoso.com', 's1@contoso.com']), wave('wave-02', 'prepared', ['s2@contoso.com', 's3@contoso.com'])], {
    groups: [{ source: 'All Sales', target: 'Sales', create: true }],
  });
  const input: PlanInput = { project: p, inventory: inventory(tenant('contoso', { users: src, groups: [group('All Sales', src)] }), tenant('fabrikam')), revision: REVISION, now: NOW };
  const plan = buildPlan(input);
  const creates = plan.changes.filter((c) => c.op === 'group.create');
  assert.is(creates.length, 1);
  const at = plan.changes.indexOf(creates[0]!);
  const dependents = plan.changes.filter((c) => c.dependsOn.includes(creates[0]!.id));
  assert.equal(new Set(dependents.map((c) => c.wave)), new Set(['wave-01', 'wave-02']));
  assert.ok(dependents.every((c) => plan.changes.indexOf(c) > at));
  let text = '';
  streamPlan(input, textSink((section) => (text += section)));
  assert.match(text, /^wave wave-01 \(phase prepared, 2 users\)\n  \(shared\)\n    \+ create group Sales in fabrikam\n  s0@contoso.com\n/);
  assert.is(text.match(/create group/g)!.length, 1);
});

test('the plan pauses at most 2,000 users apart and at the end of each wave (Ctrl-C is handled at a pause)', () => {
  // one wave of 4,500 users in flight, each with changes
  const { project: p, inventory: inv } = generateSynthetic(4500, { waves: 1 });
  const input: PlanInput = { project: p, inventory: inv, revision: REVISION, now: NOW };
  const usersAtPause: number[] = [];
  const planned = new Set<string>();
  let waveEnded = false;
  const steps = streamPlanSteps(input, { changes: (list) => list.forEach((c) => planned.add(c.user)), wave: () => (waveEnded = true) });
  let r = steps.next();
  while (!r.done) {
    usersAtPause.push(planned.size);
    r = steps.next();
  }
  assert.ok(waveEnded && usersAtPause.at(-1) === 4500, `a pause after the wave: ${usersAtPause.join(', ')}`);
  const gaps = usersAtPause.map((n, i) => n - (usersAtPause[i - 1] ?? 0));
  assert.ok(gaps.every((g) => g <= 2000) && usersAtPause.length >= 3, `pauses at ${usersAtPause.join(', ')}`);
  assert.is(r.value.waves[0]!.users, 4500);
});

test.run();
