// Set-MailContact: visibility, addresses, external address, custom attributes (t2t tags its contacts
// with CustomAttribute15), and -LegacyExchangeDN $null. Clearing a contact's LegacyExchangeDN is an
// emulator convenience: Exchange Online has no cmdlet parameter for it (in the real world the DN is
// freed by removing the contact, or by editing the attribute in on-premises AD for synced contacts);
// it lets the cutover free the DN so it can be stamped as an X500 address on the target user.
import { snapshotForLag } from '../../core/lag.js';
import { touchRecipient } from '../../store/exchange-state.js';
import type { Cmdlet } from '../cmdlet.js';
import { invalidParameter } from '../exchange-errors.js';
import { resolveRecipient } from '../identity.js';
import { COMMON_SET_PARAMETERS, applyCommonSetters } from '../recipient-setters.js';
import { checkLengths } from './new-mail-contact.js';

export const setMailContact: Cmdlet = {
  name: 'Set-MailContact',
  parameters: [...COMMON_SET_PARAMETERS, 'ExternalEmailAddress', 'LegacyExchangeDN', 'Name', 'Alias'],
  mandatory: ['Identity'],
  run: (ctx, p) => {
    const r = resolveRecipient(ctx.t, p.str('Identity')!, ['MailContact']);
    checkLengths(p);
    const before = snapshotForLag(r);
    const ext = p.str('ExternalEmailAddress');
    if (ext !== undefined && (!ext || !/^(smtp:)?[^@\s]+@[^@\s]+$/i.test(ext))) throw invalidParameter('ExternalEmailAddress', `"${ext ?? ''}" is not a valid SMTP address.`);
    applyCommonSetters(ctx, r, p);
    if (ext) r.externalEmailAddress = `SMTP:${ext.replace(/^smtp:/i, '')}`;
    if (p.has('LegacyExchangeDN')) r.legacyExchangeDN = p.str('LegacyExchangeDN') ?? null;
    const name = p.str('Name');
    if (name) r.name = name;
    const alias = p.str('Alias');
    if (alias) r.alias = alias;
    touchRecipient(ctx.t, r, ctx.now, before);
    return [];
  },
};
