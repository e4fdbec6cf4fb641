// targetVisibility before Exchange shows the target's recipient: a B2B guest gets a GuestMailUser
// hidden from the address lists, so a guest profile plans the unhide with the guest; a member's
// mail user is created visible by the enable step, so nothing is planned for it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { targetVisibility } from '../../engine/resources/target-visibility/index.js';
import type { PlanContext, UserContext } from '../../engine/resources/types.js';
import { guest, mailUserRecipient, profile, user } from '../fixtures/inventories/builders.js';

const ref = { targetTenant: 'fabrikam', targetUserId: null, targetAddress: 'peggy@fabrikam.com' };
const ctx = {} as PlanContext;
function context(over: Partial<UserContext>): UserContext {
  return { ref, profile: profile({ createAs: 'guest' }), ...over } as unknown as UserContext;
}
const ops = (u: UserContext) => targetVisibility.diff(targetVisibility.desired(ctx, u, 'prepared'), targetVisibility.actual(ctx, u)).map((c) => c.op);

test('a guest to be created, or one without a recipient yet, is planned as hidden: unhide', () => {
  assert.equal(ops(context({})), ['targetVisibility.show']);
  assert.equal(ops(context({ target: guest('peggy_contoso.com#EXT#@fabrikam.onmicrosoft.com') })), ['targetVisibility.show']);
});

test('a recipient, when there is one, says whether it is hidden', () => {
  const g = guest('peggy_contoso.com#EXT#@fabrikam.onmicrosoft.com');
  assert.equal(ops(context({ target: g, targetRecipient: mailUserRecipient(g, 'peggy@contoso.com', { hiddenFromAddressListsEnabled: true }) })), ['targetVisibility.show']);
  assert.equal(ops(context({ target: g, targetRecipient: mailUserRecipient(g, 'peggy@contoso.com', { hiddenFromAddressListsEnabled: false }) })), []);
});

test('a member (a converted guest, or a member profile) without a recipient is not assumed hidden', () => {
  assert.equal(ops(context({ target: user('peggy@fabrikam.com') })), []);
  const member = context({ profile: profile({ createAs: 'member' }) });
  assert.equal(targetVisibility.actual(ctx, member), undefined);
});

test.run();
