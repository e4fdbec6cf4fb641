// Disable-MailUser: the user stays in the directory, its Exchange attributes (addresses) go. A
// guest's mail user (GuestMailUser) is refused: Entra ID is its source of record, and it goes only
// with the guest (Remove-MailUser on one fails in Exchange Online; the emulator's error text is
// its own, the real one was not found).
import { getUser, updateUser } from '../../store/directory-state.js';
import { recipientTypeDetails, removeRecipient } from '../../store/exchange-state.js';
import type { Cmdlet } from '../cmdlet.js';
import { taskError } from '../exchange-errors.js';
import { resolveRecipient } from '../identity.js';

export const disableMailUser: Cmdlet = {
  name: 'Disable-MailUser',
  parameters: ['Identity', 'IgnoreLegalHold', 'PreserveEmailAddresses'],
  mandatory: ['Identity'],
  run: (ctx, p) => {
    const r = resolveRecipient(ctx.t, p.str('Identity')!, ['MailUser']);
    if (recipientTypeDetails(ctx.t, r) === 'GuestMailUser') {
      throw taskError(`The mail user "${r.name}" belongs to a guest user of Microsoft Entra ID; it is removed with the guest, not disabled.`, 'Ex5B1D0E');
    }
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
