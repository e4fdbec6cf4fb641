// GET /users/delta, /groups/delta and /contacts/delta (orgContacts: the tenant's mail contacts,
// which Exchange Online keeps in the directory; the orgContact id is the contact's Guid). Every directory write takes the tenant's next seq; a token is
// base64url JSON of {since, upto, after, select, ids, initial}: the changes with since < seq <= upto,
// paged by seq. The first round returns every live object; later rounds only what changed after
// the previous deltaLink, deletions as {id, @removed}, groups with members@delta.
import { GraphError, json, type EmuRequest, type EmuResponse, type Route } from '../core/http-types.js';
import { replicatedSeq, type DirGroup, type DirUser } from '../store/directory-state.js';
import type { TenantState, Tracked } from '../store/tenant-state.js';
import type { Recipient } from '../store/exchange-state.js';
import { changesAfter } from '../store/change-log.js';
import { applySelect, contextUrl, decodeToken, encodeToken, pageSize, parseFilter, type FilterExpr } from './odata.js';
import { groupView } from './groups.js';
import { renderUser } from './users-view.js';

interface DeltaToken {
  since: number;
  upto: number;
  after: number;
  select?: string[];
  /** A scoping $filter (id eq … or id eq …): the only objects the round tracks. */
  ids?: string[];
  initial: boolean;
}

/**
 * The ids of a scoping filter. users/delta and groups/delta take one $filter only, `id eq '…'`,
 * several joined with `or` (at most 50); anything else is refused, as Graph refuses it ("Unsupported
 * Query.", https://learn.microsoft.com/graph/delta-query-overview#scoping-filters and the answers to
 * learn.microsoft.com/answers/questions/1090594), instead of being ignored.
 */
function scopeIds(req: EmuRequest): string[] | undefined {
  const text = req.query.get('$filter');
  if (!text) return undefined;
  const unsupported = () => new GraphError(400, 'Request_UnsupportedQuery', 'Unsupported Query.');
  let expr: FilterExpr;
  try {
    expr = parseFilter(text);
  } catch {
    throw unsupported();
  }
  const ids: string[] = [];
  const walk = (e: FilterExpr): void => {
    if (e.kind === 'or') {
      walk(e.left);
      walk(e.right);
    } else if (e.kind === 'cmp' && e.op === 'eq' && e.path.toLowerCase() === 'id' && typeof e.value === 'string') {
      ids.push(e.value.toLowerCase());
    } else {
      throw unsupported();
    }
  };
  walk(expr);
  if (ids.length > 50) throw unsupported();
  return ids;
}

function readToken(req: EmuRequest): DeltaToken {
  const skip = req.query.get('$skiptoken');
  const delta = req.query.get('$deltatoken');
  const selectParam = req.query.get('$select');
  const select = selectParam ? selectParam.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
  const scope = scopeIds(req);
  const t = req.tenant;
  // Rounds end below any write still replicating (it comes with the next round once visible).
  const upto = replicatedSeq(t, req.now);
  if (delta === 'latest') return { since: upto, upto, after: upto, ...(select ? { select } : {}), ...(scope ? { ids: scope } : {}), initial: false };
  const raw = skip ?? delta;
  if (!raw) return { since: 0, upto, after: 0, ...(select ? { select } : {}), ...(scope ? { ids: scope } : {}), initial: true };
  let tok: Partial<DeltaToken>;
  try {
    tok = decodeToken<Partial<DeltaToken>>(raw, skip ? '$skiptoken' : '$deltatoken');
  } catch {
    return badToken(raw);
  }
  if (typeof tok.since !== 'number' || typeof tok.upto !== 'number' || typeof tok.after !== 'number' || tok.since > t.seq) {
    return badToken(raw);
  }
  if (delta) {
    // A deltaLink starts a new round: everything changed since the last one, up to now.
    return { since: tok.upto, upto: Math.max(tok.upto, upto), after: tok.upto, ...(tok.select ? { select: tok.select } : {}), ...(tok.ids ? { ids: tok.ids } : {}), initial: false };
  }
  return tok as DeltaToken;
}

function badToken(raw: string): never {
  void raw;
  throw new GraphError(400, 'Request_BadRequest', 'Badly formed token: use the @odata.nextLink or @odata.deltaLink exactly as returned, or start again without a token.');
}

function links(req: EmuRequest, tok: DeltaToken, lastSeq: number | undefined): Record<string, string> {
  const base = `${req.baseUrl}${req.path}`;
  if (lastSeq !== undefined) return { '@odata.nextLink': `${base}?$skiptoken=${encodeToken({ ...tok, after: lastSeq })}` };
  return { '@odata.deltaLink': `${base}?$deltatoken=${encodeToken({ since: tok.upto, upto: tok.upto, after: tok.upto, ...(tok.select ? { select: tok.select } : {}), ...(tok.ids ? { ids: tok.ids } : {}), initial: false })}` };
}

/** The page of changes in the token's window, in seq order (from the collection's change log:
 *  no scan or sort of every record per page). */
