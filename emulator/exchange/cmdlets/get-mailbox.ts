import type { Cmdlet } from '../cmdlet.js';
import { GET_PARAMETERS, queryRecipients } from '../recipient-query.js';

export const getMailbox: Cmdlet = {
  name: 'Get-Mailbox',
  parameters: [...GET_PARAMETERS, 'Archive', 'SoftDeletedMailbox', 'InactiveMailboxOnly'],
  run: (ctx, p) => queryRecipients(ctx, p, ['UserMailbox']),
};
