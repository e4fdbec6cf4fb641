import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildPlan } from '../../engine/plan/build-plan.js';
import { planJsonChunks, renderPlanJson } from '../../engine/plan/render-json.js';
import { renderPlanMarkdown } from '../../engine/plan/render-markdown.js';
import { renderPlanText } from '../../engine/plan/render-text.js';
import { NOW, profile, project, REVISION, wave } from '../fixtures/inventories/builders.js';
import { scenario } from '../fixtures/inventories/scenario.js';
import { planFor } from './helpers.js';

const cutoverProject = project([wave('wave-01', 'cutover', ['alice@contoso.com']), wave('wave-02', 'prepared', [], { paused: true })], {
  profiles: { standard: profile({ notification: { from: 'it@fabrikam.com', subject: 'Moved', bodyFile: 't.html' } }) },
});
const cutoverPlan = () => buildPlan({ project: cutoverProject, inventory: scenario('synced'), revision: REVISION, now: NOW });

test('JSON: SPEC pinned fields in order, stable output', () => {
  const p = planFor(scenario('discovered'), 'prepared');
  const text = renderPlanJson(p);
  assert.is(text, renderPlanJson(planFor(scenario('discovered'), 'prepared')));
  const j = JSON.parse(text);
  assert.equal(Object.keys(j).slice(0, 7), ['formatVersion', 'project', 'revision', 'changes', 'refused', 'warnings', 'summary']);
  assert.is(j.formatVersion, 1);
  assert.is(j.project, 'contoso-fabrikam');
  assert.equal(j.revision, { commit: REVISION.commit, dirty: false });
  assert.equal(Object.keys(j.changes[0]).slice(0, 9), ['id', 'wave', 'user', 'tenant', 'resource', 'action', 'summary', 'reversibility', 'dependsOn']);
  const { id, params: _params, ...first } = j.changes[0];
  assert.match(id, /^[0-9a-f]{29}$/);
  assert.equal(first, {
    wave: 'wave-01',
    user: 'alice@contoso.com',
    tenant: 'fabrikam',
    resource: 'targetUser',
    action: 'create',
    summary: 'create user alice@fabrikam.com',
    reversibility: 'reversible',
    dependsOn: [],
    op: 'targetUser.create',
    inverseOp: 'targetUser.delete',
  });
  assert.equal(j.summary, { create: 4, update: 1, delete: 0, run: 0 });
  assert.equal(j.refused, []);
  assert.is(j.inventoryHash, 'sha256:inventory');
  assert.match(j.manifestHash, /^sha256:[0-9a-f]{64}$/);
  assert.is(j.createdAt, NOW);
  assert.not.match(text, /SECRET|clientSecret/);
});

test('change ids are stable across runs and distinct within a plan', () => {
  const a = cutoverPlan();
  const b = cutoverPlan();
  assert.equal(a.changes.map((c) => c.id), b.changes.map((c) => c.id));
  assert.is(new Set(a.changes.map((c) => c.id)).size, a.changes.length);
});

test('text: grouped by wave and user, one-way marked, summary line', () => {
  assert.is(
    renderPlanText(cutoverPlan()),
    `wave wave-01 (phase cutover, 1 user)
  alice@contoso.com
    ~ mark the start of the cutover of alice@fabrikam.com
    > cutover delta sync of mailbox alice@contoso.com (first pass)
    ~ unhide alice@fabrikam.com in the address lists
    ~ hide contact Alice <alice@contoso.com>
    ~ remove forwarding of mailbox alice@fabrikam.com to alice@contoso.com
    ~ stamp 2 X500 addresses on alice@fabrikam.com
    ~ remove LegacyExchangeDN of contact Alice
    ~ hide mailbox alice@contoso.com
    ~ forward source mailbox alice@contoso.com to alice@fabrikam.com
    + create contact Alice <alice@fabrikam.com> in the source for routing and free/busy
    > cutover delta sync of mailbox alice@contoso.com (second pass)
    > send cutover notification to alice@fabrikam.com (point of no return) (one-way)
    > remove migration service accounts from mailbox alice@fabrikam.com
    ~ mark alice@fabrikam.com as wave-01 phase synced -> cutover

wave wave-02 (phase prepared, 0 users, paused)
  paused: nothing planned

Plan: 1 to create, 9 to update, 0 to delete, 4 to run.
`,
  );
});

