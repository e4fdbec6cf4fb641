// guestConversion: guest profiles only: at the first sync the B2B guest becomes an internal member
// (convertExternalToInternalMemberUser) with its target UPN, before licensing and content.
// Microsoft offers no way back: one-way, and kept when a wave goes back; back to prepared (a B2B
// guest, shown, no forwarding) the plan refuses the converted user (build-plan.ts, convertedGuestRefusal).
import { change, levelFor, targetIdentity } from '../change.js';
import type { ResourceKind, UserRef } from '../types.js';

export interface ConversionDesired {
  readonly ref: UserRef;
  readonly userPrincipalName: string;
  readonly mail: string;
}
export interface ConversionActual {
  readonly ref: UserRef;
  readonly userType: 'Member' | 'Guest';
}

export const guestConversion: ResourceKind<ConversionDesired, ConversionActual> = {
  key: 'guestConversion',
  desired(_ctx, user, phase) {
    if (levelFor('guestConversion', user, phase) === null) return undefined;
    return { ref: user.ref, userPrincipalName: user.ref.targetAddress, mail: user.ref.targetMail };
  },
  actual(_ctx, user) {
    return user.target ? { ref: user.ref, userType: user.target.userType } : undefined;
  },
  diff(d, a) {
    if (!d || a?.userType === 'Member') return [];
    return [
      change({
        resource: 'guestConversion',
        op: 'guestConversion.convert',
        action: 'update',
        reversibility: 'one-way',
        tenant: d.ref.targetTenant,
        summary: `convert guest ${d.ref.sourceAddress} to member ${d.userPrincipalName}`,
        params: { identity: targetIdentity(d.ref), mail: d.mail, userPrincipalName: d.userPrincipalName },
        inverseOp: null,
      }),
    ];
  },
  satisfied(_d, a) {
    return a?.userType === 'Member';
  },
};
