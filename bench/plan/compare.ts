// Equivalence check for performance work on the planner: plans many fuzzed projects (fuzz.ts) and
// the synthetic benchmark project with this build and with a baseline build of the engine, and
// requires identical output (the full plan JSON, plain JSON of the plan object, the text (whole and
// streamed per wave) and markdown renderings, and the per-user analysis that status shows).
//
//   cp -r dist /tmp/baseline-dist                      # before the change (a build of the old code)
//   npx tsc -p tsconfig.json && node dist/bench/plan/compare.js /tmp/baseline-dist [cases] [users]
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PlanInput } from '../../engine/plan/build-plan.js';
import * as current from '../../engine/plan/index.js';
import { generateFuzz } from './fuzz.js';
import { generateSynthetic } from './generate.js';

type PlanApi = typeof current;

function outputs(api: PlanApi, input: PlanInput): string[] {
  const { plan, users } = api.analyse(input, true);
  const status = api.buildStatus(input);
  return [
    api.renderPlanJson(plan),
    // the streamed JSON must be the same text (compared against the baseline's renderPlanJson)
    api === current ? [...current.planJsonChunks(plan, 7)].join('') : api.renderPlanJson(plan),
    JSON.stringify(plan),
    api.renderPlanText(plan),
    // the text printed wave by wave as streamPlan plans (compared against the baseline's whole text)
    api === current ? streamedText(input) : api.renderPlanText(plan),
    api.renderPlanMarkdown(plan),
    JSON.stringify(users),
    JSON.stringify(status),
    JSON.stringify(api.buildPlan(input)),
  ];
}

function streamedText(input: PlanInput): string {
  let text = '';
  const outline = current.streamPlan(input, current.textSink((section) => (text += section)));
  return text + current.renderPlanEndText(outline);
}

const NAMES = ['plan JSON', 'plan JSON in chunks', 'plan object', 'text', 'streamed text', 'markdown', 'users', 'status', 'buildPlan'];

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
  for (let seed = 1; seed <= cases; seed++) {
    check(`fuzz seed ${seed}`, () => {
      const f = generateFuzz(seed, users);
      return {
        project: f.project,
        inventory: f.inventory,
        revision: { commit: f.commit, dirty: false },
        now: f.now,
        files: f.files,
        ...(f.waveFilter !== undefined ? { waveFilter: f.waveFilter } : {}),
        ...(f.deltaSyncWaves ? { deltaSyncWaves: f.deltaSyncWaves } : {}),
      };
    });
  }
  check('synthetic 3000', () => {
    const s = generateSynthetic(3000);
    return { project: s.project, inventory: s.inventory, revision: { commit: null, dirty: false }, now: '2026-06-01T12:00:00Z' };
  });
  console.log(`compare: ${cases} fuzzed projects of ${users} users and the synthetic project: ${failures === 0 ? 'identical' : `${failures} differences`}`);
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
