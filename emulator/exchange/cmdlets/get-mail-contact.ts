import type { Cmdlet } from '../cmdlet.js';
import { GET_PARAMETERS, queryRecipients } from '../recipient-query.js';

export const getMailContact: Cmdlet = {
  name: 'Get-MailContact',
  parameters: GET_PARAMETERS,
  run: (ctx, p) => queryRecipients(ctx, p, ['MailContact']),
};
