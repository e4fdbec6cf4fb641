import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { scenario } from '../fixtures/inventories/scenario.js';
import { NOW, profile, project, REVISION, wave } from '../fixtures/inventories/builders.js';
import { analyse } from '../../engine/plan/build-plan.js';
import { graph, planFor } from './helpers.js';
import type { Inventory } from '../../engine/inventory/model.js';

test('discovered -> prepared: create user, MEU, hide, routing contact, then the marker', () => {
  const p = planFor(scenario('discovered'), 'prepared');
  assert.equal(graph(p), [
    'targetUser.create',
    'mailUser.enable <- targetUser.create',
    'targetVisibility.hide <- mailUser.enable',
    'targetContact.create <- mailUser.enable',
    'marker.create <- targetVisibility.hide, targetContact.create',
  ]);
  const create = p.changes[0]!;
  assert.is(create.summary, 'create user alice@fabrikam.com');
  assert.equal(create.params['marker'], { sourceTenant: 'contoso', sourceUserId: 'src-alice', wave: 'wave-01', createdByT2t: true });
  assert.is(p.changes[1]!.params['externalEmailAddress'], 'SMTP:alice@contoso.com');
  assert.is(p.changes[3]!.params['customAttribute15'], 't2t:src-alice');
  assert.equal(p.waves[0]!.observed, { unmatched: 1 });
});

test('prepared -> synced: licence, forwarding to the source, initial sync, marker', () => {
  const p = planFor(scenario('prepared'), 'synced');
  assert.equal(graph(p), [
    'license.assign',
    'targetForwarding.set <- license.assign',
    'contentSync.initial <- targetForwarding.set',
    'marker.update <- contentSync.initial',
  ]);
  assert.is(p.changes[0]!.summary, 'assign licence EXCHANGESTANDARD to alice@fabrikam.com');
  assert.is(p.changes[1]!.params['forwardingSmtpAddress'], 'smtp:alice@contoso.com');
  assert.equal(p.waves[0]!.observed, { prepared: 1 });
});

test('synced -> cutover: the cutover sequence, target side then source side, notification last', () => {
  const p = planFor(scenario('synced'), 'cutover', {
    profiles: { standard: profile({ notification: { from: 'it@fabrikam.com', subject: 'Moved', bodyFile: 'templates/cutover.html' } }) },
  });
  assert.equal(graph(p), [
    'marker.startCutover',
    'contentSync.delta <- marker.startCutover',
    'targetVisibility.show <- contentSync.delta',
    'targetContact.hide <- contentSync.delta',
    'targetForwarding.remove <- contentSync.delta',
    'x500Addresses.add <- targetVisibility.show, targetContact.hide, targetForwarding.remove',
    'targetContact.clearLegacyDN <- x500Addresses.add',
    'sourceVisibility.hide <- targetContact.clearLegacyDN',
    'sourceForwarding.set <- targetContact.clearLegacyDN',
    'sourceContact.create <- targetContact.clearLegacyDN',
    'contentSync.secondDelta <- sourceVisibility.hide, sourceForwarding.set, sourceContact.create',
    'notification.send <- contentSync.secondDelta',
    'serviceAccountCleanup.run <- notification.send',
    'marker.update <- serviceAccountCleanup.run',
  ]);
  const x500 = p.changes.find((c) => c.op === 'x500Addresses.add')!;
  assert.equal(x500.params['add'], ['X500:/o=ExchangeLabs/cn=Recipients/cn=contact-alice', 'X500:/o=ExchangeLabs/ou=Exchange Administrative Group/cn=Recipients/cn=src-alice']);
  const n = p.changes.find((c) => c.op === 'notification.send')!;
  assert.is(n.reversibility, 'one-way');
  assert.is(n.params['to'], 'alice@fabrikam.com');
  assert.is(p.changes.find((c) => c.op === 'sourceVisibility.hide')!.summary, 'hide mailbox alice@contoso.com');
  assert.is(p.changes.find((c) => c.op === 'sourceForwarding.set')!.tenant, 'contoso');
});


test('cutover-partial -> synced: the inverses of the done cutover steps, in reverse, marker cleared last', () => {
  const p = planFor(scenario('cutover-partial'), 'synced');
  assert.equal(graph(p), ['targetVisibility.hide', 'targetContact.show', 'targetForwarding.set', 'marker.update <- targetVisibility.hide, targetContact.show, targetForwarding.set']);
  assert.is(p.changes[3]!.params['cutoverStartedAt'], null);
  assert.is(p.changes[3]!.params['phase'], 'synced');
  assert.equal(p.waves[0]!.observed, { 'cutover-partial': 1 });
});

