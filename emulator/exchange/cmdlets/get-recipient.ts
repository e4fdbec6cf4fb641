import type { Cmdlet } from '../cmdlet.js';
import { GET_PARAMETERS, queryRecipients } from '../recipient-query.js';
import type { RecipientType } from '../../store/exchange-state.js';

const ALL: RecipientType[] = ['UserMailbox', 'MailUser', 'MailContact'];

export const getRecipient: Cmdlet = {
  name: 'Get-Recipient',
  parameters: [...GET_PARAMETERS, 'RecipientType'],
  run: (ctx, p) => {
    const rt = p.str('RecipientType');
    const types = rt ? ALL.filter((x) => rt.split(',').map((s) => s.trim().toLowerCase()).includes(x.toLowerCase())) : ALL;
    return queryRecipients(ctx, p, types);
  },
};
