// What every Get- cmdlet shares: -Identity, -Filter, -RecipientTypeDetails, -ResultSize (applied
// by the route, which pages), answered as recipient views.
import { liveRecipients, recipientTypeDetails, visibleRecipient, type Recipient, type RecipientType } from '../store/exchange-state.js';
import type { CmdletContext, Params } from './cmdlet.js';
import { resolveRecipient } from './identity.js';
import { evalOpath, parseOpath } from './opath-filter.js';
import { lazyRecipientProperties, recipientView } from './recipient-view.js';
import { invalidParameter, objectNotFound } from './exchange-errors.js';

export const GET_PARAMETERS = ['Identity', 'Filter', 'ResultSize', 'RecipientTypeDetails', 'Properties', 'PropertySets', 'Anr', 'OrganizationalUnit', 'SortBy'];

export function queryRecipients(ctx: CmdletContext, p: Params, types: readonly RecipientType[]): Record<string, unknown>[] {
  const identity = p.str('Identity');
  // Reads see replication lag: a recipient not replicated yet is not found, an update shows its
  // previous version (Set-*/Enable-* resolve the primary's record, so write chains work).
  if (identity) {
    const r = visibleRecipient(resolveRecipient(ctx.t, identity, types), ctx.now);
    if (!r || !types.includes(r.type)) throw objectNotFound(identity);
    return [recipientView(ctx.t, r)];
  }
  // -RecipientTypeDetails names details (GuestMailUser is a MailUser's), within the cmdlet's types
  let details: Set<string> | undefined;
  const rtd = p.raw('RecipientTypeDetails');
  if (rtd !== undefined && rtd !== null) {
    details = new Set((Array.isArray(rtd) ? rtd : String(rtd).split(',')).map((x) => String(x).trim().toLowerCase()));
  }
  const filter = p.str('Filter');
  const anr0 = p.str('Anr');
  const matching: Recipient[] = [];
  for (const rec of liveRecipients(ctx.t)) {
    const r = visibleRecipient(rec, ctx.now);
    if (r && types.includes(r.type) && (!details || details.has(recipientTypeDetails(ctx.t, r).toLowerCase()))) matching.push(r);
  }
  if (!filter && !anr0 && ctx.window) {
    // no filter: only the page the route answers with needs views (a 100,000-recipient tenant is
    // paged 1,000 at a time); the array keeps its full length so paging and -ResultSize still work
    const { offset, size } = ctx.window;
    const page: Record<string, unknown>[] = new Array(matching.length);
    for (let i = offset; i < Math.min(matching.length, offset + size); i++) page[i] = recipientView(ctx.t, matching[i]!);
    return page;
  }
  let views: Record<string, unknown>[];
  if (filter) {
    // The filter reads stored fields first (WhenChangedUTC, CustomAttributeN...): a view is built
    // only for a recipient the filter needs it for, or that matches.
    const expr = parseOpath(filter);
    views = [];
    for (const r of matching) {
      const lazy = lazyRecipientProperties(ctx.t, r);
      if (evalOpath(expr, lazy.get)) views.push(lazy.view());
    }
  } else {
    views = matching.map((r) => recipientView(ctx.t, r));
  }
  const anr = p.str('Anr');
  if (anr) {
    const a = anr.toLowerCase();
    views = views.filter((v) => ['Name', 'Alias', 'DisplayName', 'PrimarySmtpAddress'].some((k) => String(v[k] ?? '').toLowerCase().startsWith(a)));
  }
  return views;
}

/** -ResultSize: a positive number or Unlimited; default 1000 as the cmdlets have. */
export function resultSize(p: Params): number {
  const v = p.raw('ResultSize');
  if (v === undefined || v === null) return 1000;
  if (typeof v === 'string' && v.toLowerCase() === 'unlimited') return Infinity;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw invalidParameter('ResultSize', `Cannot convert value "${String(v)}" to type "Microsoft.Exchange.Data.Unlimited".`);
  return n;
}