function window<T extends Tracked & { id: string }>(all: Record<string, T>, tok: DeltaToken, size: number): { items: T[]; more: boolean } {
  const scope = tok.ids ? new Set(tok.ids) : undefined;
  return changesAfter(all, Math.max(tok.since, tok.after), tok.upto, (r) => !(tok.initial && r._deleted) && (!scope || scope.has(r.id.toLowerCase())), size);
}

function usersDelta(req: EmuRequest): EmuResponse {
  const t = req.tenant;
  const tok = readToken(req);
  const { items, more } = window(t.directory.users, tok, pageSize(req));
  const value = items.map((u: DirUser) =>
    // a deleted user goes to the deleted items for 30 days, restorable: Graph reports it "changed"
    // ("deleted" is for an object removed for good)
    u._deleted ? { id: u.id, '@removed': { reason: 'changed' } } : { ...renderUser(req, u, tok.select), id: u.id },
  );
  return json(200, {
    '@odata.context': contextUrl(req, 'users', tok.select),
    ...links(req, tok, more ? items[items.length - 1]!._seq : undefined),
    value,
  });
}

function memberDelta(t: TenantState, g: DirGroup, tok: DeltaToken): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const [id, m] of Object.entries(g.members)) {
    const type = t.directory.groups[id] ? '#microsoft.graph.group' : '#microsoft.graph.user';
    if (tok.initial) {
      if (!m.removed) out.push({ '@odata.type': type, id });
    } else if (m.seq > tok.since && m.seq <= tok.upto) {
      out.push(m.removed ? { '@odata.type': type, id, '@removed': { reason: 'deleted' } } : { '@odata.type': type, id });
    }
  }
  return out;
}

function groupsDelta(req: EmuRequest): EmuResponse {
  const t = req.tenant;
  const tok = readToken(req);
  const { items, more } = window(t.directory.groups, tok, pageSize(req));
  const withMembers = !tok.select || tok.select.some((s) => s.toLowerCase() === 'members');
  const props = tok.select?.filter((s) => s.toLowerCase() !== 'members');
  const value = items.map((g) => {
    // a Microsoft 365 group is restorable for 30 days ("changed"); a security group is gone for good
    if (g._deleted) return { id: g.id, '@removed': { reason: g.groupTypes.includes('Unified') ? 'changed' : 'deleted' } };
    const out: Record<string, unknown> = { ...applySelect(groupView(g), props && props.length ? props : tok.select ? [] : undefined), id: g.id };
    if (withMembers) out['members@delta'] = memberDelta(t, g, tok);
    return out;
  });
  return json(200, {
    '@odata.context': contextUrl(req, 'groups', tok.select),
    ...links(req, tok, more ? items[items.length - 1]!._seq : undefined),
    value,
  });
}

function contactView(r: Recipient): Record<string, unknown> {
  const primary = r.emailAddresses.find((a) => a.startsWith('SMTP:'))?.slice(5) ?? null;
  return { id: r.guid, displayName: r.displayName, mail: primary, mailNickname: r.alias, proxyAddresses: [...r.emailAddresses], givenName: null, surname: null, companyName: null, department: null, jobTitle: null };
}

/** Only mail contacts: the recipients' change log holds mailboxes and mail users too, skipped here. */
function contactsDelta(req: EmuRequest): EmuResponse {
  const t = req.tenant;
  const tok = readToken(req);
  const scope = tok.ids ? new Set(tok.ids) : undefined;
  const { items, more } = changesAfter(t.exchange.recipients, Math.max(tok.since, tok.after), tok.upto, (r) => r.type === 'MailContact' && !(tok.initial && r._deleted) && (!scope || scope.has(r.guid)), pageSize(req));
  const value = items.map((r) => (r._deleted ? { id: r.guid, '@removed': { reason: 'deleted' } } : applySelect(contactView(r), tok.select)));
  return json(200, {
    '@odata.context': contextUrl(req, 'contacts', tok.select),
    ...links(req, tok, more ? items[items.length - 1]!._seq : undefined),
    value: value.map((v, i) => ({ ...v, id: items[i]!.guid })),
  });
}

const RC = ['OrgContact.Read.All', 'Directory.Read.All', 'Directory.ReadWrite.All'];
const RU = ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'];
const RG = ['Group.Read.All', 'Group.ReadWrite.All', 'GroupMember.Read.All', 'Directory.Read.All', 'Directory.ReadWrite.All'];

export const deltaRoutes: Route[] = [
  { method: 'GET', pattern: '/v1.0/users/delta', roles: RU, budget: 'directory-read', resourceUnits: 2, handler: usersDelta },
  { method: 'GET', pattern: '/v1.0/contacts/delta', roles: RC, budget: 'directory-read', resourceUnits: 2, handler: contactsDelta },
  { method: 'GET', pattern: '/v1.0/groups/delta', roles: RG, budget: 'directory-read', resourceUnits: 2, handler: groupsDelta },
];
