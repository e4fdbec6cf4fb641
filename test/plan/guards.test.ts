import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildPlan } from '../../engine/plan/build-plan.js';
import { buildStatus } from '../../engine/plan/status.js';
import { planRefusalError } from '../../engine/plan/refusal.js';
import { renderPlanText, summaryLine } from '../../engine/plan/render-text.js';
import { renderPlanMarkdown } from '../../engine/plan/render-markdown.js';
import { content, group, inventory, mailbox, marker, NOW, profile, project, REVISION, sku, tenant, user, wave, withMarker } from '../fixtures/inventories/builders.js';
import { scenario } from '../fixtures/inventories/scenario.js';
import { graph, planFor } from './helpers.js';
import { certificateWarnings } from '../../engine/plan/certificates.js';
import { checkCertificate } from '../../engine/certs/validate.js';
import type { CertificateInfo } from '../../engine/certs/pfx.js';

function people(n: number) {
  return Array.from({ length: n }, (_, i) => user(`u${i}@contoso.com`, { id: `s${i}` }));
}

test('a paused wave is shown as paused and nothing is planned', () => {
  const p = buildPlan({ project: project([wave('wave-01', 'prepared', ['alice@contoso.com'], { paused: true })]), inventory: scenario('discovered'), revision: REVISION, now: NOW });
  assert.equal(p.changes, []);
  assert.is(p.waves[0]!.paused, true);
  assert.is(p.waves[0]!.users, 1);
  assert.is(p.waves[0]!.conditions.find((c) => c.type === 'Progressing')!.reason, 'Paused');
  // nothing planned, yet the tenants do not match: the summary says so instead of "they match"
  assert.is(summaryLine(p), 'No changes planned, but the tenants do not match the manifests yet: wave wave-01 is paused with 1 of 1 user not at phase prepared.');
  assert.match(renderPlanText(p), /^No changes planned, but the tenants do not match/m);
  assert.match(renderPlanMarkdown(p), /\*\*No changes planned, but the tenants do not match/);
  // paused at the phase its users have reached: they match
  const reached = buildPlan({ project: project([wave('wave-01', 'prepared', ['alice@contoso.com'], { paused: true })]), inventory: scenario('prepared'), revision: REVISION, now: NOW });
  assert.is(summaryLine(reached), 'No changes. The tenants match the manifests.');
});

test('a plan without changes whose users are refused does not say the tenants match', () => {
  const src = user('alice@contoso.com', { id: 's1' });
  const inv = inventory(tenant('contoso', { users: [src] }), tenant('fabrikam', { users: [user('alice@fabrikam.com', { id: 't1' }), user('alice@fabrikam.com', { id: 't2' })] }));
  const p = buildPlan({ project: project([wave('wave-01', 'prepared', ['alice@contoso.com'])]), inventory: inv, revision: REVISION, now: NOW });
  assert.is(p.refused.length, 1, JSON.stringify(p.refused));
  assert.equal(p.changes, []);
  assert.match(summaryLine(p), /^No changes planned, but the tenants do not match the manifests yet: .*1 user refused\.$/);
});

test('maxDeletes: a plan deleting more objects than allowed is refused with a clear message', () => {
  const p = planFor(scenario('prepared'), 'discovered', { prune: true });
  assert.ok(p.refusal);
  assert.is(p.refusal!.code, 'MaxDeletesExceeded');
  assert.is(p.refusal!.message, 'the plan deletes 1 object (users or content), more than spec.safety.maxDeletes (0): refused');
  assert.match(p.refusal!.hint, /raise spec.safety.maxDeletes to at least 1/);
  const err = planRefusalError(p)!;
  assert.is(err.code, 'MaxDeletesExceeded');
  assert.is(planRefusalError(planFor(scenario('discovered'), 'prepared')), undefined);
});

