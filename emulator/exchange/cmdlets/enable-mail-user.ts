// Enable-MailUser -Identity <user> -ExternalEmailAddress <address>: the Graph user becomes a mail
// user (MEU) routing to the external address, with Exchange's addresses stamped on it.
import { getUser, updateUser } from '../../store/directory-state.js';
import { aliasOf, legacyDnFor, newRecipient, recipientOfUser, stampExchangeAddresses } from '../../store/exchange-state.js';
import type { Cmdlet } from '../cmdlet.js';
import { invalidParameter, taskError } from '../exchange-errors.js';
import { resolveUser } from '../identity.js';
import { recipientView } from '../recipient-view.js';
import { checkAddressesFree } from '../addresses.js';

export const enableMailUser: Cmdlet = {
  name: 'Enable-MailUser',
  parameters: ['Identity', 'ExternalEmailAddress', 'Alias', 'DisplayName', 'PrimarySmtpAddress'],
  mandatory: ['Identity', 'ExternalEmailAddress'],
  run: (ctx, p) => {
    const t = ctx.t;
    const u = resolveUser(t, p.str('Identity')!);
    if (recipientOfUser(t, u.id)) throw taskError(`The user "${u.userPrincipalName}" is already mail-enabled.`, 'Ex8F4C2A');
    const ext = (p.str('ExternalEmailAddress') ?? '').replace(/^smtp:/i, '');
    if (!/^[^@\s]+@[^@\s]+$/.test(ext)) throw invalidParameter('ExternalEmailAddress', `"${ext}" is not a valid SMTP address.`);
    const primary = p.str('PrimarySmtpAddress');
    if (primary) {
      checkAddressesFree(t, { userId: u.id }, [`SMTP:${primary}`]);
      updateUser(t, u, (x) => {
        x.proxyAddresses = [`SMTP:${primary}`, ...x.proxyAddresses.filter((a) => a.toLowerCase() !== `smtp:${primary.toLowerCase()}`).map((a) => (a.startsWith('SMTP:') ? `smtp:${a.slice(5)}` : a))];
        x.mail = primary;
      });
    }
    const alias = p.str('Alias') ?? aliasOf(u);
    if (p.str('Alias')) updateUser(t, u, (x) => (x.mailNickname = alias));
    stampExchangeAddresses(t, getUser(t, u.id)!);
    const r = newRecipient(t, ctx.now, {
      type: 'MailUser',
      userId: u.id,
      name: u.id,
      alias,
      displayName: p.str('DisplayName') ?? u.displayName,
      externalEmailAddress: `SMTP:${ext}`,
      legacyExchangeDN: legacyDnFor(alias),
    });
    return [recipientView(t, r)];
  },
};
