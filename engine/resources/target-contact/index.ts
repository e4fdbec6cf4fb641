// targetContact: a mail contact in the target, visible in the GAL, routing mail and free/busy to
// the source mailbox while the user has not moved (prepared, synced). Tagged CustomAttribute15
// "t2t:<source user id>" so t2t finds (adopts) its own contact. At cutover it is hidden and its
// LegacyExchangeDN removed (the value lives on as an X500 address of the target user).
import type { InventoryRecipient } from '../../inventory/model.js';
import { contactTag } from '../../matching/tenant-index.js';
import { bareAddress, change, levelFor, smtp } from '../change.js';
import type { ResourceChange, ResourceKind, UserRef } from '../types.js';

export interface TargetContactDesired {
  readonly ref: UserRef;
  readonly tag: string;
  readonly externalEmailAddress: string;
  readonly hidden: boolean;
  readonly legacyDnCleared: boolean;
  /** The value a rollback puts back: the contact DN kept as X500 on the target user. */
  readonly restoreLegacyDN: string | null;
}

export interface TargetContactActual {
  readonly ref: UserRef;
  readonly contact: InventoryRecipient;
}

/** The contact's LegacyExchangeDN once removed from the contact: the X500 of the target user that
 *  is neither the source mailbox's DN nor the target user's own. */
export function contactDnFromX500(x500s: readonly string[], exclude: readonly (string | null)[]): string | null {
  const skip = new Set(exclude.filter((x): x is string => !!x).map((x) => x.toLowerCase()));
  for (const p of x500s) {
    if (!p.toLowerCase().startsWith('x500:')) continue;
    const v = p.slice(5);
    if (!skip.has(v.toLowerCase())) return v;
  }
  return null;
}

export const targetContact: ResourceKind<TargetContactDesired, TargetContactActual> = {
  key: 'targetContact',
  desired(_ctx, user, phase) {
    const l = levelFor('targetContact', user, phase);
    if (l === null) return undefined;
    const tag = contactTag(user.ref.sourceUserId);
    const existing = user.targetContact;
    const needsRestore = l !== 'retired' && !!existing && !existing.legacyExchangeDN;
    const x500s = needsRestore ? [...(user.target?.proxyAddresses ?? []), ...(user.targetRecipient?.emailAddresses ?? [])] : [];
    return {
      ref: user.ref,
      tag,
      externalEmailAddress: smtp(user.ref.sourceAddress),
      hidden: l === 'retired',
      legacyDnCleared: l === 'retired',
      restoreLegacyDN: needsRestore ? contactDnFromX500(x500s, [user.sourceMailbox?.legacyExchangeDN ?? null, user.targetRecipient?.legacyExchangeDN ?? null]) : null,
    };
  },
  actual(_ctx, user) {
    const c = user.targetContact;
    return c ? { ref: user.ref, contact: c } : undefined;
  },
  diff(d, a) {
    const out: ResourceChange[] = [];
    if (d && !a) {
      // a contact that does not exist at cutover needs no retiring
      if (d.hidden) return [];
      out.push(
        change({
          resource: 'targetContact',
          op: 'targetContact.create',
          action: 'create',
          reversibility: 'reversible',
          tenant: d.ref.targetTenant,
          summary: `create contact ${d.ref.displayName} <${d.ref.sourceAddress}> routing to the source mailbox`,
          params: {
            customAttribute15: d.tag,
            externalEmailAddress: d.externalEmailAddress,
            hiddenFromAddressListsEnabled: false,
            name: d.ref.displayName,
          },
          inverseOp: 'targetContact.delete',
        }),
      );
      return out;
    }
    if (d && a) {
      const c = a.contact;
      if (bareAddress(c.externalEmailAddress) !== bareAddress(d.externalEmailAddress)) {
        out.push(
          change({
            resource: 'targetContact',
            op: 'targetContact.update',
            action: 'update',
            reversibility: 'reversible',
            tenant: d.ref.targetTenant,
            summary: `route contact ${c.name} to ${d.ref.sourceAddress}`,
            params: { externalEmailAddress: d.externalEmailAddress, identity: c.identity, previous: c.externalEmailAddress },
            inverseOp: 'targetContact.update',
          }),
        );
      }
      if (c.hiddenFromAddressListsEnabled !== d.hidden) {
        out.push(
          change({
            resource: 'targetContact',
            op: d.hidden ? 'targetContact.hide' : 'targetContact.show',
            action: 'update',
            reversibility: 'reversible',
            tenant: d.ref.targetTenant,
            summary: `${d.hidden ? 'hide' : 'unhide'} contact ${c.name} <${d.ref.sourceAddress}>`,
            params: { hiddenFromAddressListsEnabled: d.hidden, identity: c.identity },
            inverseOp: d.hidden ? 'targetContact.show' : 'targetContact.hide',
          }),
        );
      }
      if (d.legacyDnCleared && c.legacyExchangeDN) {
        out.push(
          change({
            resource: 'targetContact',
            op: 'targetContact.clearLegacyDN',
            action: 'update',
            reversibility: 'reversible',
            tenant: d.ref.targetTenant,
            summary: `remove LegacyExchangeDN of contact ${c.name}`,
            params: { identity: c.identity, legacyExchangeDN: null, previous: c.legacyExchangeDN },
            inverseOp: 'targetContact.restoreLegacyDN',
          }),
        );
      }
      if (!d.legacyDnCleared && !c.legacyExchangeDN) {
        out.push(
          change({
            resource: 'targetContact',
            op: 'targetContact.restoreLegacyDN',
            action: 'update',
            // without the old value Exchange assigns a new DN: replies to old items then need the X500
            reversibility: d.restoreLegacyDN ? 'reversible' : 'compensable',
            tenant: d.ref.targetTenant,
            summary: `restore LegacyExchangeDN of contact ${c.name}`,
            params: { identity: c.identity, legacyExchangeDN: d.restoreLegacyDN },
            inverseOp: 'targetContact.clearLegacyDN',
          }),
        );
      }
      return out;
    }
    if (!d && a) {
      return [
        change({
          resource: 'targetContact',
          op: 'targetContact.delete',
          action: 'delete',
          // a contact made again is another object: a new LegacyExchangeDN, so replies to mail
          // sent to the old one bounce (SPEC section 4: not an exact inverse)
          reversibility: 'compensable',
          tenant: a.ref.targetTenant,
          summary: `delete contact ${a.contact.name} <${a.ref.sourceAddress}>`,
          params: {
            customAttribute15: a.contact.customAttribute15,
            externalEmailAddress: a.contact.externalEmailAddress,
            identity: a.contact.identity,
            name: a.contact.name,
          },
          inverseOp: 'targetContact.create',
        }),
      ];
    }
    return out;
  },
  satisfied(d, a) {
    if (!a) return d.hidden;
    const c = a.contact;
    return (
      bareAddress(c.externalEmailAddress) === bareAddress(d.externalEmailAddress) &&
      c.hiddenFromAddressListsEnabled === d.hidden &&
      !(d.legacyDnCleared && c.legacyExchangeDN) &&
      !(!d.legacyDnCleared && !c.legacyExchangeDN)
    );
  },
};