test('licences: first SKU with free units, units taken by earlier users count, no over-assignment', () => {
  const src = people(5);
  const inv = inventory(
    tenant('contoso', { users: src }),
    tenant('fabrikam', {
      skus: [sku('EXCHANGESTANDARD', 3, 1), sku('SPE_E3', 2, 0)],
      users: src.map((s, i) => withMarker(user(`u${i}@fabrikam.com`, { id: `t${i}` }), marker(s.id, { phase: 'prepared', createdByT2t: true }))),
    }),
  );
  const p = buildPlan({ project: project([wave('wave-01', 'synced', src.map((s) => s.userPrincipalName))]), inventory: inv, revision: REVISION, now: NOW });
  const assigned = p.changes.filter((c) => c.op === 'license.assign').map((c) => [c.user, c.params['skuPartNumber']]);
  assert.equal(assigned, [
    ['u0@contoso.com', 'EXCHANGESTANDARD'],
    ['u1@contoso.com', 'EXCHANGESTANDARD'],
    ['u2@contoso.com', 'SPE_E3'],
    ['u3@contoso.com', 'SPE_E3'],
  ]);
  // u4 is blocked: nothing from the licence on, and says why
  assert.equal(p.changes.filter((c) => c.user === 'u4@contoso.com').map((c) => c.op), ['mailUser.enable', 'targetVisibility.hide', 'targetContact.create']);
  assert.ok(p.warnings.includes('wave wave-01: 1 user blocked (NoFreeLicense); first: no free units of EXCHANGESTANDARD or SPE_E3 in fabrikam'));
  const status = buildStatus({ project: project([wave('wave-01', 'synced', src.map((s) => s.userPrincipalName))]), inventory: inv, revision: REVISION, now: NOW });
  const u4 = status.waves[0]!.users.find((u) => u.source === 'u4@contoso.com')!;
  assert.equal(
    u4.conditions.find((c) => c.type === 'Blocked'),
    { type: 'Blocked', status: 'True', reason: 'NoFreeLicense', message: 'no free units of EXCHANGESTANDARD or SPE_E3 in fabrikam', observedCommit: REVISION.commit },
  );
});

test('a user already holding a profile SKU takes no new unit', () => {
  const p = planFor(scenario('synced', { skus: [sku('EXCHANGESTANDARD', 1, 1)] }), 'synced');
  assert.equal(p.changes, []);
});

test('cutover waits for cutoverAt: synced is planned with a note; from cutoverAt on the cutover is planned', () => {
  const w = wave('wave-01', 'cutover', ['alice@contoso.com'], { schedule: { cutoverAt: '2026-06-05T22:00:00Z' } });
  const early = buildPlan({ project: project([w]), inventory: scenario('synced'), revision: REVISION, now: NOW });
  assert.equal(early.changes, []);
  assert.ok(early.warnings.includes('wave wave-01: cutover scheduled for 2026-06-05T22:00:00Z; planning phase synced until then'));
  assert.is(early.waves[0]!.effectivePhase, 'synced');
  const due = buildPlan({ project: project([w]), inventory: scenario('synced'), revision: REVISION, now: '2026-06-05T22:00:00Z' });
  assert.is(due.changes[0]!.op, 'marker.startCutover');
});

test('an interrupted cutover resumes even before cutoverAt', () => {
  const w = wave('wave-01', 'cutover', ['alice@contoso.com'], { schedule: { cutoverAt: '2026-06-05T22:00:00Z' } });
  const p = buildPlan({ project: project([w]), inventory: scenario('cutover-partial'), revision: REVISION, now: NOW });
  assert.equal(graph(p)[0], 'x500Addresses.add');
});

test('estimate: warns when the content cannot be synced before cutoverAt', () => {
  const src = people(3);
  const inv = inventory(
    tenant('contoso', { users: src, content: new Map(src.map((s) => [s.id, content(900_000_000)])) }),
    tenant('fabrikam', { skus: [sku('EXCHANGESTANDARD', 10)] }),
  );
  const w = wave('wave-01', 'synced', src.map((s) => s.userPrincipalName), { schedule: { cutoverAt: '2026-06-01T12:30:00Z' } });
  const p = buildPlan({ project: project([w]), inventory: inv, revision: REVISION, now: NOW, throughput: { bytesPerSecondPerMailbox: 500_000, concurrency: 2 } });
  const e = p.waves[0]!.estimate!;
  assert.is(e.bytes, 2_700_000_000);
  assert.is(e.items, 300);
  assert.is(e.throughputBytesPerSecond, 1_000_000);
  assert.is(e.seconds, 2700);
  assert.is(e.finishesBy, '2026-06-01T12:45:00.000Z');
  assert.match(e.warning!, /cannot finish before the cutover at 2026-06-01T12:30:00Z/);
  assert.ok(p.warnings.includes(e.warning!));
  const relaxed = buildPlan({ project: project([{ ...w, schedule: { cutoverAt: '2026-06-02T00:00:00Z' } }]), inventory: inv, revision: REVISION, now: NOW, throughput: { bytesPerSecondPerMailbox: 500_000, concurrency: 2 } });
  assert.is(relaxed.waves[0]!.estimate!.warning, undefined);
});

