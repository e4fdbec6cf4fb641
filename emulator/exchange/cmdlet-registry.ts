// The cmdlets the emulator serves, by name (case-insensitive, as PowerShell resolves them).
import type { Cmdlet } from './cmdlet.js';
import { disableMailUser } from './cmdlets/disable-mail-user.js';
import { enableMailUser } from './cmdlets/enable-mail-user.js';
import { getMailContact } from './cmdlets/get-mail-contact.js';
import { getMailUser } from './cmdlets/get-mail-user.js';
import { getMailbox } from './cmdlets/get-mailbox.js';
import { getMailboxStatistics } from './cmdlets/get-mailbox-statistics.js';
import { getHostedOutboundSpamFilterPolicy } from './cmdlets/get-hosted-outbound-spam-filter-policy.js';
import { getRecipient } from './cmdlets/get-recipient.js';
import { newMailContact } from './cmdlets/new-mail-contact.js';
import { removeMailContact } from './cmdlets/remove-mail-contact.js';
import { setMailContact } from './cmdlets/set-mail-contact.js';
import { setMailUser } from './cmdlets/set-mail-user.js';
import { setMailbox } from './cmdlets/set-mailbox.js';

const ALL: Cmdlet[] = [
  getMailbox, setMailbox, getMailboxStatistics,
  getMailUser, enableMailUser, setMailUser, disableMailUser,
  getMailContact, newMailContact, setMailContact, removeMailContact,
  getRecipient,
  getHostedOutboundSpamFilterPolicy,
];

const BY_NAME = new Map(ALL.map((c) => [c.name.toLowerCase(), c]));

export function findCmdlet(name: string): Cmdlet | undefined {
  return BY_NAME.get(name.toLowerCase());
}

export const CMDLET_NAMES = ALL.map((c) => c.name);
