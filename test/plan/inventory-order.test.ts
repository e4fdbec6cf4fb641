// The plan depends on the tenants' data, not on the order the discovery cache holds the records
// in: a cache may lay its records out in any order (and one written by another discovery history
// holds them in another), so every list the plan shows is ordered by the data, and where two
// records compete for one place the one kept is chosen by the data.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fuzzPlanInput, reorderedInventory } from '../../bench/plan/fuzz.js';
import { analyse, buildPlan, type PlanInput } from '../../engine/plan/build-plan.js';
import { buildStatus } from '../../engine/plan/status.js';
import { renderPlanJson } from '../../engine/plan/render-json.js';
import { renderPlanText } from '../../engine/plan/render-text.js';
import { indexTenant } from '../../engine/matching/tenant-index.js';
import type { InventoryRecipient, InventoryUser } from '../../engine/inventory/model.js';
import { contact, inventory, mailbox, mailUserRecipient, marker, NOW, project, REVISION, tenant, user, wave, withMarker } from '../fixtures/inventories/builders.js';

function outputs(input: PlanInput): string[] {
  const { plan, users } = analyse(input, true);
  return [renderPlanJson(plan), renderPlanText(plan), JSON.stringify(users), JSON.stringify(buildStatus(input))];
}

test('over 60 fuzzed projects: the plan, its text and the status are the same with every record list in another order', () => {
  let orphaned = 0;
  let ambiguous = 0;
  for (let seed = 1; seed <= 60; seed++) {
    const input = fuzzPlanInput(seed, 40);
    const before = outputs(input);
    const plan = buildPlan(input);
    if (plan.orphans.length > 1) orphaned++;
    if (plan.refused.some((r) => /carry the marker|finds \d+ target/.test(r.reason))) ambiguous++;
    for (const order of [1, 2]) assert.equal(outputs(reorderedInventory(input, seed * 31 + order)), before, `seed ${seed}, order ${order}`);
  }
  // the cases that used to depend on the order are among them
  assert.ok(orphaned > 5, `${orphaned} projects with several orphans`);
  assert.ok(ambiguous > 0, `${ambiguous} projects with an ambiguous match`);
});

const alice = user('alice@contoso.com', { id: 'src-alice' });

function planOf(targetUsers: InventoryUser[], waves = [wave('wave-01', 'prepared', ['alice@contoso.com'])]) {
  return buildPlan({
    project: project(waves),
    inventory: inventory(tenant('contoso', { users: [alice] }), tenant('fabrikam', { users: targetUsers })),
    revision: REVISION,
    now: NOW,
  });
}

test('orphans are listed by target user, whatever order the target users are in', () => {
  const marked = ['zoe', 'bob', 'mia'].map((n) => withMarker(user(`${n}@fabrikam.com`, { id: `t-${n}` }), marker(`gone-${n}`)));
  const expected = ['target user bob@fabrikam.com', 'target user mia@fabrikam.com', 'target user zoe@fabrikam.com'];
  assert.equal(planOf(marked).orphans.map((o) => o.object), expected);
  assert.equal(planOf([...marked].reverse()).orphans.map((o) => o.object), expected);
});

test('an ambiguous match names its candidates in order, whatever order the target users are in', () => {
  const twins = ['zed', 'amy'].map((n) => withMarker(user(`${n}@fabrikam.com`, { id: `t-${n}` }), marker('src-alice')));
  for (const users of [twins, [...twins].reverse()]) {
    const p = planOf(users);
    assert.equal(p.refused.map((r) => r.reason), ['2 target users carry the marker of this source user: amy@fabrikam.com, zed@fabrikam.com']);
  }
});

test('a user with a mailbox and a mail user: the mailbox is its recipient, in either order; of two contacts for one user, the greater identity', () => {
  const bob = user('bob@fabrikam.com', { id: 't-bob' });
  const box = mailbox(bob);
  const mailUser = mailUserRecipient(bob, 'bob@contoso.com');
  const c1 = contact('Alice', 'alice@contoso.com', 't2t:src-alice', { identity: 'contact-1' });
  const c2 = contact('Alice', 'alice@contoso.com', 't2t:src-alice', { identity: 'contact-2' });
  const orders: InventoryRecipient[][] = [
    [box, mailUser, c1, c2],
    [c2, mailUser, c1, box],
  ];
  for (const recipients of orders) {
    const index = indexTenant(tenant('fabrikam', { users: [bob], recipients }));
    assert.is(index.recipientByUserId.get('t-bob'), box);
    assert.is(index.contactBySourceUser.get('src-alice'), c2);
  }
});

test.run();