test('excluded users are untouched', () => {
  const p = planFor(scenario('discovered'), 'prepared', { safety: { maxDeletes: 0, maxFailureRate: 0.2, exclude: ['alice@contoso.com'] } });
  assert.equal(p.changes, []);
  assert.is(p.waves[0]!.excluded, 1);
  assert.is(p.waves[0]!.users, 0);
});

test('target users marked for a user no wave declares are orphans', () => {
  const inv = scenario('prepared');
  const p = buildPlan({ project: project([wave('wave-02', 'prepared', [])]), inventory: inv, revision: REVISION, now: NOW });
  assert.equal(p.changes, []);
  assert.equal(p.orphans, [
    {
      tenant: 'fabrikam',
      resource: 'marker',
      object: 'target user alice@fabrikam.com',
      reason: 'carries the marker of source user contoso:src-alice (wave wave-01), which no wave declares any more',
      wave: 'wave-01',
    },
  ]);
});

test('ambiguous and conflicting matches are refused per user, never guessed', () => {
  const inv = scenario('discovered', {
    extraTargetUsers: [withMarker(user('alice@fabrikam.com', { id: 'other' }), marker('not-alice'))],
  });
  const p = planFor(inv, 'prepared');
  assert.equal(p.changes, []);
  assert.match(p.refused[0]!.reason, /already carries the marker of another source user/);
});

test('group mappings: the target group is created once and memberships depend on it', () => {
  const a = user('alice@contoso.com', { id: 's1' });
  const b = user('bob@contoso.com', { id: 's2' });
  const inv = inventory(tenant('contoso', { users: [a, b], groups: [group('All Sales', [a, b])] }), tenant('fabrikam'));
  const pr = project([wave('wave-01', 'prepared', ['alice@contoso.com', 'bob@contoso.com'])], { groups: [{ source: 'All Sales', target: 'Sales', create: true }] });
  const p = buildPlan({ project: pr, inventory: inv, revision: REVISION, now: NOW });
  const creates = p.changes.filter((c) => c.op === 'group.create');
  assert.is(creates.length, 1);
  assert.is(creates[0]!.summary, 'create group Sales in fabrikam');
  const adds = p.changes.filter((c) => c.op === 'groupMembership.add');
  assert.is(adds.length, 2);
  for (const add of adds) {
    assert.ok(add.dependsOn.includes(creates[0]!.id));
    const userCreate = p.changes.find((c) => c.user === add.user && c.op === 'targetUser.create')!;
    assert.ok(add.dependsOn.length >= 1 && !add.dependsOn.includes(add.id));
    assert.ok(p.changes.indexOf(userCreate) < p.changes.indexOf(add));
  }
  const noCreate = buildPlan({ project: { ...pr, groups: [{ source: 'All Sales', target: 'Sales', create: false }] }, inventory: inv, revision: REVISION, now: NOW });
  assert.equal(noCreate.changes.filter((c) => c.resource === 'groupMembership'), []);
  assert.ok(noCreate.warnings.includes('group sales does not exist in fabrikam and its mapping has create: false: membership of 2 users not planned') || noCreate.warnings.some((w) => /does not exist in fabrikam/.test(w)));
});

