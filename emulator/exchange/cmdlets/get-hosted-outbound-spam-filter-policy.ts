// Get-HostedOutboundSpamFilterPolicy: the tenant's Default outbound spam filter policy, whose
// AutoForwardingMode decides whether automatic forwarding to external addresses is allowed:
// Automatic (Exchange Online's default, now meaning blocked), On (allowed) or Off (blocked).
// The mode comes from the emulator config (tenant exchange.autoForwardingMode).
import type { Cmdlet } from '../cmdlet.js';
import { objectNotFound } from '../exchange-errors.js';

export const getHostedOutboundSpamFilterPolicy: Cmdlet = {
  name: 'Get-HostedOutboundSpamFilterPolicy',
  parameters: ['Identity'],
  run(ctx, p) {
    const identity = p.str('Identity');
    if (identity && identity.toLowerCase() !== 'default') throw objectNotFound(identity);
    const created = new Date(Date.UTC(2020, 0, 1)).toISOString();
    return [
      {
        Identity: 'Default',
        Name: 'Default',
        IsDefault: true,
        AutoForwardingMode: ctx.t.exchange.autoForwardingMode ?? 'Automatic',
        RecipientLimitExternalPerHour: 0,
        RecipientLimitInternalPerHour: 0,
        RecipientLimitPerDay: 0,
        ActionWhenThresholdReached: 'BlockUserForToday',
        BccSuspiciousOutboundMail: false,
        NotifyOutboundSpam: false,
        WhenCreated: created,
        WhenChanged: created,
      },
    ];
  },
};