test('a full cutover without a notification rolls back to synced in exact reverse order', () => {
  const p = planFor(scenario('cutover', { notificationSent: false }), 'synced');
  assert.equal(graph(p), [
    'sourceVisibility.show',
    'sourceForwarding.remove',
    'sourceContact.delete',
    'targetContact.restoreLegacyDN <- sourceVisibility.show, sourceForwarding.remove, sourceContact.delete',
    'x500Addresses.remove <- targetContact.restoreLegacyDN',
    'targetVisibility.hide <- x500Addresses.remove',
    'targetContact.show <- x500Addresses.remove',
    'targetForwarding.set <- x500Addresses.remove',
    'marker.update <- targetVisibility.hide, targetContact.show, targetForwarding.set',
  ]);
  // the contact DN comes back from the X500 kept on the target user
  assert.is(p.changes[3]!.params['legacyExchangeDN'], '/o=ExchangeLabs/cn=Recipients/cn=contact-alice');
});

test('synced -> prepared: forwarding removed; licence and content kept as orphans (no prune)', () => {
  const p = planFor(scenario('synced'), 'prepared');
  assert.equal(graph(p), ['targetForwarding.remove', 'marker.update <- targetForwarding.remove']);
  assert.equal(p.orphans.map((o) => [o.resource, o.object]), [
    ['license', 'licence EXCHANGESTANDARD of alice@fabrikam.com'],
    ['contentSync', 'synced content of alice@fabrikam.com: mailbox (100 items, 1.9 MiB)'],
  ]);
});

test('synced -> prepared with prune: content deleted (one-way) and licence removed, when maxDeletes allows', () => {
  const p = planFor(scenario('synced'), 'prepared', { prune: true, safety: { maxDeletes: 1, maxFailureRate: 0.2, exclude: [] } });
  assert.equal(graph(p), ['contentSync.delete', 'targetForwarding.remove <- contentSync.delete', 'license.remove <- targetForwarding.remove', 'marker.update <- license.remove']);
  assert.is(p.changes[0]!.reversibility, 'one-way');
  assert.is(p.refusal, null);
  assert.equal(p.orphans, []);
});

/** The scenario with its target user adopted (matched, not created by t2t), its marker recording
 *  the licences t2t assigned, if any. */
function adopted(inv: Inventory, licensesAssigned?: string[]): Inventory {
  const t = inv.tenants['fabrikam']!;
  const users = t.users.map((u) => {
    if (!u.marker) return u;
    const { createdByT2t: _created, ...marker } = u.marker;
    return { ...u, marker: { ...marker, ...(licensesAssigned ? { licensesAssigned } : {}) } };
  });
  return { ...inv, tenants: { ...inv.tenants, fabrikam: { ...t, users } } };
}

test('synced -> prepared with prune: an adopted user keeps the licence t2t did not assign (its mailbox goes with it)', () => {
  const prune = { prune: true, safety: { maxDeletes: 1, maxFailureRate: 0.2, exclude: [] } };
  const own = planFor(adopted(scenario('synced')), 'prepared', prune);
  assert.not.ok(graph(own).some((c) => c.startsWith('license.remove')), graph(own).join('; '));
  assert.equal(
    own.orphans.filter((o) => o.resource === 'license').map((o) => [o.object, o.reason]),
    [['licence EXCHANGESTANDARD of alice@fabrikam.com', 'wave wave-01 went back to prepared; not created by t2t, so never deleted']],
  );
  // one its marker records t2t assigned is removed like any of a user t2t created
  const assigned = planFor(adopted(scenario('synced'), ['SKU-EXCHANGESTANDARD']), 'prepared', prune);
  const remove = assigned.changes.find((c) => c.op === 'license.remove');
  assert.ok(remove, graph(assigned).join('; '));
  assert.equal(remove!.params['skuIds'], ['sku-EXCHANGESTANDARD']);
});

test('prepared -> discovered without prune: contact deleted, target user kept as an orphan', () => {
  const p = planFor(scenario('prepared'), 'discovered');
  assert.equal(graph(p), ['targetContact.delete', 'marker.update <- targetContact.delete']);
  assert.equal(p.orphans.map((o) => [o.resource, o.object]), [['targetUser', 'target user alice@fabrikam.com']]);
  assert.is(p.summary.delete, 1);
  // made again, the contact would be another object (a new LegacyExchangeDN): no exact inverse
  assert.is(p.changes[0]!.reversibility, 'compensable');
  // t2t's own routing contact, no user data: not counted by maxDeletes (0 here), not refused
  assert.is(p.refusal, null);
});

test('prepared -> discovered with prune: contact then user deleted; nothing else on the deleted user', () => {
  const p = planFor(scenario('prepared'), 'discovered', { prune: true, safety: { maxDeletes: 5, maxFailureRate: 0.2, exclude: [] } });
  assert.equal(graph(p), ['targetContact.delete', 'targetUser.delete <- targetContact.delete']);
  assert.is(p.changes[1]!.reversibility, 'one-way');
  assert.equal(p.orphans, []);
});