test('email rewrite: dayOne joins the source group and its target mirror; kept at cutover; none removes', () => {
  const inv = scenario('discovered');
  const p = buildPlan({ project: project([wave('wave-01', 'prepared', ['alice@contoso.com'], { emailRewrite: 'dayOne' })]), inventory: inv, revision: REVISION, now: NOW });
  const rw = p.changes.filter((c) => c.resource === 'rewriteMembership').map((c) => [c.op, c.tenant, c.summary]);
  // each group's create right before the first change that needs it
  assert.equal(rw, [
    ['group.create', 'contoso', 'create group T2T-Rewrite-DayOne in contoso'],
    ['rewriteMembership.add', 'contoso', 'add alice@contoso.com to group T2T-Rewrite-DayOne'],
    ['group.create', 'fabrikam', 'create group T2T-Rewrite-DayOne in fabrikam'],
    ['rewriteMembership.add', 'fabrikam', 'add alice@fabrikam.com to group T2T-Rewrite-DayOne'],
  ]);
  // the user is in both groups at cutover: no change for rewrite; wave moved to none: removed
  const cut = scenario('cutover');
  const withGroups = {
    ...cut,
    tenants: {
      contoso: { ...cut.tenants['contoso']!, groups: [{ id: 'g1', displayName: 'T2T-Rewrite-DayOne', mail: null, memberIds: ['src-alice'] }] },
      fabrikam: { ...cut.tenants['fabrikam']!, groups: [{ id: 'g2', displayName: 'T2T-Rewrite-DayOne', mail: null, memberIds: ['tgt-alice'] }] },
    },
  };
  const kept = buildPlan({ project: project([wave('wave-01', 'cutover', ['alice@contoso.com'], { emailRewrite: 'dayOne' })]), inventory: withGroups, revision: REVISION, now: NOW });
  assert.equal(kept.changes, []);
  const none = buildPlan({ project: project([wave('wave-01', 'cutover', ['alice@contoso.com'], { emailRewrite: 'none' })]), inventory: withGroups, revision: REVISION, now: NOW });
  assert.equal(none.changes.map((c) => [c.op, c.tenant]), [['rewriteMembership.remove', 'contoso'], ['rewriteMembership.remove', 'fabrikam']]);
});

test('guest profile: guest created without invitation, visible; converted and licensed at sync', () => {
  const pr = (phase: 'prepared' | 'synced', invite = false) =>
    project([wave('wave-01', phase, ['alice@contoso.com'], { inviteGuests: invite })], { profiles: { standard: profile({ createAs: 'guest' }) } });
  const p = buildPlan({ project: pr('prepared'), inventory: scenario('discovered'), revision: REVISION, now: NOW });
  // Exchange gives the new guest a GuestMailUser hidden from the address lists: unhidden
  assert.equal(graph(p), ['targetUser.createGuest', 'targetVisibility.show <- targetUser.createGuest', 'marker.create <- targetVisibility.show']);
  assert.is(p.changes[0]!.params['sendInvitationMessage'], false);
  assert.is(p.changes[0]!.params['invitedUserEmailAddress'], 'alice@contoso.com');
  // a guest is named by its mail, the source address: the member address is what conversion gives it
  assert.is(p.changes[1]!.summary, 'unhide guest alice@contoso.com in the address lists');
  assert.match(p.changes[2]!.summary, /^mark guest alice@contoso\.com as wave-01 /);
  const invited = buildPlan({ project: pr('prepared', true), inventory: scenario('discovered'), revision: REVISION, now: NOW });
  assert.equal(graph(invited), ['targetUser.createGuest', 'guestInvitation.send <- targetUser.createGuest', 'targetVisibility.show <- guestInvitation.send', 'marker.create <- targetVisibility.show']);
  assert.is(invited.changes[1]!.reversibility, 'one-way');

  const g = withMarker(user('alice_fabrikam.com#EXT#@fabrikam.onmicrosoft.com', { id: 'g1', userType: 'Guest', mail: 'alice@contoso.com', displayName: 'Alice' }), marker('src-alice', { phase: 'prepared', createdByT2t: true }));
  const inv = inventory(tenant('contoso', { users: [scenario('discovered').tenants['contoso']!.users[0]!], recipients: [mailbox(scenario('discovered').tenants['contoso']!.users[0]!)] }), tenant('fabrikam', { users: [g], skus: [sku('EXCHANGESTANDARD', 5)], recipients: [{ ...mailbox(g), type: 'MailUser' }] }));
  const s = buildPlan({ project: pr('synced'), inventory: inv, revision: REVISION, now: NOW });
  assert.equal(s.changes.map((c) => c.op), ['guestConversion.convert', 'license.assign', 'targetForwarding.set', 'contentSync.initial', 'marker.update']);
  assert.is(s.changes[0]!.summary, 'convert guest alice@contoso.com to member alice@fabrikam.com');
  // at synced the conversion comes first: the steps after it name the member
  assert.is(s.changes[1]!.summary, 'assign licence EXCHANGESTANDARD to alice@fabrikam.com');
});

