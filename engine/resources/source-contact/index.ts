// sourceContact: at cutover, a mail contact in the source pointing to the user's target address,
// for mail routing and free/busy from users still in the source. Tagged like the target contact.
import type { InventoryRecipient } from '../../inventory/model.js';
import { contactTag } from '../../matching/tenant-index.js';
import { bareAddress, change, levelFor, smtp } from '../change.js';
import type { ResourceChange, ResourceKind, UserRef } from '../types.js';

export interface SourceContactDesired {
  readonly ref: UserRef;
  readonly tag: string;
  readonly externalEmailAddress: string;
}
export interface SourceContactActual {
  readonly ref: UserRef;
  readonly contact: InventoryRecipient;
}

export const sourceContact: ResourceKind<SourceContactDesired, SourceContactActual> = {
  key: 'sourceContact',
  desired(_ctx, user, phase) {
    if (levelFor('sourceContact', user, phase) === null) return undefined;
    return { ref: user.ref, tag: contactTag(user.ref.sourceUserId), externalEmailAddress: smtp(user.ref.targetMail) };
  },
  actual(_ctx, user) {
    const c = user.sourceContact;
    return c ? { ref: user.ref, contact: c } : undefined;
  },
  diff(d, a): ResourceChange[] {
    if (d && !a) {
      return [
        change({
          resource: 'sourceContact',
          op: 'sourceContact.create',
          action: 'create',
          reversibility: 'reversible',
          tenant: d.ref.sourceTenant,
          summary: `create contact ${d.ref.displayName} <${d.ref.targetMail}> in the source for routing and free/busy`,
          params: { customAttribute15: d.tag, externalEmailAddress: d.externalEmailAddress, name: d.ref.displayName },
          inverseOp: 'sourceContact.delete',
        }),
      ];
    }
    if (d && a && bareAddress(a.contact.externalEmailAddress) !== bareAddress(d.externalEmailAddress)) {
      return [
        change({
          resource: 'sourceContact',
          op: 'sourceContact.update',
          action: 'update',
          reversibility: 'reversible',
          tenant: d.ref.sourceTenant,
          summary: `route source contact ${a.contact.name} to ${d.ref.targetMail}`,
          params: { externalEmailAddress: d.externalEmailAddress, identity: a.contact.identity, previous: a.contact.externalEmailAddress },
          inverseOp: 'sourceContact.update',
        }),
      ];
    }
    if (!d && a) {
      return [
        change({
          resource: 'sourceContact',
          op: 'sourceContact.delete',
          action: 'delete',
          // a contact made again is another object: a new LegacyExchangeDN, so replies to mail
          // sent to the old one bounce (SPEC section 4: not an exact inverse)
          reversibility: 'compensable',
          tenant: a.ref.sourceTenant,
          summary: `delete contact ${a.contact.name} <${a.ref.targetMail}> in the source`,
          params: { customAttribute15: a.contact.customAttribute15, externalEmailAddress: a.contact.externalEmailAddress, identity: a.contact.identity, name: a.contact.name },
          inverseOp: 'sourceContact.create',
        }),
      ];
    }
    return [];
  },
  satisfied(d, a) {
    return a !== undefined && bareAddress(a.contact.externalEmailAddress) === bareAddress(d.externalEmailAddress);
  },
};
