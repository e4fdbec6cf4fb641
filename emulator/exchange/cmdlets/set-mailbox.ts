// Set-Mailbox: visibility, forwarding, addresses, custom attributes. LegacyExchangeDN is read-only
// (Set-Mailbox has no such parameter: the call fails with a parameter binding error).
import { snapshotForLag } from '../../core/lag.js';
import { touchRecipient } from '../../store/exchange-state.js';
import type { Cmdlet } from '../cmdlet.js';
import { invalidParameter } from '../exchange-errors.js';
import { resolveRecipient } from '../identity.js';
import { COMMON_SET_PARAMETERS, applyCommonSetters } from '../recipient-setters.js';

export const setMailbox: Cmdlet = {
  name: 'Set-Mailbox',
  parameters: [...COMMON_SET_PARAMETERS, 'ForwardingSmtpAddress', 'DeliverToMailboxAndForward', 'ForwardingAddress'],
  mandatory: ['Identity'],
  run: (ctx, p) => {
    const r = resolveRecipient(ctx.t, p.str('Identity')!, ['UserMailbox']);
    const before = snapshotForLag(r);
    const fwd = p.str('ForwardingSmtpAddress');
    if (fwd && !/^(smtp:)?[^@\s]+@[^@\s]+$/i.test(fwd)) throw invalidParameter('ForwardingSmtpAddress', `"${fwd}" is not a valid SMTP address.`);
    const deliver = p.bool('DeliverToMailboxAndForward');
    applyCommonSetters(ctx, r, p);
    if (fwd !== undefined) r.forwardingSmtpAddress = fwd ? `smtp:${fwd.replace(/^smtp:/i, '')}` : null;
    if (deliver !== undefined) r.deliverToMailboxAndForward = deliver;
    touchRecipient(ctx.t, r, ctx.now, before);
    return [];
  },
};
