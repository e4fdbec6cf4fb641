// notification: the cutover e-mail to the user, from the profile. One-way: the point of no return
// (once sent, plan refuses to roll the user back). Ordered after every other cutover step.
import { change, levelFor } from '../change.js';
import type { ResourceKind, UserRef } from '../types.js';

export interface NotificationDesired {
  readonly ref: UserRef;
  readonly from: string;
  readonly subject: string;
  readonly bodyFile: string;
  readonly body: string | null;
}
export interface NotificationActual {
  readonly ref: UserRef;
  readonly sentAt: string;
}

export const notification: ResourceKind<NotificationDesired, NotificationActual> = {
  key: 'notification',
  desired(ctx, user, phase) {
    const n = user.profile.notification;
    if (levelFor('notification', user, phase) === null || !n) return undefined;
    return { ref: user.ref, from: n.from, subject: n.subject, bodyFile: n.bodyFile, body: ctx.files[n.bodyFile] ?? null };
  },
  actual(_ctx, user) {
    const at = user.marker?.notificationSentAt;
    return at ? { ref: user.ref, sentAt: at } : undefined;
  },
  diff(d, a) {
    if (!d || a) return [];
    return [
      change({
        resource: 'notification',
        op: 'notification.send',
        action: 'run',
        reversibility: 'one-way',
        tenant: d.ref.targetTenant,
        summary: `send cutover notification to ${d.ref.targetMail} (point of no return)`,
        params: { body: d.body, bodyFile: d.bodyFile, from: d.from, subject: d.subject, to: d.ref.targetMail },
        inverseOp: null,
      }),
    ];
  },
  satisfied(_d, a) {
    return a !== undefined;
  },
};
