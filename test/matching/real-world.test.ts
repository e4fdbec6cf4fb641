// Matching against address data as real tenants and spreadsheets hold it, through the planner:
// case, whitespace, plus-addressing, guests with '_' and '#', subdomains.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildPlan } from '../../engine/plan/build-plan.js';
import type { Plan } from '../../engine/plan/model.js';
import type { InventoryUser } from '../../engine/inventory/model.js';
import type { Project } from '../../engine/manifest/model.js';
import { guest, inventory, NOW, profile, project, REVISION, tenant, user, wave } from '../fixtures/inventories/builders.js';

function plan(sources: InventoryUser[], targets: InventoryUser[], members: string[], over: Partial<Project> = {}): Plan {
  return buildPlan({
    project: project([wave('wave-01', 'prepared', members)], over),
    inventory: inventory(tenant('contoso', { users: sources }), tenant('fabrikam', { users: targets })),
    revision: REVISION,
    now: NOW,
  });
}

/** "user: op summary" of the target user changes. */
function userChanges(p: Plan): string[] {
  return p.changes.filter((c) => c.resource === 'targetUser').map((c) => `${c.user}: ${c.op} ${c.summary}`);
}

const guests: Partial<Project> = { profiles: { standard: profile({ createAs: 'guest' }) } };
const alice = user('alice@contoso.com', { id: 's1' });

test('mixed-case domains in the manifest, the source and the target match; one user listed twice in another case is planned once', () => {
  const src = user('Alice@CONTOSO.com', { id: 's1', mail: 'Alice@Contoso.COM', proxyAddresses: ['SMTP:Alice@Contoso.COM'] });
  const t = user('Alice@FABRIKAM.com', { id: 't1', mail: ' ALICE@fabrikam.COM\u00a0', proxyAddresses: ['SMTP:ALICE@fabrikam.COM'] });
  const p = plan([src], [t], ['alice@contoso.com', 'ALICE@Contoso.com'], { domains: [{ source: 'contoso.com', target: 'fabrikam.com' }] });
  assert.equal(p.refused, []);
  assert.equal(p.waves[0]!.users, 1);
  assert.equal(p.warnings, []);
});

test('a subdomain maps by its own pair only: sub.contoso.com is not contoso.com', () => {
  const domains = [
    { source: 'contoso.com', target: 'fabrikam.com' },
    { source: 'sub.contoso.com', target: 'sub.fabrikam.com' },
  ];
  const sub = user('alice@sub.contoso.com', { id: 's1' });
  const top = user('alice@contoso.com', { id: 's2' });
  const targets = [user('alice@fabrikam.com', { id: 't1' }), user('alice@sub.fabrikam.com', { id: 't2' })];
  const p = plan([sub, top], targets, ['alice@sub.contoso.com', 'alice@contoso.com'], { domains });
  assert.equal(p.refused, []);
  assert.equal(userChanges(p), []);
  // without its pair, the subdomain is not mapped by its parent's: nothing found under fabrikam.com
  const only = plan([sub], [user('alice@fabrikam.com', { id: 't1' })], ['alice@sub.contoso.com'], { domains: [domains[0]!] });
  assert.equal(userChanges(only), ['alice@sub.contoso.com: targetUser.create create user alice@sub.contoso.com']);
});

test('plus-addressing: alice+tag@ is not alice@ (reported unresolved); a real address with + matches', () => {
  const p = plan([alice], [], ['alice+tag@contoso.com']);
  assert.equal(p.changes, []);
  assert.equal(p.warnings, ['wave wave-01: member alice+tag@contoso.com (users) not resolved: no source user has this UPN, mail or proxy address']);
  const plus = user('alice+tag@contoso.com', { id: 's1' });
  const m = plan([plus], [user('alice+tag@fabrikam.com', { id: 't1' }), user('alice@fabrikam.com', { id: 't2' })], ['Alice+Tag@contoso.com']);
  assert.equal(m.refused, []);
  assert.equal(userChanges(m), []);
});

test("guest rule: an external address holding '_' already, or '#', finds its guest; a wrong split does not", () => {
  const src = user('alice_smith@contoso.com', { id: 's1' });
  const g = guest('Alice_Smith_contoso.com#EXT#@fabrikam.onmicrosoft.com', { id: 'g1' });
  // alice@smith_contoso.com cannot exist (no '_' in a domain), but a local part 'alice' under
  // another domain must not find alice_smith's guest
  const decoy = guest('alice_smith.contoso.com#EXT#@fabrikam.onmicrosoft.com', { id: 'g2' });
  const p = plan([src], [g, decoy], ['alice_smith@contoso.com'], guests);
  assert.equal(p.refused, []);
  assert.equal(userChanges(p), ['alice_smith@contoso.com: targetUser.update update user Alice_Smith_contoso.com#EXT#@fabrikam.onmicrosoft.com (displayName)']);
  const hash = user('a#b@contoso.com', { id: 's2' });
  const hp = plan([hash], [guest('a#b_contoso.com#EXT#@fabrikam.onmicrosoft.com', { id: 'g3' })], ['a#b@contoso.com'], guests);
  assert.equal(userChanges(hp), ['a#b@contoso.com: targetUser.update update user a#b_contoso.com#EXT#@fabrikam.onmicrosoft.com (displayName)']);
});

test('guest rule: two guests for one user (mapped and source forms of two addresses) are ambiguous, never guessed', () => {
  const src = user('alice@contoso.com', { id: 's1', mail: 'a.smith@contoso.com', proxyAddresses: ['SMTP:a.smith@contoso.com'] });
  const g1 = guest('alice_fabrikam.com#EXT#@fabrikam.onmicrosoft.com', { id: 'g1' });
  const g2 = guest('a.smith_fabrikam.com#EXT#@fabrikam.onmicrosoft.com', { id: 'g2' });
  const p = plan([src], [g1, g2], ['alice@contoso.com'], guests);
  assert.equal(userChanges(p), []);
  assert.match(p.refused[0]!.reason, /^guest rule finds 2 target guests: a.smith_fabrikam.com#EXT#@fabrikam.onmicrosoft.com, alice_fabrikam.com#EXT#@fabrikam.onmicrosoft.com$/);
});

test.run();
