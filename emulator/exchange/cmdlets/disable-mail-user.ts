// Disable-MailUser: the user stays in the directory, its Exchange attributes (addresses) go.
import { getUser, updateUser } from '../../store/directory-state.js';
import { removeRecipient } from '../../store/exchange-state.js';
import type { Cmdlet } from '../cmdlet.js';
import { resolveRecipient } from '../identity.js';

export const disableMailUser: Cmdlet = {
  name: 'Disable-MailUser',
  parameters: ['Identity', 'IgnoreLegalHold', 'PreserveEmailAddresses'],
  mandatory: ['Identity'],
  run: (ctx, p) => {
    const r = resolveRecipient(ctx.t, p.str('Identity')!, ['MailUser']);
    const u = r.userId ? getUser(ctx.t, r.userId) : undefined;
    removeRecipient(ctx.t, r);
    if (u && !p.bool('PreserveEmailAddresses')) {
      updateUser(ctx.t, u, (x) => {
        x.proxyAddresses = [];
        x.mail = null;
      });
    }
    return [];
  },
};
