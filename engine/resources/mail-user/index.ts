// mailUser: the target user mail-enabled (MEU) with ExternalEmailAddress = the source primary
// SMTP address, so mail to the target user reaches the source mailbox until cutover. Once the
// user is licensed its recipient becomes a UserMailbox, which satisfies this kind as well.
import type { InventoryRecipient } from '../../inventory/model.js';
import { bareAddress, change, levelFor, smtp, targetIdentity } from '../change.js';
import type { ResourceKind, UserRef } from '../types.js';

export interface MailUserDesired {
  readonly ref: UserRef;
  readonly externalEmailAddress: string; // "SMTP:alice@contoso.com"
}
export interface MailUserActual {
  readonly ref: UserRef;
  readonly recipient: InventoryRecipient;
}

export const mailUser: ResourceKind<MailUserDesired, MailUserActual> = {
  key: 'mailUser',
  desired(_ctx, user, phase) {
    if (levelFor('mailUser', user, phase) === null) return undefined;
    return { ref: user.ref, externalEmailAddress: smtp(user.ref.sourceAddress) };
  },
  actual(_ctx, user) {
    return user.targetRecipient ? { ref: user.ref, recipient: user.targetRecipient } : undefined;
  },
  diff(d, a) {
    if (d && !a) {
      return [
        change({
          resource: 'mailUser',
          op: 'mailUser.enable',
          action: 'create',
          reversibility: 'reversible',
          tenant: d.ref.targetTenant,
          summary: `mail-enable ${d.ref.targetShown} (external address ${d.ref.sourceAddress})`,
          params: { externalEmailAddress: d.externalEmailAddress, identity: targetIdentity(d.ref), userPrincipalName: d.ref.targetAddress },
          inverseOp: 'mailUser.disable',
        }),
      ];
    }
    if (d && a && a.recipient.type === 'MailUser' && bareAddress(a.recipient.externalEmailAddress) !== bareAddress(d.externalEmailAddress)) {
      return [
        change({
          resource: 'mailUser',
          op: 'mailUser.update',
          action: 'update',
          reversibility: 'reversible',
          tenant: d.ref.targetTenant,
          summary: `set external address of ${d.ref.targetShown} to ${d.ref.sourceAddress}`,
          params: { externalEmailAddress: d.externalEmailAddress, identity: a.recipient.identity, previous: a.recipient.externalEmailAddress },
          inverseOp: 'mailUser.update',
        }),
      ];
    }
    if (!d && a && a.recipient.type === 'MailUser') {
      return [
        change({
          resource: 'mailUser',
          op: 'mailUser.disable',
          action: 'delete',
          reversibility: 'reversible',
          tenant: a.ref.targetTenant,
          summary: `mail-disable ${a.ref.targetShown}`,
          params: { externalEmailAddress: a.recipient.externalEmailAddress, identity: a.recipient.identity },
          inverseOp: 'mailUser.enable',
        }),
      ];
    }
    return [];
  },
  satisfied(d, a) {
    return a !== undefined && !(a.recipient.type === 'MailUser' && bareAddress(a.recipient.externalEmailAddress) !== bareAddress(d.externalEmailAddress));
  },
};
