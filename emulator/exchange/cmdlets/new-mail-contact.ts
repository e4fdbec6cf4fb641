// New-MailContact: a contact routing to an external address; it gets a LegacyExchangeDN and answers
// to its addresses in the tenant (its primary SMTP is the external address unless given). Name and
// Alias hold at most 64 characters, DisplayName 256
// (https://learn.microsoft.com/powershell/module/exchange/new-mailcontact).
import { index } from '../../store/directory-state.js';
import { legacyDnFor, liveRecipients, newRecipient } from '../../store/exchange-state.js';
import type { Cmdlet, Params } from '../cmdlet.js';
import { invalidParameter, taskError, tooLong } from '../exchange-errors.js';
import { recipientView } from '../recipient-view.js';
import { changedAddresses, checkAddressesFree } from '../addresses.js';

export const newMailContact: Cmdlet = {
  name: 'New-MailContact',
  parameters: ['Name', 'ExternalEmailAddress', 'DisplayName', 'Alias', 'FirstName', 'LastName', 'PrimarySmtpAddress', 'OrganizationalUnit'],
  mandatory: ['Name', 'ExternalEmailAddress'],
  run: (ctx, p) => {
    const t = ctx.t;
    const name = p.str('Name');
    if (!name) throw invalidParameter('Name', 'The argument is null or empty.');
    checkLengths(p);
    const ext = (p.str('ExternalEmailAddress') ?? '').replace(/^smtp:/i, '');
    if (!/^[^@\s]+@[^@\s]+$/.test(ext)) throw invalidParameter('ExternalEmailAddress', `"${ext}" is not a valid SMTP address.`);
    if (liveRecipients(t).some((r) => r.name.toLowerCase() === name.toLowerCase())) {
      throw taskError(`The name "${name}" is already being used. Please try another name.`, 'Ex6D6E5C');
    }
    const alias = p.str('Alias') ?? (name.replace(/[^A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.]/g, '') || 'contact');
    const primary = p.str('PrimarySmtpAddress') ?? ext;
    const addresses = changedAddresses([], [`SMTP:${primary}`, ...(primary.toLowerCase() === ext.toLowerCase() ? [] : [`smtp:${ext}`])]);
    checkAddressesFree(t, { userId: '' }, addresses);
    const r = newRecipient(t, ctx.now, {
      type: 'MailContact',
      name,
      alias,
      displayName: p.str('DisplayName') ?? name,
      emailAddresses: addresses,
      externalEmailAddress: `SMTP:${ext}`,
      legacyExchangeDN: legacyDnFor(alias),
    });
    index(t, { id: r.guid, mail: null, proxyAddresses: r.emailAddresses });
    return [recipientView(t, r)];
  },
};

/** The length limits New-MailContact and Set-MailContact share. */
export function checkLengths(p: Params): void {
  for (const [param, max] of [['Name', 64], ['Alias', 64], ['DisplayName', 256]] as const) {
    const v = p.str(param);
    if (v && v.length > max) throw tooLong(param, max);
  }
}
