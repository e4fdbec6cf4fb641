// Exchange helpers the steps share: reading a recipient, the Set- cmdlet for its type, and mail
// contacts found (adopted) by t2t's CustomAttribute15 tag before one is ever created.
import { TenantError } from '../errors.js';
import type { TenantClient } from '../tenant/client.js';
import { bare, isAlreadyExists, isDryRunId, isNotFound, orMissing, readEventually } from './step-kit.js';
import type { StepContext } from './step-types.js';

export interface Recipient {
  Identity: string;
  Guid?: string;
  Name: string;
  RecipientType?: string;
  RecipientTypeDetails?: string;
  PrimarySmtpAddress?: string;
  EmailAddresses?: string[];
  ExternalEmailAddress?: string | null;
  LegacyExchangeDN?: string | null;
  HiddenFromAddressListsEnabled?: boolean;
  ForwardingSmtpAddress?: string | null;
  DeliverToMailboxAndForward?: boolean;
  CustomAttribute15?: string | null;
  [k: string]: unknown;
}

export function recipientType(r: Recipient): string {
  return String(r.RecipientTypeDetails ?? r.RecipientType ?? '');
}

export async function getRecipient(client: TenantClient, identity: string, cmdlet = 'Get-Recipient'): Promise<Recipient | undefined> {
  if (isDryRunId(identity)) return undefined;
  const found = await orMissing(client.exchange.invoke<Recipient>(cmdlet, { Identity: identity }));
  return found?.[0];
}

/** A recipient that should exist (a mailbox being provisioned, a mail user just enabled). */
export async function getRecipientEventually(ctx: StepContext, client: TenantClient, identity: string, cmdlet = 'Get-Recipient', waits?: number[]): Promise<Recipient | undefined> {
  return readEventually(ctx, () => getRecipient(client, identity, cmdlet), waits);
}

/** Set-Mailbox for a mailbox, Set-MailUser for a mail user, Set-MailContact for a contact. */
export function setCmdletFor(r: Recipient): string {
  const t = recipientType(r);
  if (t === 'UserMailbox') return 'Set-Mailbox';
  if (t === 'MailContact') return 'Set-MailContact';
  return 'Set-MailUser';
}

export function missingRecipient(ctx: StepContext, client: TenantClient, identity: string, what: string): TenantError {
  return new TenantError(
    `tenant '${client.name}': ${what} ${identity} of ${ctx.change.user || 'this change'} was not found in Exchange`,
    'apply.recipientMissing',
    { tenant: client.name, object: identity, status: 404, retryable: true },
    'Exchange may not have provisioned it yet: run apply again in a few minutes',
  );
}

// ---- mail contacts tagged CustomAttribute15 = "t2t:<source user id>" ----

function quote(v: string): string {
  return `'${v.replace(/'/g, "''")}'`;
}

export async function findContactByTag(client: TenantClient, tag: string): Promise<Recipient | undefined> {
  const found = await client.exchange.invoke<Recipient>('Get-MailContact', { Filter: `CustomAttribute15 -eq ${quote(tag)}`, ResultSize: 'Unlimited' });
  return found[0];
}

async function findContactByAddress(client: TenantClient, address: string): Promise<Recipient | undefined> {
  const found = await client.exchange.invoke<Recipient>('Get-MailContact', { Filter: `ExternalEmailAddress -eq ${quote(`SMTP:${address}`)}`, ResultSize: 'Unlimited' });
  return found.find((c) => bare(c.ExternalEmailAddress) === address.toLowerCase());
}

export interface ContactSpec {
  name: string;
  externalEmailAddress: string; // "SMTP:a@x"
  tag: string;
  hidden?: boolean;
  /** Discovery (just before apply) found no contact with this tag: create without looking first.
   *  An untagged contact with the address (a crash before tagging) still makes New-MailContact
   *  answer "already being used", and is then adopted. */
  knownAbsent?: boolean;
}

/**
 * The tagged contact exists and routes to the address: found by its tag, else adopted by its
 * external address (a create that crashed before it was tagged), else created and then tagged.
 * Returns what it did.
 */
