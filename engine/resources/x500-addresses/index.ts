// x500Addresses: at cutover, the target contact's and the source mailbox's LegacyExchangeDN are
// stamped as X500 proxy addresses on the target user, so replies to old messages and cached
// autocomplete entries resolve to the moved user (reference/power365/004, target steps 7-8).
import { change, levelFor, targetIdentity } from '../change.js';
import { contactDnFromX500 } from '../target-contact/index.js';
import type { ResourceKind, UserRef } from '../types.js';

export interface X500Desired {
  readonly ref: UserRef;
  /** "X500:<dn>" values that must be on the target user. */
  readonly values: readonly string[];
}
export interface X500Actual {
  readonly ref: UserRef;
  /** t2t's X500 values present on the target user. */
  readonly present: readonly string[];
}

function x500(dn: string): string {
  return `X500:${dn}`;
}

/** The DNs t2t stamps for this user, from what the inventory shows (the contact DN may already
 *  be removed from the contact: then the marker keeps it, or it is the X500 on the target user). */
function candidates(user: Parameters<ResourceKind['actual']>[1]): string[] {
  const out: string[] = [];
  const sourceDn = user.sourceMailbox?.legacyExchangeDN ?? null;
  const contact = user.targetContact;
  const onTarget = [...(user.target?.proxyAddresses ?? []), ...(user.targetRecipient?.emailAddresses ?? [])];
  const contactDn =
    contact?.legacyExchangeDN ??
    user.marker?.contactLegacyDN ??
    (contact ? contactDnFromX500(onTarget, [sourceDn, user.targetRecipient?.legacyExchangeDN ?? null]) : null);
  if (contactDn) out.push(x500(contactDn));
  if (sourceDn) out.push(x500(sourceDn));
  return out;
}

function hasX500(l: readonly string[] | undefined): boolean {
  if (!l) return false;
  for (const p of l) if (p.length > 5 && (p.charCodeAt(0) | 32) === 120 && p.startsWith('500:', 1)) return true;
  return false;
}

export const x500Addresses: ResourceKind<X500Desired, X500Actual> = {
  key: 'x500Addresses',
  desired(_ctx, user, phase) {
    if (levelFor('x500Addresses', user, phase) === null) return undefined;
    const values = candidates(user);
    return values.length ? { ref: user.ref, values } : undefined;
  },
  actual(_ctx, user) {
    if (!user.target) return undefined;
    if (!hasX500(user.target.proxyAddresses) && !hasX500(user.targetRecipient?.emailAddresses)) return undefined;
    const have = new Set([...user.target.proxyAddresses, ...(user.targetRecipient?.emailAddresses ?? [])].map((p) => p.toLowerCase()));
    const present = candidates(user).filter((v) => have.has(v.toLowerCase()));
    return present.length ? { ref: user.ref, present } : undefined;
  },
  diff(d, a) {
    const present = new Set((a?.present ?? []).map((v) => v.toLowerCase()));
    if (d) {
      const add = d.values.filter((v) => !present.has(v.toLowerCase()));
      if (add.length === 0) return [];
      return [
        change({
          resource: 'x500Addresses',
          op: 'x500Addresses.add',
          action: 'update',
          reversibility: 'reversible',
          tenant: d.ref.targetTenant,
          summary: `stamp ${add.length} X500 address${add.length === 1 ? '' : 'es'} on ${d.ref.targetShown}`,
          params: { add, identity: targetIdentity(d.ref) },
          inverseOp: 'x500Addresses.remove',
        }),
      ];
    }
    if (a && a.present.length) {
      return [
        change({
          resource: 'x500Addresses',
          op: 'x500Addresses.remove',
          action: 'update',
          reversibility: 'reversible',
          tenant: a.ref.targetTenant,
          summary: `remove ${a.present.length} X500 address${a.present.length === 1 ? '' : 'es'} from ${a.ref.targetShown}`,
          params: { identity: targetIdentity(a.ref), remove: [...a.present] },
          inverseOp: 'x500Addresses.add',
        }),
      ];
    }
    return [];
  },
  satisfied(d, a) {
    // the diff adds every desired value that is not present (case-insensitively)
    for (const v of d.values) {
      const l = v.toLowerCase();
      let found = false;
      for (const p of a?.present ?? []) {
        if (p.toLowerCase() === l) {
          found = true;
          break;
        }
      }
      if (!found) return false;
    }
    return true;
  },
};