test('certificates expiring within 30 days warn', () => {
  const p = planFor(scenario('discovered'), 'discovered', {}, {
    certificates: [
      { name: 'rewrite-tls', notAfter: '2026-06-11T00:00:00Z' },
      { name: 'rewrite-dkim', notAfter: '2027-01-01T00:00:00Z' },
      { name: 'old', notAfter: '2026-05-01T00:00:00Z' },
    ],
  });
  assert.equal(p.warnings, [
    'certificate old expired on 2026-05-01T00:00:00Z: renew it and update its PFX file (spec.certificates.old)',
    'certificate rewrite-tls expires on 2026-06-11T00:00:00Z (in 10 days): renew it before then',
  ]);
});

test("a certificate whose chain expires first: the warning names the chain's CA certificate and says what to update", () => {
  const p = planFor(scenario('discovered'), 'discovered', {}, {
    certificates: [
      { name: 'rewrite-tls', notAfter: '2026-06-11T00:00:00Z', expiresFirst: 'CN=Fabrikam Issuing CA' },
      { name: 'rewrite-dkim', notAfter: '2026-05-01T00:00:00Z', expiresFirst: 'CN=Fabrikam Signing CA' },
      { name: 'later', notAfter: '2026-09-01T00:00:00Z', expiresFirst: 'CN=Fabrikam Issuing CA' },
    ],
  });
  assert.equal(p.warnings, [
    "certificate rewrite-dkim: the CA certificate CN=Fabrikam Signing CA in its chain expired on 2026-05-01T00:00:00Z, before the certificate itself: update its PFX file with the CA's current certificate, or renew it (spec.certificates.rewrite-dkim)",
    "certificate rewrite-tls: the CA certificate CN=Fabrikam Issuing CA in its chain expires on 2026-06-11T00:00:00Z (in 10 days), before the certificate itself: update its PFX file with the CA's current certificate, or renew it, before then (spec.certificates.rewrite-tls)",
  ]);
});

test("certificate expiry: within 30 days includes the 30th, a part of a day counts as a day, as 't2t certs' says", () => {
  // found by a review helper: a certificate expiring in 30 days was not warned of (t2t certs warns
  // of it), and one expiring in 12 hours was said to expire "in 0 days"
  const now = new Date(NOW);
  const at = (ms: number) => new Date(now.getTime() + ms);
  const DAY = 86_400_000;
  const cases: [string, number, string | null][] = [
    ['exact', 30 * DAY, 'in 30 days'],
    ['later', 30 * DAY + 1, null],
    ['half', 9.5 * DAY, 'in 10 days'],
    ['hours', DAY / 2, 'in 1 day'],
  ];
  for (const [name, ms, says] of cases) {
    const warnings = certificateWarnings([{ name, notAfter: at(ms).toISOString() }], now);
    // t2t certs on a certificate with the same notAfter
    const info = { name, file: `certs/${name}.pfx`, notBefore: at(-DAY), notAfter: at(ms), keyType: 'rsa', keyBits: 2048, keyMatches: true, privateKey: true, sans: [], chain: [] } as unknown as CertificateInfo;
    const certs = checkCertificate(info, { now, domains: [], purpose: 'auth' });
    if (says === null) {
      assert.equal(warnings, [], name);
      assert.equal(certs, [], name);
    } else {
      assert.equal(warnings, [`certificate ${name} expires on ${at(ms).toISOString()} (${says}): renew it before then`], name);
      assert.match(certs[0]!.message, `expires ${says} `, name);
    }
  }
});

test('unresolved wave members are warned about', () => {
  const p = buildPlan({ project: project([wave('wave-01', 'prepared', ['ghost@contoso.com'])]), inventory: scenario('discovered'), revision: REVISION, now: NOW });
  assert.ok(p.warnings.includes('wave wave-01: member ghost@contoso.com (users) not resolved: no source user has this UPN, mail or proxy address'));
});