export async function ensureContact(ctx: StepContext, client: TenantClient, spec: ContactSpec): Promise<string> {
  const address = bare(spec.externalEmailAddress);
  let contact: Recipient | undefined;
  let note = 'found tagged contact';
  if (!spec.knownAbsent) {
    contact = await findContactByTag(client, spec.tag);
    if (!contact) {
      contact = await findContactByAddress(client, address);
      note = 'adopted untagged contact with the same address';
    }
  }
  if (!contact) {
    const made = await createContact(ctx, client, spec, address);
    contact = made.contact;
    note = made.adopted ? 'adopted untagged contact with the same address' : 'created contact';
  }
  const id = contact.Guid ?? contact.Identity;
  const set: Record<string, unknown> = {};
  if ((contact.CustomAttribute15 ?? '') !== spec.tag) set.CustomAttribute15 = spec.tag;
  if (bare(contact.ExternalEmailAddress) !== address) set.ExternalEmailAddress = spec.externalEmailAddress;
  if (spec.hidden !== undefined && (contact.HiddenFromAddressListsEnabled ?? false) !== spec.hidden) set.HiddenFromAddressListsEnabled = spec.hidden;
  if (Object.keys(set).length) await client.exchange.invoke('Set-MailContact', { Identity: id, ...set });
  return note;
}

const NAME_TAKEN = /name .* already being used/i;

async function createContact(ctx: StepContext, client: TenantClient, spec: ContactSpec, address: string): Promise<{ contact: Recipient; adopted: boolean }> {
  // a display name another recipient already uses: the address makes it unique (no lookup for
  // that: if the contact were ours, the next New-MailContact would find its address taken)
  const names = contactNames(spec.name, address);
  let failure: unknown;
  for (const name of names) {
    try {
      const created = await client.exchange.invoke<Recipient>('New-MailContact', { ...name, ExternalEmailAddress: spec.externalEmailAddress }, { safe: false });
      if (created[0]) return { contact: created[0], adopted: false };
      break;
    } catch (e) {
      failure = e;
      if (NAME_TAKEN.test((e as Error).message)) continue;
      if (!isAlreadyExists(e) && !isUncertainCreate(e)) throw e;
      // the address is taken (our own earlier attempt, a crash before tagging) or the outcome is
      // unknown (a lost answer): adopt the contact holding the address
      break;
    }
  }
  const existing = await readEventually(ctx, () => findContactByAddress(client, address));
  if (existing) return { contact: existing, adopted: failure !== undefined };
  if (failure) throw failure;
  throw missingRecipient(ctx, client, address, 'new contact');
}

/** New-MailContact's Name holds at most 64 characters, its DisplayName 256
 *  (https://learn.microsoft.com/powershell/module/exchange/new-mailcontact). */
export const CONTACT_NAME_MAX = 64;
const CONTACT_DISPLAY_NAME_MAX = 256;

/**
 * The New-MailContact names to try in turn: the display name, then the display name with the
 * address (for a name another recipient holds). A Name that would be longer than Exchange takes is
 * cut (the address part kept whole when it fits), and the full text then goes in DisplayName, which
 * New-MailContact otherwise copies from Name.
 */
export function contactNames(name: string, address: string): Array<{ Name: string; DisplayName?: string }> {
  const suffix = ` (${address})`;
  const fit = (wanted: string, tail: string): { Name: string; DisplayName?: string } => {
    if (wanted.length <= CONTACT_NAME_MAX) return { Name: wanted };
    const head = wanted.slice(0, wanted.length - tail.length);
    const cut = tail.length < CONTACT_NAME_MAX ? `${head.slice(0, CONTACT_NAME_MAX - tail.length).trimEnd()}${tail}` : wanted.slice(0, CONTACT_NAME_MAX).trimEnd();
    return { Name: cut, DisplayName: wanted.slice(0, CONTACT_DISPLAY_NAME_MAX) };
  };
  const out = [fit(name, ''), fit(`${name}${suffix}`, suffix)];
  return out[1]!.Name === out[0]!.Name ? [out[0]!] : out;
}

function isUncertainCreate(e: unknown): boolean {
  const s = (e as { details?: { status?: number } }).details?.status;
  return s === undefined ? (e as { code?: string }).code === 'tenant.unreachable' : s >= 500 || s === 429;
}

/** Remove the tagged contact (by identity or tag); already gone is done. */
export async function removeContact(client: TenantClient, identity: string | undefined, tag: string | undefined): Promise<boolean> {
  let id = identity;
  if (tag) {
    const c = await findContactByTag(client, tag);
    if (!c) return false;
    id = c.Guid ?? c.Identity;
  }
  if (!id) return false;
  try {
    await client.exchange.invoke('Remove-MailContact', { Identity: id });
    return true;
  } catch (e) {
    if (isNotFound(e)) return false;
    throw e;
  }
}
