import type { Cmdlet } from '../cmdlet.js';
import { GET_PARAMETERS, queryRecipients } from '../recipient-query.js';

export const getMailUser: Cmdlet = {
  name: 'Get-MailUser',
  parameters: GET_PARAMETERS,
  run: (ctx, p) => queryRecipients(ctx, p, ['MailUser']),
};