test('a plan without changes whose many waves are paused behind their phase: the summary names five and counts the rest, in text and markdown', () => {
  const one = buildPlan({ project: project([wave('wave-01', 'prepared', ['alice@contoso.com'], { paused: true })]), inventory: scenario('discovered'), revision: REVISION, now: NOW });
  const name = (i: number) => `wave-${String(i).padStart(4, '0')}-${'x'.repeat(50)}`;
  const p = { ...one, waves: Array.from({ length: 1000 }, (_, i) => ({ ...one.waves[0]!, name: name(i) })) };
  assert.is(
    summaryLine(p),
    `No changes planned, but the tenants do not match the manifests yet: ${[0, 1, 2, 3, 4].map((i) => `wave ${name(i)} is paused with 1 of 1 user not at phase prepared`).join('; ')}; 995 more waves paused behind their phase or with blocked users.`,
  );
  for (const limit of [2_000, 60_000]) {
    const md = renderPlanMarkdown(p, { maxChars: limit });
    assert.ok(md.length <= limit, `${md.length} characters for a limit of ${limit}`);
  }
});

test('thousands of members not found are one warning with their count and the first ten, not a warning each', () => {
  const ghosts = Array.from({ length: 2500 }, (_, i) => `ghost${i}@contoso.com`);
  const p = buildPlan({ project: project([wave('wave-01', 'prepared', ['alice@contoso.com', ...ghosts])]), inventory: scenario('discovered'), revision: REVISION, now: NOW });
  const about = p.warnings.filter((w) => w.startsWith('wave wave-01: '));
  assert.equal(about, [
    `wave wave-01: 2500 members not resolved: no source user has this UPN, mail or proxy address; the first 10: ${ghosts
      .slice(0, 10)
      .map((g) => `${g} (users)`)
      .join(', ')}`,
  ]);
  // ten or fewer: one warning each, as before
  const few = buildPlan({ project: project([wave('wave-01', 'prepared', ghosts.slice(0, 10))]), inventory: scenario('discovered'), revision: REVISION, now: NOW });
  assert.is(few.warnings.filter((w) => w.includes('not resolved')).length, 10);
});

test('a wave at synced whose profile assigns no licence is warned about in the plan, as validate does', () => {
  const unlicensed = { profiles: { standard: profile({ license: { skus: [] } }) } };
  const synced = planFor(scenario('prepared'), 'synced', unlicensed);
  assert.ok(synced.warnings.some((w) => w.startsWith('wave wave-01: profile standard assigns no licence: ')), JSON.stringify(synced.warnings));
  // not at prepared, where no licence is due, nor with a licence
  assert.not.ok(planFor(scenario('discovered'), 'prepared', unlicensed).warnings.some((w) => w.includes('assigns no licence')));
  assert.not.ok(planFor(scenario('prepared'), 'synced').warnings.some((w) => w.includes('assigns no licence')));
});

