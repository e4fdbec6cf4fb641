// Equivalence check for performance work on the planner: plans many fuzzed projects (fuzz.ts) and
// the synthetic benchmark project with this build and with a baseline build of the engine, and
// requires identical output (the full plan JSON, whole and streamed, plain JSON of the plan object,
// the text and markdown renderings, each whole and streamed, and the per-user analysis that status
// shows). It also plans each fuzzed project again with its tenants' records in another order, and
// requires the same outputs: a cache may hold records in any order.
//
//   cp -r dist /tmp/baseline-dist                      # before the change (a build of the old code)
//   npx tsc -p tsconfig.json && node dist/bench/plan/compare.js /tmp/baseline-dist [cases] [users]
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PlanInput } from '../../engine/plan/build-plan.js';
import type { Plan } from '../../engine/plan/model.js';
import * as current from '../../engine/plan/index.js';
import { fuzzPlanInput, reorderedInventory } from './fuzz.js';
import { generateSynthetic } from './generate.js';

type PlanApi = typeof current;

/** The plan with every group create first. Builds since the fifth session list a group's create
 *  right before the first change that needs it, earlier ones listed them all first: both sides are
 *  compared in the earlier order (for a plan already in it, the plan itself). */
function groupCreatesFirst(plan: Plan): Plan {
  const creates = plan.changes.filter((c) => c.op === 'group.create');
  return creates.length ? { ...plan, changes: [...creates, ...plan.changes.filter((c) => c.op !== 'group.create')] } : plan;
}

function outputs(api: PlanApi, input: PlanInput): string[] {
  const { plan: made, users } = api.analyse(input, true);
  const plan = groupCreatesFirst(made);
  const status = api.buildStatus(input);
  const json = api.renderPlanJson(plan);
  return [
    json,
    // streamed and chunked JSON must be this build's renderPlanJson text (then compared as the plan)
    api === current ? (streamedJson(input) === current.renderPlanJson(made) && [...current.planJsonChunks(made, 7)].join('') === current.renderPlanJson(made) ? json : 'streamed or chunked JSON differs') : json,
    JSON.stringify(plan),
    api.renderPlanText(plan),
    // the text printed as streamPlan plans (compared against the baseline's whole text)
    api === current ? streamedText(input) : api.renderPlanText(plan),
    api.renderPlanMarkdown(plan),
    // the markdown made as streamPlan plans (compared against the baseline's whole-plan markdown)
    api === current ? streamedMarkdown(input) : api.renderPlanMarkdown(plan),
    JSON.stringify(users),
    JSON.stringify(status),
    JSON.stringify(groupCreatesFirst(api.buildPlan(input))),
  ];
}

function streamedText(input: PlanInput): string {
  let text = '';
  const outline = current.streamPlan(input, current.textSink((section) => (text += section)));
  return text + current.renderPlanEndText(outline);
}

function streamedMarkdown(input: PlanInput): string {
  const sink = current.markdownSink();
  return sink.end(current.streamPlan(input, sink));
}

function streamedJson(input: PlanInput): string {
  let json = '';
  const sink = current.jsonSink((t) => (json += t), current.planHead(input), 7);
  sink.end(current.streamPlan(input, sink));
  return json;
}

const NAMES = ['plan JSON', 'plan JSON streamed and in chunks', 'plan object', 'text', 'streamed text', 'markdown', 'streamed markdown', 'users', 'status', 'buildPlan'];

function firstDifference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return `at ${i}: baseline …${a.slice(Math.max(0, i - 80), i + 80)}…\n      current  …${b.slice(Math.max(0, i - 80), i + 80)}…`;
}

export async function compare(baselineDist: string, cases = 300, users = 60): Promise<number> {
  const baseline = (await import(pathToFileURL(resolve(baselineDist, 'engine/plan/index.js')).href)) as PlanApi;
  let failures = 0;
  const check = (label: string, make: () => PlanInput) => {
    const a = outputs(baseline, make());
    const b = outputs(current, make());
    a.forEach((x, k) => {
      if (x === b[k]) return;
      failures++;
      if (failures <= 5) console.log(`${label}: ${NAMES[k]} differs ${firstDifference(x, b[k]!)}`);
    });
  };
  // this build, over the same tenants with their records in another order: the same outputs
  const checkOrder = (label: string, input: PlanInput, seed: number) => {
    const a = outputs(current, input);
    const b = outputs(current, reorderedInventory(input, seed));
    a.forEach((x, k) => {
      if (x === b[k]) return;
      failures++;
      if (failures <= 5) console.log(`${label}, records reordered: ${NAMES[k]} differs ${firstDifference(x, b[k]!)}`);
    });
  };
  for (let seed = 1; seed <= cases; seed++) {
    check(`fuzz seed ${seed}`, () => fuzzPlanInput(seed, users));
    checkOrder(`fuzz seed ${seed}`, fuzzPlanInput(seed, users), seed);
  }
  check('synthetic 3000', () => {
    const s = generateSynthetic(3000);
    return { project: s.project, inventory: s.inventory, revision: { commit: null, dirty: false }, now: '2026-06-01T12:00:00Z' };
  });
  console.log(`compare: ${cases} fuzzed projects of ${users} users (also with their records reordered) and the synthetic project: ${failures === 0 ? 'identical' : `${failures} differences`}`);
  return failures;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [dir, cases, users] = process.argv.slice(2);
  if (!dir) {
    console.error('usage: node dist/bench/plan/compare.js BASELINE_DIST [cases] [users]');
    process.exit(2);
  }
  process.exitCode = (await compare(dir, Number(cases ?? 300), Number(users ?? 60))) ? 1 : 0;
}
