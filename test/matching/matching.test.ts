import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { expandWaveMembers, excludedUserKeys } from '../../engine/matching/expand-members.js';
import { mapDomain } from '../../engine/matching/map-domain.js';
import { guestKey, matchUser } from '../../engine/matching/match-user.js';
import { indexTenant } from '../../engine/matching/tenant-index.js';
import { group, guest, marker, tenant, user, wave, withMarker } from '../fixtures/inventories/builders.js';

const domains = [{ source: 'contoso.com', target: 'fabrikam.com' }];
const mailRule = { source: 'mail', target: 'mail', mapDomain: true };
const empRule = { source: 'employeeId', target: 'employeeId', mapDomain: false };

const alice = user('alice@contoso.com', { id: 's1', proxyAddresses: ['SMTP:alice@contoso.com', 'smtp:a.smith@contoso.com'] });
const bob = user('bob@contoso.com', { id: 's2', attributes: { employeeId: 'E2' } });
const carol = user('carol@contoso.com', { id: 's3' });
const source = indexTenant(
  tenant('contoso', { users: [alice, bob, carol], groups: [group('Pilot Users', [bob, carol]), group('VIPs', [carol])] }),
);
const sources = [{ name: 'contoso', index: source }];

test('mapDomain maps the domain case-insensitively and gives null without a mapping', () => {
  assert.is(mapDomain('  Alice@CONTOSO.com ', domains), 'alice@fabrikam.com');
  assert.is(mapDomain('alice@other.com', domains), null);
  assert.is(mapDomain('no-at-sign', domains), null);
});

test('members resolve by UPN, mail or proxy address, ignoring case and whitespace; unresolved are reported', () => {
  const e = expandWaveMembers(wave('w', 'prepared', ['  ALICE@Contoso.com', 'A.Smith@contoso.com ', 'ghost@contoso.com']), sources);
  assert.equal(e.members.map((m) => m.user.id), ['s1']);
  assert.equal(e.unresolved, [{ address: 'ghost@contoso.com', via: 'users', reason: 'no source user has this UPN, mail or proxy address' }]);
});

test('CSV members and source groups expand (groups through the inventory members); unknown groups reported', () => {
  const w = wave('w', 'prepared', [], { members: { users: [], csvUsers: ['alice@contoso.com'], groups: ['pilot users', 'Nope'] } });
  const e = expandWaveMembers(w, sources);
  assert.equal(e.members.map((m) => [m.user.id, m.via]), [['s1', 'csv'], ['s2', 'group:Pilot Users'], ['s3', 'group:Pilot Users']]);
  assert.equal(e.unresolved.map((u) => [u.address, u.via]), [['Nope', 'groups']]);
});

test('spec.safety.exclude removes users named by address or through a group', () => {
  const excluded = excludedUserKeys(['BOB@contoso.com', 'vips'], sources);
  const e = expandWaveMembers(wave('w', 'prepared', ['alice@contoso.com'], { members: { users: ['alice@contoso.com'], csvUsers: [], groups: ['Pilot Users'] } }), sources, excluded);
  assert.equal(e.members.map((m) => m.user.id), ['s1']);
  assert.equal(e.excluded.map((m) => m.user.id).sort(), ['s2', 's3']);
});

test('groups nested in a wave group or an excluded group count, at any depth and through cycles', () => {
  const dave = user('dave@contoso.com', { id: 's4' });
  const erin = user('erin@contoso.com', { id: 's5' });
  // Sales holds Bob and EMEA; EMEA holds Carol and UK; UK holds Dave and (a cycle) EMEA; Erin's group is elsewhere
  const nested = (name: string, members: Parameters<typeof group>[1], groups: string[]) => ({ ...group(name, members), nestedGroupIds: groups.map((g) => `grp-${g}`) });
  const index = indexTenant(
    tenant('contoso', {
      users: [alice, bob, carol, dave, erin],
      groups: [nested('Sales', [bob], ['EMEA', 'Missing']), nested('EMEA', [carol], ['UK']), nested('UK', [dave], ['EMEA']), group('Other', [erin])],
    }),
  );
  const nestedSources = [{ name: 'contoso', index }];
  const e = expandWaveMembers(wave('w', 'prepared', [], { members: { users: [], csvUsers: [], groups: ['Sales'] } }), nestedSources);
  assert.equal(e.members.map((m) => [m.user.id, m.via]), [['s2', 'group:Sales'], ['s3', 'group:Sales'], ['s4', 'group:Sales']]);
  assert.equal(e.unresolved, [], 'a nested group the inventory lacks is no unresolved member');
  assert.equal([...excludedUserKeys(['emea'], nestedSources)].sort(), ['contoso:s3', 'contoso:s4']);
});

