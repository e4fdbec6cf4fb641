// guestInvitation: guest profiles only, when the wave sets inviteGuests: the B2B invitation is
// sent once (reference/power365/002: preparing a guest never sends it by itself). One-way.
import { change, levelFor, targetIdentity } from '../change.js';
import type { ResourceKind, UserRef } from '../types.js';

export interface InvitationDesired {
  readonly ref: UserRef;
  readonly language: string | null;
  readonly messageFile: string | null;
  readonly message: string | null;
  readonly redirectUrl: string | null;
}
export interface InvitationActual {
  readonly ref: UserRef;
  readonly sentAt: string;
}

export const guestInvitation: ResourceKind<InvitationDesired, InvitationActual> = {
  key: 'guestInvitation',
  desired(ctx, user, phase) {
    if (levelFor('guestInvitation', user, phase) === null || !user.wave.inviteGuests) return undefined;
    // a guest already converted to a member is past invitations
    if (user.target && user.target.userType === 'Member') return undefined;
    const gi = user.profile.guestInvite;
    return {
      ref: user.ref,
      language: gi?.language ?? null,
      messageFile: gi?.messageFile ?? null,
      message: gi?.messageFile ? ctx.files[gi.messageFile] ?? null : null,
      redirectUrl: gi?.redirectUrl ?? null,
    };
  },
  actual(_ctx, user) {
    const at = user.marker?.invitationSentAt;
    return at ? { ref: user.ref, sentAt: at } : undefined;
  },
  diff(d, a) {
    if (!d || a) return [];
    return [
      change({
        resource: 'guestInvitation',
        op: 'guestInvitation.send',
        action: 'run',
        reversibility: 'one-way',
        tenant: d.ref.targetTenant,
        summary: `send guest invitation to ${d.ref.sourceAddress}`,
        params: {
          identity: targetIdentity(d.ref),
          inviteRedirectUrl: d.redirectUrl,
          invitedUserEmailAddress: d.ref.sourceAddress,
          language: d.language,
          message: d.message,
          messageFile: d.messageFile,
          sendInvitationMessage: true,
        },
        inverseOp: null,
      }),
    ];
  },
  satisfied(_d, a) {
    return a !== undefined;
  },
};