test('a user in two waves through two groups is refused, with both places; across discovered waves it is not', () => {
  const alice = user('alice@contoso.com', { id: 's1' });
  const bob = user('bob@contoso.com', { id: 's2' });
  const content_ = new Map([['s1', content(5_000_000)], ['s2', content(1_000_000)]]);
  const inv = inventory(tenant('contoso', { users: [alice, bob], groups: [group('Sales', [alice, bob]), group('Pilot', [alice])], content: content_ }), tenant('fabrikam', { skus: [sku('EXCHANGESTANDARD', 10)] }));
  const byGroup = (name: string) => ({ members: { users: [], csvUsers: [], groups: [name] } });
  const p = buildPlan({ project: project([wave('wave-01', 'synced', [], byGroup('Sales')), wave('wave-02', 'prepared', [], byGroup('Pilot'))]), inventory: inv, revision: REVISION, now: NOW });
  assert.equal(p.refused, [
    { user: 'alice@contoso.com', wave: 'wave-01', reason: 'in 2 waves: wave-01 (through group Sales), wave-02 (through group Pilot); a user belongs to one wave only: take it out of all but one' },
  ]);
  // nor is her content counted in either wave's estimate
  assert.equal(p.waves.map((w) => w.estimate?.bytes), [1_000_000, 0]);
  assert.ok(p.changes.length > 0 && p.changes.every((c) => c.user !== 'alice@contoso.com'), 'nothing is planned for alice, in either wave');
  assert.ok(p.changes.some((c) => c.user === 'bob@contoso.com'), 'bob, in one wave, is planned');
  const status = buildStatus({ project: project([wave('wave-01', 'synced', [], byGroup('Sales')), wave('wave-02', 'prepared', [], byGroup('Pilot'))]), inventory: inv, revision: REVISION, now: NOW });
  const waveOf = status.waves.find((w) => w.users.some((u) => u.source === 'alice@contoso.com'))!;
  assert.is(waveOf.name, 'wave-01');
  const aliceStatus = waveOf.users.find((u) => u.source === 'alice@contoso.com')!;
  assert.ok(aliceStatus.conditions.some((c) => c.type === 'Blocked' && c.status === 'True' && c.reason === 'InSeveralWaves'), JSON.stringify(aliceStatus.conditions));

  // listed in one wave and reached through a group in another: the same
  const listed = buildPlan({ project: project([wave('wave-01', 'prepared', ['ALICE@contoso.com ']), wave('wave-02', 'prepared', [], byGroup('Pilot'))]), inventory: inv, revision: REVISION, now: NOW });
  assert.equal(listed.refused.map((r) => r.reason), ['in 2 waves: wave-01 (listed), wave-02 (through group Pilot); a user belongs to one wave only: take it out of all but one']);

  // a wave at discovered may share users with any other (SPEC section 2)
  const discovered = buildPlan({ project: project([wave('wave-01', 'prepared', [], byGroup('Sales')), wave('wave-02', 'discovered', [], byGroup('Pilot'))]), inventory: inv, revision: REVISION, now: NOW });
  assert.equal(discovered.refused, []);
  assert.ok(discovered.changes.some((c) => c.user === 'alice@contoso.com'), 'alice is planned in wave-01');

  // a paused wave refuses nothing, but says so
  const paused = buildPlan({ project: project([wave('wave-01', 'prepared', [], { ...byGroup('Sales'), paused: true }), wave('wave-02', 'prepared', [], byGroup('Pilot'))]), inventory: inv, revision: REVISION, now: NOW });
  assert.equal(paused.refused, []);
  assert.ok(paused.warnings.some((w) => w.startsWith('wave wave-01: alice@contoso.com is in 2 waves: wave-01 (through group Sales), wave-02 (through group Pilot)')), JSON.stringify(paused.warnings));
});

test('two source users the rules match to one target user are both refused, each naming the other', () => {
  // contoso.com and contoso.co.uk both map to fabrikam.com (only source domains must be unique)
  const domains = [
    { source: 'contoso.com', target: 'fabrikam.com' },
    { source: 'contoso.co.uk', target: 'fabrikam.com' },
  ];
  const com = user('alice@contoso.com', { id: 's-com' });
  const uk = user('alice@contoso.co.uk', { id: 's-uk' });
  const bob = user('bob@contoso.com', { id: 's-bob' });
  const existing = inventory(tenant('contoso', { users: [com, uk, bob] }), tenant('fabrikam', { users: [user('alice@fabrikam.com', { id: 't1' })], skus: [sku('EXCHANGESTANDARD', 10)] }));
  const members = ['alice@contoso.com', 'alice@contoso.co.uk', 'bob@contoso.com'];
  const p = buildPlan({ project: project([wave('wave-01', 'prepared', members)], { domains }), inventory: existing, revision: REVISION, now: NOW });
  assert.equal(p.refused, [
    { user: 'alice@contoso.com', wave: 'wave-01', reason: 'the matching rules find target user alice@fabrikam.com for it and for alice@contoso.co.uk (wave-01): which of them it is, is not guessed; make the rules tell them apart (spec.matching, spec.domains)' },
    { user: 'alice@contoso.co.uk', wave: 'wave-01', reason: 'the matching rules find target user alice@fabrikam.com for it and for alice@contoso.com (wave-01): which of them it is, is not guessed; make the rules tell them apart (spec.matching, spec.domains)' },
  ]);
  assert.equal([...new Set(p.changes.map((c) => c.user))], ['bob@contoso.com'], 'nothing is planned for either alice');

  // not in the target yet: both would be created as alice@fabrikam.com
  const empty = inventory(tenant('contoso', { users: [com, uk, bob] }), tenant('fabrikam', { skus: [sku('EXCHANGESTANDARD', 10)] }));
  const created = buildPlan({ project: project([wave('wave-01', 'prepared', ['alice@contoso.com']), wave('wave-02', 'prepared', ['alice@contoso.co.uk', 'bob@contoso.com'])], { domains }), inventory: empty, revision: REVISION, now: NOW });
  assert.equal(created.refused.map((r) => [r.user, r.reason]), [
    ['alice@contoso.com', 'would be created as alice@fabrikam.com, as alice@contoso.co.uk (wave-02) would: one target user cannot be two source users; map their userPrincipalName to different target addresses (spec.attributes, spec.domains)'],
    ['alice@contoso.co.uk', 'would be created as alice@fabrikam.com, as alice@contoso.com (wave-01) would: one target user cannot be two source users; map their userPrincipalName to different target addresses (spec.attributes, spec.domains)'],
  ]);
  assert.equal(created.changes.filter((c) => c.op === 'targetUser.create').map((c) => c.summary), ['create user bob@fabrikam.com']);
  // planning one wave finds the collision with the other all the same
  const one = buildPlan({ project: project([wave('wave-01', 'prepared', ['alice@contoso.com']), wave('wave-02', 'prepared', ['alice@contoso.co.uk'])], { domains }), inventory: empty, revision: REVISION, now: NOW, waveFilter: 'wave-01' });
  assert.equal(one.refused.map((r) => r.user), ['alice@contoso.com']);
  // a wave at discovered creates nothing: no collision with it
  const later = buildPlan({ project: project([wave('wave-01', 'prepared', ['alice@contoso.com']), wave('wave-02', 'discovered', ['alice@contoso.co.uk'])], { domains }), inventory: empty, revision: REVISION, now: NOW });
  assert.equal(later.refused, []);
  assert.ok(later.changes.some((c) => c.op === 'targetUser.create' && c.user === 'alice@contoso.com'));
});

