// Matching against address data as real tenants and spreadsheets hold it, through the planner:
// case, whitespace, proxy address types, a target whose mail differs from its UPN, guests with
// '_' and '#', subdomains, two source users for one target address.
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

test('a user to be created under an address a target user has as its mail (its UPN differs) is refused, not created', () => {
  const t = user('alice@fabrikam.onmicrosoft.com', { id: 't1', mail: 'Alice@Fabrikam.com', proxyAddresses: ['SMTP:Alice@Fabrikam.com'] });
  const p = plan([alice], [t], ['alice@contoso.com'], { matching: [{ source: 'userPrincipalName', target: 'userPrincipalName', mapDomain: true }] });
  assert.equal(userChanges(p), []);
  assert.equal(p.refused.map((r) => r.reason), [
    'would be created as alice@fabrikam.com, which target user alice@fabrikam.onmicrosoft.com (mail) already has, and no matching rule finds that user for it: whether it is this user is not guessed; add a rule that finds it (spec.matching), or map userPrincipalName and mail to a free address (spec.attributes, spec.domains)',
  ]);
  assert.ok(p.warnings.some((w) => w.includes('(AddressTaken)')), JSON.stringify(p.warnings));
  // the default mail rule finds it: matched, not created, not refused
  const byMail = plan([alice], [t], ['alice@contoso.com']);
  assert.equal(byMail.refused, []);
  assert.equal(userChanges(byMail), ['alice@contoso.com: targetUser.update update user alice@fabrikam.onmicrosoft.com (userPrincipalName)']);
});

test('a user to be created under a UPN a target user already has (the rules look elsewhere) is refused: apply would adopt it', () => {
  // the mail rule looks for alice@fabrikam.com in mail; the account holding it as UPN has another mail
  const t = user('alice@fabrikam.com', { id: 't1', mail: 'alice.smith@fabrikam.com' });
  const p = plan([alice], [t], ['alice@contoso.com']);
  assert.equal(userChanges(p), []);
  assert.match(p.refused[0]!.reason, /^would be created as alice@fabrikam.com, which target user alice@fabrikam.com \(userPrincipalName\) already has/);
});

test('an address a target user keeps as an smtp proxy is taken; X500 and SIP entries are not addresses', () => {
  const t = user('asmith@fabrikam.com', { id: 't1', proxyAddresses: ['SMTP:asmith@fabrikam.com', 'smtp:ALICE@fabrikam.com'] });
  assert.match(plan([alice], [t], ['alice@contoso.com']).refused[0]!.reason, /which target user asmith@fabrikam.com \(proxy address\) already has/);
  const other = user('asmith@fabrikam.com', { id: 't1', proxyAddresses: ['SMTP:asmith@fabrikam.com', 'X500:/o=ExchangeLabs/cn=alice@fabrikam.com', 'SIP:alice@fabrikam.com'] });
  const p = plan([alice], [other], ['alice@contoso.com']);
  assert.equal(p.refused, []);
  assert.equal(userChanges(p), ['alice@contoso.com: targetUser.create create user alice@fabrikam.com']);
  // and the proxyAddresses rule reads smtp: entries in any case, never X500: or SIP:
  const rule: Partial<Project> = { matching: [{ source: 'proxyAddresses', target: 'proxyAddresses', mapDomain: true }] };
  const src = user('alice@contoso.com', { id: 's1', proxyAddresses: ['SMTP:alice@contoso.com', 'X500:/o=x/cn=alice', 'sip:a.s@contoso.com', 'smtp:A.Smith@Contoso.com'] });
  const byProxy = user('as@fabrikam.com', { id: 't2', proxyAddresses: ['SMTP:as@fabrikam.com', 'SIP:alice@fabrikam.com', 'smtp:a.smith@FABRIKAM.com'] });
  const sip = user('sip@fabrikam.com', { id: 't3', proxyAddresses: ['SMTP:sip@fabrikam.com', 'SIP:a.s@fabrikam.com'] });
  const m = plan([src], [byProxy, sip], ['alice@contoso.com'], rule);
  assert.equal(m.refused, []);
  assert.equal(userChanges(m), ['alice@contoso.com: targetUser.update update user as@fabrikam.com (displayName, mail, userPrincipalName)']);
});

test('two users to be created with the same address, one as UPN and the other as mail, are both refused', () => {
  // alice's mail maps to what the other's UPN maps to (two source domains, one target domain)
  const domains = [
    { source: 'contoso.com', target: 'fabrikam.com' },
    { source: 'contoso.co.uk', target: 'fabrikam.com' },
  ];
  const a = user('alice@contoso.com', { id: 's1', mail: 'alice.smith@contoso.co.uk', proxyAddresses: ['SMTP:alice.smith@contoso.co.uk'] });
  const b = user('alice.smith@contoso.com', { id: 's2', mail: 'as@contoso.com', proxyAddresses: ['SMTP:as@contoso.com'] });
  const p = plan([a, b], [], ['alice@contoso.com', 'alice.smith@contoso.com'], { domains });
  assert.equal(userChanges(p), []);
  assert.equal(p.refused.map((r) => [r.user, r.reason.slice(0, r.reason.indexOf(' would:'))]), [
    ['alice.smith@contoso.co.uk', 'would be created as alice.smith@fabrikam.com, as as@contoso.com (wave-01)'],
    ['as@contoso.com', 'would be created as alice.smith@fabrikam.com, as alice.smith@contoso.co.uk (wave-01)'],
  ]);
});

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
  // alice@ is a source user: the warning names it (matching still does not fold the tag)
  assert.equal(p.warnings, ['wave wave-01: member alice+tag@contoso.com (users) not resolved: no source user has this UPN, mail or proxy address; did you mean alice@contoso.com? plus-addressing is not folded']);
  // no hint when the address without the tag is nobody's either, or for an address without a tag
  assert.equal(plan([alice], [], ['bob+tag@contoso.com', 'bob@contoso.com', '+tag@contoso.com']).warnings, [
    'wave wave-01: member bob+tag@contoso.com (users) not resolved: no source user has this UPN, mail or proxy address',
    'wave wave-01: member bob@contoso.com (users) not resolved: no source user has this UPN, mail or proxy address',
    'wave wave-01: member +tag@contoso.com (users) not resolved: no source user has this UPN, mail or proxy address',
  ]);
  // past ten of one reason, the one warning counts those with a hint and shows the first
  const many = plan([alice], [], [...Array.from({ length: 11 }, (_, i) => `nobody${i}@contoso.com`), 'alice+news@contoso.com']);
  assert.equal(many.warnings.length, 1);
  assert.ok(many.warnings[0]!.endsWith('; 1 of them with a +tag name a source user without it (alice+news@contoso.com: did you mean alice@contoso.com? plus-addressing is not folded)'), many.warnings[0]);
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