test('a group name two source groups share is unresolved as ambiguous, never expanded', () => {
  const twice = indexTenant(tenant('contoso', { users: [alice, bob, carol], groups: [group('Sales Team', [alice]), group('Sales Team', [bob, carol])] }));
  const e = expandWaveMembers(wave('w', 'prepared', [], { members: { users: [], csvUsers: [], groups: ['sales team'] } }), [{ name: 'contoso', index: twice }]);
  assert.equal(e.members, []);
  assert.is(e.unresolved.length, 1);
  assert.is(e.unresolved[0]!.via, 'groups');
  assert.match(e.unresolved[0]!.reason, /^ambiguous: 2 source groups have this name or mail: Sales Team .*\(contoso, id .*, 1 members\); Sales Team .*2 members\); name the group by its mail address, or list its members$/);
});

test('an excluded group name two source groups share excludes the members of both, with a warning', () => {
  const twice = indexTenant(tenant('contoso', { users: [alice, bob, carol], groups: [group('Sales Team', [alice], 'g1'), group('Sales Team', [bob], 'g2')] }));
  const warnings: string[] = [];
  const excluded = excludedUserKeys([' Sales Team'], [{ name: 'contoso', index: twice }], (m) => warnings.push(m));
  assert.equal([...excluded].sort(), ['contoso:s1', 'contoso:s2']);
  assert.equal(warnings, ["spec.safety.exclude 'Sales Team' names 2 source groups: the members of all of them are excluded; name the group by its mail address to exclude one"]);
});

test('an address carried by two source users is unresolved as ambiguous, never guessed', () => {
  const dup = indexTenant(tenant('contoso', { users: [user('x@contoso.com', { id: 'a' }), user('y@contoso.com', { id: 'b', proxyAddresses: ['SMTP:y@contoso.com', 'smtp:x@contoso.com'] })] }));
  const e = expandWaveMembers(wave('w', 'prepared', ['x@contoso.com']), [{ name: 'contoso', index: dup }]);
  assert.is(e.members.length, 0);
  assert.match(e.unresolved[0]!.reason, /ambiguous: 2 source users/);
});

test('the first rule that finds exactly one target wins; a later rule is not consulted', () => {
  const t = indexTenant(tenant('fabrikam', { users: [user('alice@fabrikam.com', { id: 't1' }), user('other@fabrikam.com', { id: 't2', attributes: { employeeId: 'E1' } })] }));
  const a = { ...alice, attributes: { employeeId: 'E1' } };
  const r = matchUser(a, 'contoso', t, { rules: [mailRule, empRule], domains, guest: false });
  assert.is(r.status, 'matched');
  assert.is(r.target?.id, 't1');
  assert.is(r.rule, 'mail->mail (mapDomain)');
});

test('a rule finding nothing falls through to the next rule', () => {
  const t = indexTenant(tenant('fabrikam', { users: [user('robert@fabrikam.com', { id: 't2', attributes: { employeeId: ' e2 ' } })] }));
  const r = matchUser(bob, 'contoso', t, { rules: [mailRule, empRule], domains, guest: false });
  assert.is(r.status, 'matched');
  assert.is(r.target?.id, 't2');
  assert.is(r.rule, 'employeeId->employeeId');
});

test('a rule finding several targets is ambiguous with the candidates', () => {
  const t = indexTenant(
    tenant('fabrikam', { users: [user('b1@fabrikam.com', { id: 'x', attributes: { employeeId: 'E2' } }), user('b2@fabrikam.com', { id: 'y', attributes: { employeeId: 'E2' } })] }),
  );
  const r = matchUser(bob, 'contoso', t, { rules: [mailRule, empRule], domains, guest: false });
  assert.is(r.status, 'ambiguous');
  assert.equal(r.candidates, ['b1@fabrikam.com', 'b2@fabrikam.com']);
  assert.is(r.target, undefined);
  assert.match(r.reason!, /rule employeeId->employeeId finds 2 target objects/);
});

