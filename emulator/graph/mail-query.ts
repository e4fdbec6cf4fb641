// The OData subset the content handlers need: $select, $top/$skip paging with an absolute
// @odata.nextLink (Outlook and OneDrive page with $skip / $skiptoken), a small $filter (eq on
// top-level or one-level-nested properties, joined with `and`), $orderby on one property.
// Also the request-shape helpers (user and mailbox resolution) shared by mail and drive handlers.
import { GraphError, badRequest, type EmuRequest } from '../core/http-types.js';
import { findUser, type UserRef } from '../store/directory-state.js';
import { userMailbox, type UserMailbox, type WriteAt } from '../store/mail-state.js';
import { writeLag } from '../core/lag.js';

/** Keep `id` and OData annotations plus the $select'ed properties. */
export function applySelect(obj: Record<string, unknown>, select: string | null): Record<string, unknown> {
  if (!select) return obj;
  const keep = new Set(select.split(',').map((s) => s.trim()).filter(Boolean));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    // An expanded navigation property stays: $expand asked for it.
    if (k === 'id' || k.startsWith('@') || k === 'singleValueExtendedProperties' || keep.has(k)) out[k] = v;
  }
  return out;
}

/** Page size from $top, else `Prefer: odata.maxpagesize`, else the default; capped. */
export function pageSize(req: EmuRequest, fallback: number, max = 1000): number {
  const top = req.query.get('$top');
  if (top !== null) {
    const n = Number(top);
    if (!Number.isInteger(n) || n < 0) throw badRequest(`Invalid $top value '${top}': expected a non-negative integer.`, 'BadRequest');
    return Math.min(n, max);
  }
  const prefer = /odata\.maxpagesize=(\d+)/.exec(req.headers['prefer'] ?? '');
  if (prefer) return Math.max(1, Math.min(Number(prefer[1]), max));
  return fallback;
}

/** Absolute URL of this request's path with the given query (for nextLink / deltaLink). */
export function selfLink(req: EmuRequest, query: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) q.set(k, v);
  const qs = q.toString();
  return `${req.baseUrl}${req.path}${qs ? `?${qs}` : ''}`;
}

/** One page of a list with $skip paging; keeps $select/$filter/$orderby/$top in the nextLink. */
export function pageList<T>(req: EmuRequest, items: T[], fallback: number, render: (item: T) => Record<string, unknown>): Record<string, unknown> {
  const size = pageSize(req, fallback);
  const skip = Number(req.query.get('$skip') ?? '0') || 0;
  const page = items.slice(skip, skip + size);
  const body: Record<string, unknown> = {
    '@odata.context': `${req.baseUrl}/${req.path.split('/')[1]}/$metadata#Collection`,
    value: page.map((i) => applySelect(render(i), req.query.get('$select'))),
  };
  if (skip + size < items.length && size > 0) {
    const keep: Record<string, string | undefined> = {};
    for (const k of ['$select', '$expand', '$filter', '$orderby', '$top']) keep[k] = req.query.get(k) ?? undefined;
    keep['$skip'] = String(skip + size);
    body['@odata.nextLink'] = selfLink(req, keep);
  }
  return body;
}

function pick(obj: Record<string, unknown>, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('/')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** `prop eq 'x' and other/prop eq true`: the equality filters sync code uses for idempotency
 *  checks (internetMessageId, subject, isDraft…). Anything else is refused as Graph refuses it. */
export function applyFilter<T extends Record<string, unknown>>(items: T[], filter: string | null): T[] {
  if (!filter) return items;
  const clauses = filter.split(/\s+and\s+/i).map((c) => {
    const m = /^\s*([A-Za-z][\w/]*)\s+(eq|ne|ge|gt|le|lt)\s+(?:'((?:[^']|'')*)'|(true|false|null|-?\d+(?:\.\d+)?|\d{4}-\d\d-\d\dT[\d:.]+Z))\s*$/.exec(c);
    if (!m) throw badRequest(`Invalid filter clause: '${c.trim()}'. The emulator supports 'property op value' joined with 'and'.`, 'BadRequest');
    const raw = m[3] !== undefined ? m[3].replace(/''/g, "'") : m[4]!;
    const value: unknown = m[3] !== undefined ? raw : raw === 'true' ? true : raw === 'false' ? false : raw === 'null' ? null : /T/.test(raw) ? raw : Number(raw);
    return { path: m[1]!, op: m[2]!, value };
  });
  return items.filter((item) =>
    clauses.every(({ path, op, value }) => {
      const v = pick(item, path) as string | number | boolean | null;
      switch (op) {
        case 'eq': return v === value || (typeof v === 'string' && typeof value === 'string' && v.toLowerCase() === value.toLowerCase());
        case 'ne': return v !== value;
        case 'ge': return v !== null && value !== null && v >= (value as string | number);
        case 'gt': return v !== null && value !== null && v > (value as string | number);
        case 'le': return v !== null && value !== null && v <= (value as string | number);
        default: return v !== null && value !== null && v < (value as string | number);
      }
    }),
  );
}

export function applyOrderBy<T extends Record<string, unknown>>(items: T[], orderby: string | null, fallback?: string): T[] {
  const spec = orderby ?? fallback;
  if (!spec) return items;
  const [prop = '', dir = 'asc'] = spec.trim().split(/\s+/);
  const sign = dir.toLowerCase() === 'desc' ? -1 : 1;
  return [...items].sort((a, b) => {
    const x = pick(a, prop) as string | number;
    const y = pick(b, prop) as string | number;
    return x === y ? 0 : x > y ? sign : -sign;
  });
}

/** When this request writes, and the replication lag its writes get. */
export function writeAt(req: Pick<EmuRequest, 'now' | 'emulator'>): WriteAt {
  return { now: req.now, lagMs: writeLag(req) };
}

// ---------- users and mailboxes ----------

/** Resolve /users/{id|upn}. Until the directory module resolves users, a mailbox key counts. */
export function resolveUser(req: EmuRequest, idOrUpn: string): UserRef | undefined {
  const t = req.tenant;
  const u = findUser(t, idOrUpn);
  if (u) return u;
  if (t.mail.mailboxes[idOrUpn]) return { id: idOrUpn, userPrincipalName: idOrUpn, mail: null };
  return undefined;
}

/** Outlook's error for an unknown user on a mail route. */
export const invalidUser = (idOrUpn: string) => new GraphError(404, 'ErrorInvalidUser', `The requested user '${idOrUpn}' is invalid.`);

/** Graph's answer for a user whose mailbox does not exist (unlicensed, or removed). */
export const mailboxNotEnabled = () =>
  new GraphError(404, 'MailboxNotEnabledForRESTAPI', 'The mailbox is either inactive, soft-deleted, or is hosted on-premise.');

/** The user and mailbox of a /users/{id}/… mail route, or Graph's error. */
export function requireMailbox(req: EmuRequest, idOrUpn: string): { user: UserRef; mbx: UserMailbox } {
  const user = resolveUser(req, idOrUpn);
  if (!user) throw invalidUser(idOrUpn);
  const mbx = userMailbox(req.tenant, user.id);
  if (!mbx) throw mailboxNotEnabled();
  return { user, mbx };
}

/** Emails of a user as recipients see them. */
export function userAddress(user: UserRef): string {
  return user.mail ?? user.userPrincipalName;
}
