// Steps of targetContact: the routing contact in the target (New-MailContact, then tagged with
// CustomAttribute15 "t2t:<source user id>"), its address, its visibility, its LegacyExchangeDN,
// and its removal. A contact is always looked up by its tag (and then by its address) before one
// is created, so a crash between New-MailContact and the tagging never leaves two contacts.
import type { TenantClient } from '../../tenant/client.js';
import { ensureContact, findContactByTag, getRecipient, removeContact, type Recipient } from '../../apply/exchange-kit.js';
import { bare, need, str } from '../../apply/step-kit.js';
import type { StepContext, StepMap } from '../../apply/step-types.js';

export async function createContactStep(ctx: StepContext, client: TenantClient) {
  const p = ctx.change.params;
  const note = await ensureContact(ctx, client, {
    name: need(ctx, 'name'),
    externalEmailAddress: need(ctx, 'externalEmailAddress'),
    tag: need(ctx, 'customAttribute15'),
    ...(typeof p['hiddenFromAddressListsEnabled'] === 'boolean' ? { hidden: p['hiddenFromAddressListsEnabled'] } : {}),
    // a create is planned only when discovery found no contact with the tag
    knownAbsent: ctx.change.op.endsWith('.create') && !ctx.dryRun,
  });
  return { note };
}

/** The contact the change names, or (it was recreated meanwhile) the one carrying the user's tag. */
async function contactOf(ctx: StepContext, client: TenantClient): Promise<Recipient | undefined> {
  const identity = str(ctx.change.params, 'identity');
  const byId = identity ? await getRecipient(client, identity, 'Get-MailContact') : undefined;
  if (byId) return byId;
  const tag = str(ctx.change.params, 'customAttribute15');
  return tag ? findContactByTag(client, tag) : undefined;
}

export async function updateContactStep(ctx: StepContext, client: TenantClient) {
  const ext = need(ctx, 'externalEmailAddress');
  const c = await contactOf(ctx, client);
  if (!c) return { note: 'contact not found: nothing to update' };
  if (bare(c.ExternalEmailAddress) === bare(ext)) return { note: 'already routes there' };
  await client.exchange.invoke('Set-MailContact', { Identity: c.Guid ?? c.Identity, ExternalEmailAddress: ext });
  return { note: `routes to ${bare(ext)}` };
}

async function setHidden(ctx: StepContext, hidden: boolean) {
  const c = await contactOf(ctx, ctx.tenant);
  if (!c) return { note: 'contact not found: nothing to change' };
  if ((c.HiddenFromAddressListsEnabled ?? false) === hidden) return { note: hidden ? 'already hidden' : 'already visible' };
  await ctx.tenant.exchange.invoke('Set-MailContact', { Identity: c.Guid ?? c.Identity, HiddenFromAddressListsEnabled: hidden });
  return { note: hidden ? 'contact hidden' : 'contact shown' };
}

async function clearLegacyDN(ctx: StepContext) {
  const c = await contactOf(ctx, ctx.tenant);
  if (!c || !c.LegacyExchangeDN) return { note: 'LegacyExchangeDN already removed' };
  await ctx.tenant.exchange.invoke('Set-MailContact', { Identity: c.Guid ?? c.Identity, LegacyExchangeDN: null });
  return { note: 'LegacyExchangeDN removed' };
}

async function restoreLegacyDN(ctx: StepContext) {
  const dn = str(ctx.change.params, 'legacyExchangeDN');
  const c = await contactOf(ctx, ctx.tenant);
  if (!c) return { note: 'contact not found: nothing to restore' };
  if (c.LegacyExchangeDN) return { note: 'the contact has a LegacyExchangeDN' };
  if (!dn) return { note: 'the old LegacyExchangeDN is unknown: it stays an X500 address of the target user' };
  await ctx.tenant.exchange.invoke('Set-MailContact', { Identity: c.Guid ?? c.Identity, LegacyExchangeDN: dn });
  return { note: 'LegacyExchangeDN restored' };
}

export async function deleteContactStep(ctx: StepContext, client: TenantClient) {
  const c = await contactOf(ctx, client);
  if (!c) return { note: 'already deleted' };
  const removed = await removeContact(client, c.Guid ?? c.Identity, undefined);
  return { note: removed ? 'contact deleted' : 'already deleted' };
}

export const targetContactSteps: StepMap = {
  'targetContact.create': (ctx) => createContactStep(ctx, ctx.tenant),
  'targetContact.update': (ctx) => updateContactStep(ctx, ctx.tenant),
  'targetContact.hide': (ctx) => setHidden(ctx, true),
  'targetContact.show': (ctx) => setHidden(ctx, false),
  'targetContact.clearLegacyDN': clearLegacyDN,
  'targetContact.restoreLegacyDN': restoreLegacyDN,
  'targetContact.delete': (ctx) => deleteContactStep(ctx, ctx.tenant),
};