test('the marker takes precedence over the rules', () => {
  const byRule = user('alice@fabrikam.com', { id: 't1' });
  const byMarker = withMarker(user('a.renamed@fabrikam.com', { id: 't9' }), marker('s1'));
  const r = matchUser(alice, 'contoso', indexTenant(tenant('fabrikam', { users: [byRule, byMarker] })), { rules: [mailRule], domains, guest: false });
  assert.is(r.status, 'matched');
  assert.is(r.rule, 'marker');
  assert.is(r.target?.id, 't9');
});

test("a target carrying ANOTHER source user's marker is a conflict", () => {
  const t = withMarker(user('alice@fabrikam.com', { id: 't1' }), marker('someone-else', { wave: 'wave-07' }));
  const r = matchUser(alice, 'contoso', indexTenant(tenant('fabrikam', { users: [t] })), { rules: [mailRule], domains, guest: false });
  assert.is(r.status, 'conflict');
  assert.equal(r.candidates, ['alice@fabrikam.com']);
  assert.match(r.reason!, /marker of another source user \(contoso:someone-else, wave wave-07\)/);
});

test('two targets carrying the same marker are ambiguous', () => {
  const t = [withMarker(user('a1@fabrikam.com', { id: 'x' }), marker('s1')), withMarker(user('a2@fabrikam.com', { id: 'y' }), marker('s1'))];
  const r = matchUser(alice, 'contoso', indexTenant(tenant('fabrikam', { users: t })), { rules: [], domains, guest: false });
  assert.is(r.status, 'ambiguous');
  assert.is(r.rule, 'marker');
});

test('guest rule: the POST-mapping address with @ -> _ before #EXT#', () => {
  assert.is(guestKey('Alice@Contoso.com', domains), 'alice_fabrikam.com');
  const g = guest('ALICE_fabrikam.com#EXT#@fabrikam.onmicrosoft.com', { id: 'g1' });
  const pre = guest('alice_contoso.com#EXT#@fabrikam.onmicrosoft.com', { id: 'g0' });
  const r = matchUser(alice, 'contoso', indexTenant(tenant('fabrikam', { users: [pre, g] })), { rules: [], domains, guest: true });
  assert.is(r.status, 'matched');
  assert.is(r.rule, 'guest');
  assert.is(r.target?.id, 'g1');
});

test('guest rule: a guest invited by its source address (as t2t invites) matches when no mapped form exists', () => {
  const invited = guest('alice_contoso.com#EXT#@fabrikam.onmicrosoft.com', { id: 'g0' });
  const r = matchUser(alice, 'contoso', indexTenant(tenant('fabrikam', { users: [invited] })), { rules: [], domains, guest: true });
  assert.is(r.status, 'matched');
  assert.is(r.target?.id, 'g0');
  assert.is(r.rule, 'guest');
});

test('guest rule applies only to guest profiles', () => {
  const g = guest('alice_fabrikam.com#EXT#@fabrikam.onmicrosoft.com', { id: 'g1' });
  const r = matchUser(alice, 'contoso', indexTenant(tenant('fabrikam', { users: [g] })), { rules: [], domains, guest: false });
  assert.is(r.status, 'unmatched');
  assert.not.ok(r.refused);
});

test('guest matching without a domain mapping for the user is refused with a reason', () => {
  const x = user('xavier@other.org', { id: 's9' });
  const r = matchUser(x, 'contoso', indexTenant(tenant('fabrikam')), { rules: [mailRule], domains, guest: true });
  assert.is(r.status, 'unmatched');
  assert.is(r.refused, true);
  assert.match(r.reason!, /guest matching refused: no domain mapping for other.org/);
});

test('no rule matching leaves the user unmatched (to be created)', () => {
  const r = matchUser(carol, 'contoso', indexTenant(tenant('fabrikam')), { rules: [mailRule], domains, guest: false });
  assert.is(r.status, 'unmatched');
  assert.is(r.target, undefined);
});

test.run();