test('cutover-partial -> discovered: the unhidden target user is hidden again before its contact goes, and kept', () => {
  const p = planFor(scenario('cutover-partial'), 'discovered');
  assert.equal(graph(p), ['targetVisibility.hide', 'targetContact.delete <- targetVisibility.hide', 'marker.update <- targetContact.delete']);
  assert.equal(p.orphans.map((o) => o.resource), ['targetUser', 'license', 'contentSync']);
  // applied: hidden, no contact, the marker at discovered; the next plan leaves the kept user alone
  const inv = scenario('cutover-partial');
  const fab = inv.tenants['fabrikam']!;
  const after: Inventory = {
    ...inv,
    tenants: {
      ...inv.tenants,
      fabrikam: {
        ...fab,
        users: fab.users.map(({ marker, ...u }) => {
          const { cutoverStartedAt: _cleared, ...rest } = marker!;
          return { ...u, marker: { ...rest, phase: 'discovered' as const } };
        }),
        recipients: fab.recipients.filter((r) => r.type !== 'MailContact').map((r) => ({ ...r, hiddenFromAddressListsEnabled: true })),
      },
    },
  };
  assert.equal(graph(planFor(after, 'discovered')), []);
});

test('a guest kept when its wave goes back to discovered is hidden again; one t2t never showed is left alone', () => {
  const guestProfile = { profiles: { standard: profile({ createAs: 'guest' }) } };
  const inv = scenario('prepared');
  const fab = inv.tenants['fabrikam']!;
  const asGuest = (hidden: boolean, phase: 'prepared' | 'discovered'): Inventory => ({
    ...inv,
    tenants: {
      ...inv.tenants,
      fabrikam: {
        ...fab,
        users: fab.users.map((u) => ({ ...u, userType: 'Guest', userPrincipalName: 'alice_contoso.com#EXT#@fabrikam.com', marker: { ...u.marker!, phase } })),
        recipients: fab.recipients.filter((r) => r.type !== 'MailContact').map((r) => ({ ...r, hiddenFromAddressListsEnabled: hidden })),
      },
    },
  });
  const back = planFor(asGuest(false, 'prepared'), 'discovered', guestProfile);
  assert.equal(graph(back), ['targetVisibility.hide', 'marker.update <- targetVisibility.hide']);
  assert.is(back.changes[0]!.summary, 'hide guest alice@contoso.com from the address lists');
  // applied: hidden, the marker at discovered: nothing more
  assert.equal(graph(planFor(asGuest(true, 'discovered'), 'discovered', guestProfile)), []);
});

/** A guest profile's user as the tenants show it after the sync: converted to a member, licensed,
 *  its mailbox shown in the address lists and forwarding to the source, no routing contact. */
function convertedGuest(over: { convertedAt?: string | null; markerPhase?: 'prepared' | 'synced' | 'discovered'; hidden?: boolean; forwarding?: boolean; licensed?: boolean } = {}): Inventory {
  const inv = scenario('synced');
  const fab = inv.tenants['fabrikam']!;
  const convertedAt = over.convertedAt === undefined ? '2026-05-01T00:00:00Z' : over.convertedAt;
  const licensed = over.licensed ?? true;
  return {
    ...inv,
    tenants: {
      ...inv.tenants,
      fabrikam: {
        ...fab,
        users: fab.users.map((u) => ({
          ...u,
          ...(licensed ? {} : { assignedSkuIds: [] }),
          marker: { ...u.marker!, phase: over.markerPhase ?? 'synced', ...(convertedAt !== null ? { guestConvertedAt: convertedAt } : {}) },
        })),
        recipients: fab.recipients
          .filter((r) => r.type !== 'MailContact')
          .map((r) =>
            licensed
              ? { ...r, hiddenFromAddressListsEnabled: over.hidden ?? false, forwardingSmtpAddress: over.forwarding === false ? null : r.forwardingSmtpAddress }
              : { ...r, type: 'MailUser' as const, hiddenFromAddressListsEnabled: over.hidden ?? false, forwardingSmtpAddress: null, exchangeGuid: null },
          ),
      },
    },
  };
}

