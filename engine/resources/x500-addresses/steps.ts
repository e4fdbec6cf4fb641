// Steps of x500Addresses: stamp / unstamp X500 proxy addresses on the target user's recipient
// (Set-Mailbox or Set-MailUser -EmailAddresses @{Add=…} / @{Remove=…}).
//
// Exchange refuses an X500 address equal to another recipient's LegacyExchangeDN, and the routing
// contact still holds its DN when the planner stamps it (it stamps before clearing so the value is
// never lost). So when the contact tagged for this user holds the DN, the step first keeps the DN
// in the marker (contactLegacyDN), then clears it from the contact, then stamps it: a crash at any
// point leaves the value either on the contact, in the marker, or on the user, and a rerun of this
// step stamps a DN it finds in the marker.
import { addRemove } from '../../tenant/exchange.js';
import { contactTag } from '../../matching/tenant-index.js';
import { findContactByTag, getRecipientEventually, missingRecipient, setCmdletFor } from '../../apply/exchange-kit.js';
import { mergeMarker, readMarker } from '../../apply/marker-store.js';
import { strings, targetUserId } from '../../apply/step-kit.js';
import type { StepContext, StepMap } from '../../apply/step-types.js';

const lower = (xs: readonly string[]) => new Set(xs.map((x) => x.toLowerCase()));

async function add(ctx: StepContext) {
  const id = await targetUserId(ctx);
  const r = await getRecipientEventually(ctx, ctx.tenant, id);
  if (!r) {
    if (ctx.dryRun) return { note: 'recipient not created yet (dry run)' };
    throw missingRecipient(ctx, ctx.tenant, id, 'recipient of user');
  }
  const marker = await readMarker(ctx, id);
  const wanted = strings(ctx.change.params, 'add');
  const kept = typeof marker?.['contactLegacyDN'] === 'string' ? `X500:${marker['contactLegacyDN']}` : null;
  if (kept && !lower(wanted).has(kept.toLowerCase())) wanted.push(kept);
  const have = lower(r.EmailAddresses ?? []);
  const missing = wanted.filter((a) => !have.has(a.toLowerCase()));
  if (!missing.length) return { note: 'X500 addresses already stamped' };
  // the routing contact's own DN: move it contact -> marker -> user
  const sourceUserId = typeof marker?.sourceUserId === 'string' ? marker.sourceUserId : ctx.user.identity?.sourceUserId;
  const contact = sourceUserId ? await findContactByTag(ctx.tenant, contactTag(sourceUserId)) : undefined;
  const dn = contact?.LegacyExchangeDN;
  if (contact && dn && missing.some((a) => a.toLowerCase() === `x500:${dn.toLowerCase()}`)) {
    await mergeMarker(ctx, id, { contactLegacyDN: dn });
    await ctx.tenant.exchange.invoke('Set-MailContact', { Identity: contact.Guid ?? contact.Identity, LegacyExchangeDN: null });
  }
  await ctx.tenant.exchange.invoke(setCmdletFor(r), { Identity: id, EmailAddresses: addRemove({ add: missing }) });
  return { note: `stamped ${missing.length} X500 address${missing.length === 1 ? '' : 'es'}` };
}

async function remove(ctx: StepContext) {
  const id = await targetUserId(ctx);
  const r = await getRecipientEventually(ctx, ctx.tenant, id);
  if (!r) return { note: 'no recipient: nothing to remove' };
  const have = lower(r.EmailAddresses ?? []);
  const present = strings(ctx.change.params, 'remove').filter((a) => have.has(a.toLowerCase()));
  if (!present.length) return { note: 'X500 addresses already removed' };
  await ctx.tenant.exchange.invoke(setCmdletFor(r), { Identity: id, EmailAddresses: addRemove({ remove: present }) });
  return { note: `removed ${present.length} X500 address${present.length === 1 ? '' : 'es'}` };
}

export const x500AddressesSteps: StepMap = { 'x500Addresses.add': add, 'x500Addresses.remove': remove };
