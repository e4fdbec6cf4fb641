import { removeRecipient } from '../../store/exchange-state.js';
import type { Cmdlet } from '../cmdlet.js';
import { resolveRecipient } from '../identity.js';

export const removeMailContact: Cmdlet = {
  name: 'Remove-MailContact',
  parameters: ['Identity'],
  mandatory: ['Identity'],
  run: (ctx, p) => {
    removeRecipient(ctx.t, resolveRecipient(ctx.t, p.str('Identity')!, ['MailContact']));
    return [];
  },
};