test('--wave filter plans one wave only', () => {
  const pr = project([wave('wave-01', 'prepared', ['alice@contoso.com']), wave('wave-02', 'prepared', [])]);
  const p = buildPlan({ project: pr, inventory: scenario('discovered'), revision: REVISION, now: NOW, waveFilter: 'wave-02' });
  assert.equal(p.changes, []);
  assert.equal(p.waves.map((w) => w.name), ['wave-02']);
});


test('a crash after the contact DN was cleared but before it was stamped: the marker keeps it and the stamp is planned', () => {
  const inv = scenario('cutover-partial');
  const fabrikam = inv.tenants['fabrikam']!;
  const dn = '/o=ExchangeLabs/cn=Recipients/cn=contact-alice';
  const users = fabrikam.users.map((u) => (u.marker ? { ...u, marker: { ...u.marker, contactLegacyDN: dn } } : u));
  const recipients = fabrikam.recipients.map((r) => (r.type === 'MailContact' ? { ...r, legacyExchangeDN: null } : r));
  const crashed = { ...inv, tenants: { ...inv.tenants, fabrikam: { ...fabrikam, users, recipients } } };
  const w = wave('wave-01', 'cutover', ['alice@contoso.com']);
  const p = buildPlan({ project: project([w]), inventory: crashed, revision: REVISION, now: NOW });
  const stamp = p.changes.find((c) => c.op === 'x500Addresses.add');
  assert.ok(stamp, 'the X500 stamp is still planned');
  assert.ok((stamp!.params['add'] as string[]).includes(`X500:${dn}`), 'with the contact DN kept in the marker');
});

test('a due delta sync plans one contentSync.delta per workload for synced users, and nothing when not due', () => {
  const w = wave('wave-01', 'synced', ['alice@contoso.com']);
  const due = buildPlan({ project: project([w]), inventory: scenario('synced'), revision: REVISION, now: NOW, deltaSyncWaves: ['wave-01'] });
  assert.equal(due.changes.map((c) => [c.op, c.params['pass']]), [['contentSync.delta', 'scheduled']]);
  assert.is(due.changes[0]!.summary, 'delta sync of mailbox alice@contoso.com -> alice@fabrikam.com');
  const idle = buildPlan({ project: project([w]), inventory: scenario('synced'), revision: REVISION, now: NOW });
  assert.equal(idle.changes, []);
  const prepared = buildPlan({ project: project([wave('wave-01', 'prepared', ['alice@contoso.com'])]), inventory: scenario('prepared'), revision: REVISION, now: NOW, deltaSyncWaves: ['wave-01'] });
  assert.not.ok(prepared.changes.some((c) => c.resource === 'contentSync'), 'no content sync before the initial one');
});

test.run();
