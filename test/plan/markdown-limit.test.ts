// The pull-request comment stays under its length limit (GitHub refuses a comment over 65,536
// characters), and what a reviewer must see keeps its room: the summary, every wave's counts,
// refused users and warnings; the waves' details and the orphans are cut, with counts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildPlan, type Plan } from '../../engine/plan/index.js';
import { MAX_COMMENT_CHARS, renderPlanMarkdown } from '../../engine/plan/render-markdown.js';
import { generateSynthetic } from '../../bench/plan/generate.js';
import { fuzzPlanInput } from '../../bench/plan/fuzz.js';

const NOW = '2026-06-01T12:00:00Z';

/** 3,000 users in flight over 30 waves (some 11,000 changes, hundreds of orphans), with 200
 *  refused users and 200 warnings of some length. */
function largePlan(): Plan {
  const { project, inventory } = generateSynthetic(3000, { waves: 30 });
  const plan = buildPlan({ project, inventory, revision: { commit: null, dirty: false }, now: NOW });
  const reason = 'cannot go back to prepared: the cutover notification was sent on 2026-05-01T00:00:00Z (the point of no return)';
  return {
    ...plan,
    refused: Array.from({ length: 200 }, (_, i) => ({ user: `refused${i}@contoso.com`, wave: 'wave-0', reason })),
    warnings: [...plan.warnings, ...Array.from({ length: 200 }, (_, i) => `wave wave-${i % 30}: a warning long enough to matter, number ${i}, ${'x'.repeat(100)}`)],
  };
}

const count = (text: string, s: string) => text.split(s).length - 1;

/** Every details block closed and every code fence closed; a newline at the end (the CLI prints the
 *  comment as it is, so the limit holds for what it prints). */
function wellFormed(md: string): void {
  assert.ok(md.endsWith('\n'), 'a newline at the end');
  assert.is(count(md, '<details>'), count(md, '</details>'), 'every <details> closed');
  assert.is(count(md, '```') % 2, 0, 'every code fence closed');
}

/** Changes listed in the details blocks. */
const listed = (md: string) => md.split('\n').filter((l) => /^[+~>-] /.test(l)).length;

test('a large plan fits the default limit, with the summary, every wave counted, refused users and warnings', () => {
  const plan = largePlan();
  assert.ok(plan.changes.length > 10_000, `${plan.changes.length} changes`);
  assert.ok(plan.orphans.length > 100, `${plan.orphans.length} orphans`);
  const whole = renderPlanMarkdown(plan, { maxChars: 10_000_000 });
  assert.ok(whole.length > MAX_COMMENT_CHARS, `the uncut comment is ${whole.length} characters`);
  const md = renderPlanMarkdown(plan);
  assert.ok(md.length <= MAX_COMMENT_CHARS, `${md.length} characters`);
  wellFormed(md);
  assert.match(md, /^\*\*Plan: \d+ to create, \d+ to update, \d+ to delete, \d+ to run\.\*\*$/m);
  for (const w of plan.waves) assert.match(md, new RegExp(`^\\| ${w.name} \\| `, 'm'), `${w.name}'s row`);
  assert.match(md, /^\*\*Refused \(200\)\*\*$/m);
  assert.match(md, /^\*\*Warnings \(\d+\)\*\*$/m);
  assert.is(count(md, '- `refused'), 50, 'the refused users listed up to the usual 50');
  assert.match(md, /^\*\*Orphans \(\d+\)\*\*$/m);
  assert.match(md, /^… and \d+ more changes \(run `t2t plan --wave wave-0` for all\)$/m);
});

test('the tighter the limit, the fewer changes listed, never more characters than it allows, always well formed', () => {
  const plan = largePlan();
  let before = Infinity;
  for (const limit of [60_000, 30_000, 15_000, 8_000, 4_000, 2_000]) {
    const md = renderPlanMarkdown(plan, { maxChars: limit });
    assert.ok(md.length <= limit, `${md.length} characters for a limit of ${limit}`);
    wellFormed(md);
    assert.match(md, /^\*\*Plan: /m, `the summary at ${limit}`);
    assert.ok(listed(md) <= before, `${listed(md)} changes listed at ${limit}, ${before} with more room`);
    before = listed(md);
  }
});

test('with little room: refused users and warnings keep theirs, the details and the orphans say what they left out', () => {
  const plan = largePlan();
  const md = renderPlanMarkdown(plan, { maxChars: 8_000 });
  for (const w of plan.waves) assert.match(md, new RegExp(`^\\| ${w.name} \\| `, 'm'), `${w.name}'s row`);
  assert.ok(count(md, '- `refused') > 0, 'some refused users listed');
  assert.match(md, /^- … and \d+ more$/m);
  // blocks listing no change still give the wave's count and the command that lists them
  assert.match(md, /^\d+ changes, not listed here \(run `t2t plan --wave wave-\d+` for all\)$/m);
  const tiny = renderPlanMarkdown(plan, { maxChars: 2_000 });
  assert.match(tiny, /^The details of \d+ more waves are left out to keep this comment short: run `t2t plan` for all\.$/m);
  assert.match(tiny, /^… and \d+ more waves \(run `t2t plan` for all\)$/m);
  assert.match(tiny, /^\*\*Refused \(200\)\*\*$/m, 'the refused users are counted even when none fits');
});

test('a plan that fits is printed whole: the same comment whatever the limit above its length', () => {
  const { project, inventory } = generateSynthetic(60, { waves: 3 });
  const plan = buildPlan({ project, inventory, revision: { commit: null, dirty: false }, now: NOW });
  const md = renderPlanMarkdown(plan);
  assert.ok(md.length < 20_000, `${md.length} characters`);
  assert.is(renderPlanMarkdown(plan, { maxChars: md.length + 1000 }), md);
  assert.not.match(md, /left out|not listed here/);
});

test('fuzzed projects (refusals, rollbacks, paused waves, guests, tenant text to escape): within every limit, well formed, whole when they fit', () => {
  for (let seed = 1; seed <= 60; seed++) {
    const plan = buildPlan(fuzzPlanInput(seed, 40));
    const whole = renderPlanMarkdown(plan, { maxChars: 10_000_000 });
    for (const limit of [2_000, 3_500, 8_000, 60_000]) {
      const md = renderPlanMarkdown(plan, { maxChars: limit });
      assert.ok(md.length <= limit, `seed ${seed}: ${md.length} characters for a limit of ${limit}`);
      wellFormed(md);
      if (whole.length <= limit) assert.is(md, whole, `seed ${seed}: whole at ${limit}`);
      assert.ok(md.startsWith(whole.slice(0, whole.indexOf('\n\n| wave |'))), `seed ${seed}: the title, summary and refusal come first at ${limit}`);
    }
  }
});

test.run();
