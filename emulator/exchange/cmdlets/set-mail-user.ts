// Set-MailUser: ExternalEmailAddress, EmailAddresses (X500s for native moves), visibility,
// ExchangeGuid/ArchiveGuid (the source mailbox's, before a cross-tenant move), custom attributes.
import { snapshotForLag } from '../../core/lag.js';
import { touchRecipient } from '../../store/exchange-state.js';
import type { Cmdlet } from '../cmdlet.js';
import { invalidParameter } from '../exchange-errors.js';
import { resolveRecipient } from '../identity.js';
import { applyEmailAddresses } from '../addresses.js';
import { COMMON_SET_PARAMETERS, applyCommonSetters } from '../recipient-setters.js';

export const setMailUser: Cmdlet = {
  name: 'Set-MailUser',
  parameters: [...COMMON_SET_PARAMETERS, 'ExternalEmailAddress', 'ExchangeGuid', 'ArchiveGuid', 'PrimarySmtpAddress'],
  mandatory: ['Identity'],
  run: (ctx, p) => {
    const r = resolveRecipient(ctx.t, p.str('Identity')!, ['MailUser']);
    const before = snapshotForLag(r);
    const ext = p.str('ExternalEmailAddress');
    if (ext !== undefined && (!ext || !/^(smtp:)?[^@\s]+@[^@\s]+$/i.test(ext))) throw invalidParameter('ExternalEmailAddress', `"${ext ?? ''}" is not a valid SMTP address.`);
    const exchangeGuid = p.guid('ExchangeGuid');
    const archiveGuid = p.guid('ArchiveGuid');
    const primary = p.str('PrimarySmtpAddress');
    if (primary === null) throw invalidParameter('PrimarySmtpAddress', 'The argument is null or empty.');
    applyCommonSetters(ctx, r, p);
    // -PrimarySmtpAddress x is the same as adding SMTP:x (the old primary stays as smtp:).
    if (primary) applyEmailAddresses(ctx.t, r, { Add: [`SMTP:${primary}`] });
    if (ext) r.externalEmailAddress = `SMTP:${ext.replace(/^smtp:/i, '')}`;
    if (exchangeGuid !== undefined) r.exchangeGuid = exchangeGuid;
    if (archiveGuid !== undefined) r.archiveGuid = archiveGuid;
    touchRecipient(ctx.t, r, ctx.now, before);
    return [];
  },
};