test('a guest converted to a member is refused going back to prepared, with the reason; it stays as it is', () => {
  const guestProfile = { profiles: { standard: profile({ createAs: 'guest' }) } };
  // at synced the tenants match: nothing to do
  assert.equal(graph(planFor(convertedGuest(), 'synced', guestProfile)), []);

  const back = planFor(convertedGuest(), 'prepared', guestProfile);
  // before: the forwarding removed, the licensed mailbox left shown in the address lists
  assert.equal(back.changes, [], graph(back).join('; '));
  assert.equal(back.orphans, []);
  assert.is(back.refused.length, 1);
  assert.is(back.refused[0]!.user, 'alice@contoso.com');
  assert.match(back.refused[0]!.reason, /^cannot go back to prepared: the guest was converted to member alice@fabrikam\.com on 2026-05-01T00:00:00Z, which cannot be undone/);
  assert.match(back.refused[0]!.reason, /move the user to a wave at synced/);
  const status = analyse({ project: project([wave('wave-01', 'prepared', ['alice@contoso.com'])], guestProfile), inventory: convertedGuest(), revision: REVISION, now: NOW }).users[0]!;
  assert.equal(status.conditions.filter((c) => c.type === 'Blocked').map((c) => [c.reason, c.status]), [['GuestConverted', 'True']]);

  // converted by t2t, even where the marker does not record it yet (or never reached synced)
  assert.is(planFor(convertedGuest({ convertedAt: null }), 'prepared', guestProfile).refused.length, 1);
  assert.match(planFor(convertedGuest({ convertedAt: null }), 'prepared', guestProfile).refused[0]!.reason, /its target alice@fabrikam\.com is a member, no longer a guest/);
  assert.is(planFor(convertedGuest({ markerPhase: 'prepared', licensed: false }), 'prepared', guestProfile).refused.length, 1);
  // released at discovered (hidden, forwarding removed): going to prepared again is refused too,
  // where the plan would have shown the mailbox again
  const released = convertedGuest({ markerPhase: 'discovered', hidden: true, forwarding: false });
  assert.is(planFor(released, 'prepared', guestProfile).refused.length, 1);
  assert.equal(planFor(released, 'prepared', guestProfile).changes, []);
  // a member profile's user goes back to prepared as before
  assert.equal(planFor(scenario('synced'), 'prepared').refused, []);
});

test('a converted guest can be released to discovered: hidden, its forwarding removed, kept', () => {
  const guestProfile = { profiles: { standard: profile({ createAs: 'guest' }) } };
  const p = planFor(convertedGuest(), 'discovered', guestProfile);
  assert.equal(p.refused, []);
  assert.equal(graph(p), ['targetVisibility.hide', 'targetForwarding.remove <- targetVisibility.hide', 'marker.update <- targetForwarding.remove']);
  assert.equal(p.orphans.map((o) => o.resource), ['targetUser', 'license', 'contentSync']);
});

test('a guest profile user that is a member but was never converted nor synced by t2t is planned at prepared', () => {
  const guestProfile = { profiles: { standard: profile({ createAs: 'guest' }) } };
  const p = planFor(convertedGuest({ convertedAt: null, markerPhase: 'prepared', licensed: false }), 'prepared', guestProfile);
  assert.equal(p.refused, []);
  assert.equal(p.changes, []);
});

test('cutover-partial -> discovered with prune: the user is deleted, no separate hide', () => {
  const p = planFor(scenario('cutover-partial'), 'discovered', { prune: true, safety: { maxDeletes: 5, maxFailureRate: 0.2, exclude: [] } });
  assert.not.ok(graph(p).some((c) => c.startsWith('targetVisibility')), graph(p).join('; '));
  assert.ok(graph(p).some((c) => c.startsWith('targetUser.delete')), graph(p).join('; '));
});

test('prune never deletes a target user t2t adopted rather than created', () => {
  const inv = scenario('prepared');
  const fab = inv.tenants['fabrikam']!;
  const adopted = { ...inv, tenants: { ...inv.tenants, fabrikam: { ...fab, users: fab.users.map((u) => ({ ...u, marker: { ...u.marker!, createdByT2t: false } })) } } };
  const p = planFor(adopted, 'discovered', { prune: true, safety: { maxDeletes: 5, maxFailureRate: 0.2, exclude: [] } });
  assert.equal(graph(p), ['targetContact.delete', 'marker.update <- targetContact.delete']);
  assert.match(p.orphans[0]!.reason, /not created by t2t, so never deleted/);
});

test('the point of no return: after the notification, going back is refused with the reason', () => {
  const p = planFor(scenario('cutover'), 'synced');
  assert.equal(p.changes, []);
  assert.is(p.refused.length, 1);
  assert.is(p.refused[0]!.user, 'alice@contoso.com');
  assert.match(p.refused[0]!.reason, /notification was sent on 2026-06-01T01:00:00Z \(the point of no return\)/);
});

test('no change when the tenants already match every phase', () => {
  for (const stage of ['prepared', 'synced', 'cutover'] as const) {
    const p = planFor(scenario(stage), stage);
    assert.equal(graph(p), [], stage);
    assert.equal(p.summary, { create: 0, update: 0, delete: 0, run: 0 });
    assert.equal(p.waves[0]!.observed, { [stage]: 1 }, stage);
  }
  assert.equal(planFor(scenario('discovered'), 'discovered').changes, []);
});

test.run();
