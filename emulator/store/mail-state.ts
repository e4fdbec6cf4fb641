// Mail section: per-mailbox folders and items (primary and archive), import sessions.
// Owned by emulator/graph/mail*. STUB: the mail module fills this in.
export interface MailState {
  mailboxes: Record<string, unknown>;
}

export function emptyMail(): MailState {
  return { mailboxes: {} };
}

/** Create the mailbox's item store (default folders, archive if enabled) when Exchange
 *  provisions a mailbox for a licensed user. Idempotent. STUB until the mail module lands. */
export function ensureMailStore(t: { mail: MailState }, userId: string, options: { archive: boolean }): void {
  void options;
  t.mail.mailboxes[userId] ??= {};
}

/** Remove the item store when the mailbox is de-provisioned (after the retention period). */
export function dropMailStore(t: { mail: MailState }, userId: string): void {
  delete t.mail.mailboxes[userId];
}
