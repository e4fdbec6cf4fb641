// Get-MailboxStatistics: item count and size of a mailbox (or, with -Archive, its archive), in
// Exchange Online's output shape: TotalItemSize as "1.234 MB (1,293,942 bytes)".
import type { Cmdlet } from '../cmdlet.js';
import { resolveRecipient } from '../identity.js';
import { taskError } from '../exchange-errors.js';
import { liveMessages, userMailbox } from '../../store/mail-state.js';

export const getMailboxStatistics: Cmdlet = {
  name: 'Get-MailboxStatistics',
  parameters: ['Identity', 'Archive', 'IncludeSoftDeletedRecipients'],
  mandatory: ['Identity'],
  run(ctx, p) {
    const recipient = resolveRecipient(ctx.t, p.str('Identity')!, ['UserMailbox']);
    const box = recipient.userId ? userMailbox(ctx.t, recipient.userId) : undefined;
    const store = p.bool('Archive') ? box?.archive : box?.primary;
    if (!store) {
      throw taskError(p.bool('Archive') ? `The mailbox '${p.str('Identity')}' has no archive.` : `The mailbox '${p.str('Identity')}' has no mailbox store.`);
    }
    const items = liveMessages(store, undefined, ctx.now);
    const bytes = items.reduce((sum, m) => sum + m.size, 0);
    return [
      {
        DisplayName: recipient.displayName ?? recipient.name,
        MailboxGuid: store.mailboxId,
        ItemCount: items.length,
        TotalItemSize: formatByteQuantity(bytes),
        DeletedItemCount: 0,
        TotalDeletedItemSize: formatByteQuantity(0),
        IsArchiveMailbox: store.kind === 'archive',
      },
    ];
  },
};

/** Exchange's ByteQuantifiedSize text: "12.5 KB (12,800 bytes)". */
export function formatByteQuantity(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const shown = unit === 0 ? String(bytes) : value.toFixed(3).replace(/\.?0+$/, '');
  return `${shown} ${units[unit]} (${bytes.toLocaleString('en-US')} bytes)`;
}