test('text: no changes, refused, orphans and colour only when asked', () => {
  const none = renderPlanText(planFor(scenario('synced'), 'synced'));
  assert.ok(none.endsWith('No changes. The tenants match the manifests.\n'));
  assert.not.match(none, /\u001b\[/);
  const refused = renderPlanText(planFor(scenario('cutover'), 'synced'));
  assert.match(refused, /Refused:\n  alice@contoso.com \(wave-01\): cannot go back to synced/);
  const orphans = renderPlanText(planFor(scenario('prepared'), 'discovered'), { color: true });
  assert.match(orphans, /Orphans \(kept, not managed\):\u001b\[0m\n  fabrikam: target user alice@fabrikam.com: wave wave-01 went back to discovered/);
  assert.match(orphans, /\u001b\[31m-\u001b\[0m delete contact Alice <alice@contoso.com>/);
});

test('markdown: summary table first, a details block per wave, truncation with counts, one-way marker', () => {
  assert.is(
    renderPlanMarkdown(cutoverPlan(), { maxChangesPerWave: 3 }),
    `### t2t plan: contoso-fabrikam

**Plan: 1 to create, 9 to update, 0 to delete, 4 to run.**

| wave | phase | users | create | update | delete | run | one-way |
|---|---|---:|---:|---:|---:|---:|---:|
| wave-01 | cutover | 1 | 1 | 9 | 0 | 4 | 1 |
| wave-02 | prepared (paused) | 0 | 0 | 0 | 0 | 0 | 0 |

⚠️ one-way: 1 change cannot be undone.

<details><summary>wave-01: 14 changes</summary>

\`\`\`diff
# alice@contoso.com
~ mark the start of the cutover of alice@fabrikam.com
> cutover delta sync of mailbox alice@contoso.com (first pass)
~ unhide alice@fabrikam.com in the address lists
\`\`\`

… and 11 more changes (run \`t2t plan --wave wave-01\` for all)

</details>

<details><summary>wave-02: 0 changes (paused)</summary>

Paused: nothing planned.

</details>
`,
  );
  assert.match(renderPlanMarkdown(cutoverPlan()), /> send cutover notification to alice@fabrikam.com \(point of no return\) \(⚠️ one-way\)/);
});

test('the duration estimate is shown only for a wave whose plan runs a content sync', () => {
  const syncing = buildPlan({ project: project([wave('wave-01', 'synced', ['alice@contoso.com'])]), inventory: scenario('prepared'), revision: REVISION, now: NOW });
  assert.ok(syncing.changes.some((c) => c.resource === 'contentSync'));
  assert.match(renderPlanText(syncing), /^  estimate: content sync about /m);
  assert.match(renderPlanMarkdown(syncing), /^Estimate: content sync about /m);
  const idle = buildPlan({ project: project([wave('wave-01', 'discovered', ['alice@contoso.com'])]), inventory: scenario('discovered'), revision: REVISION, now: NOW });
  assert.not.match(renderPlanText(idle), /estimate/i);
  assert.not.match(renderPlanMarkdown(idle), /estimate/i);
});

test("JSON: a refused user is written with SPEC's pinned fields first, in SPEC's order (user, reason), then its wave", () => {
  const p = planFor(scenario('cutover'), 'synced'); // the notification was sent: the rollback is refused
  for (const text of [renderPlanJson(p), [...planJsonChunks(p)].join('')]) {
    const refused = (JSON.parse(text) as { refused: object[] }).refused;
    assert.is(refused.length, 1);
    assert.equal(Object.keys(refused[0]!), ['user', 'reason', 'wave']);
  }
});

test('a guest that stays a guest through the plan is named "guest <source address>" in group membership summaries too', () => {
  const p = buildPlan({
    project: project([wave('wave-01', 'prepared', ['alice@contoso.com'], { emailRewrite: 'dayOne' })], { profiles: { standard: profile({ createAs: 'guest' }) } }),
    inventory: scenario('discovered'),
    revision: REVISION,
    now: NOW,
  });
  const add = p.changes.find((c) => c.op === 'rewriteMembership.add' && c.tenant === 'fabrikam');
  assert.is(add?.summary, 'add guest alice@contoso.com to group T2T-Rewrite-DayOne', 'as "unhide guest alice@contoso.com in the address lists"');
  assert.is(add?.params['memberAddress'], 'alice@fabrikam.com', 'the parameters are unchanged');
});

test.run();
