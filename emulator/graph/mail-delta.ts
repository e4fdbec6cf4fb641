// Delta rounds over Tracked records (message delta per folder, mailboxItem delta, drive delta).
// A token is opaque base64url JSON: {s: seq the round starts after, u: seq it ends at,
// a: last seq returned in this round, k: scope key, q: the query to keep}. Every write takes a
// unique seq, so ordering by _seq pages stably; a write during a round lands after `u` and
// is reported by the next round. Records still hidden by replication lag cap `u` below them
// so their change cannot slip behind a deltaLink.
import { GraphError, type EmuRequest } from '../core/http-types.js';
import type { Tracked } from '../store/tenant-state.js';
import { readVisible } from '../store/mail-state.js';
import { pageSize } from './mail-query.js';

export interface DeltaToken {
  s: number;
  u: number;
  a: number;
  k: string;
  q?: Record<string, string>;
}

export const encodeToken = (t: DeltaToken) => Buffer.from(JSON.stringify(t)).toString('base64url');

export function decodeToken(raw: string, scope: string): DeltaToken {
  try {
    const t = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as DeltaToken;
    if (typeof t.s === 'number' && typeof t.u === 'number' && typeof t.a === 'number' && t.k === scope) return t;
  } catch {
    /* fall through */
  }
  throw new GraphError(400, 'ErrorInvalidSyncStateData', 'The sync state data is corrupt or otherwise invalid: the delta token does not belong to this collection.');
}

export interface DeltaOptions<T extends Tracked> {
  /** Identifies the collection (folder id, drive id): a token from elsewhere is refused. */
  scope: string;
  /** Every record of the collection, tombstones included. */
  records: T[];
  currentSeq: number;
  defaultPageSize: number;
  /** `query`: the parameters the round keeps ($select, $expand…), from the token on later pages. */
  render: (rec: T, query: Record<string, string>) => Record<string, unknown>;
  /** How a deletion looks: Outlook `@removed`, OneDrive a `deleted` facet. */
  renderRemoved: (rec: T) => Record<string, unknown>;
  /** Query parameters to carry in the links ($select…). */
  keep?: string[];
  /** Shorten a kept parameter's value for the token (it is what a client stores as its position). */
  compact?: (key: string, value: string) => string;
  /** Names of the token parameters: Outlook $skiptoken/$deltatoken, OneDrive token. */
  tokenParams?: { next: string; delta: string };
}

export function deltaPage<T extends Tracked>(req: EmuRequest, o: DeltaOptions<T>): Record<string, unknown> {
  const names = o.tokenParams ?? { next: '$skiptoken', delta: '$deltatoken' };
  const skip = req.query.get(names.next);
  const delta = req.query.get(names.delta);
  let token: DeltaToken;
  // Visible versions at `now`; a lagging write caps the round below its seq.
  const visible: T[] = [];
  let cap = o.currentSeq;
  for (const r of o.records) {
    if (r._visibleAt !== undefined && req.now < r._visibleAt) cap = Math.min(cap, r._seq - 1);
    const v = readVisible(r, req.now);
    if (v) visible.push(v);
  }
  if (skip) token = decodeToken(skip, o.scope);
  else if (delta) {
    const d = decodeToken(delta, o.scope);
    token = { s: d.u, u: Math.max(d.u, cap), a: d.u, k: o.scope, ...(d.q ? { q: d.q } : {}) };
  } else {
    const q: Record<string, string> = {};
    for (const k of o.keep ?? ['$select']) {
      const v = req.query.get(k);
      if (v !== null) q[k] = o.compact ? o.compact(k, v) : v;
    }
    token = { s: 0, u: cap, a: 0, k: o.scope, ...(Object.keys(q).length ? { q } : {}) };
  }
  const initial = token.s === 0;
  const changed = visible
    .filter((r) => r._seq > token.a && r._seq <= token.u && !(initial && r._deleted))
    .sort((x, y) => x._seq - y._seq);
  const size = pageSize(req, o.defaultPageSize);
  const page = changed.slice(0, size);
  const select = token.q?.['$select'] ?? null;
  const value = page.map((r) => (r._deleted ? o.renderRemoved(r) : selectFields(o.render(r, token.q ?? {}), select)));
  const body: Record<string, unknown> = { '@odata.context': `${req.baseUrl}/${req.path.split('/')[1]}/$metadata#Collection`, value };
  if (changed.length > page.length) {
    const next: DeltaToken = { ...token, a: page[page.length - 1]!._seq };
    body['@odata.nextLink'] = `${req.baseUrl}${req.path}?${names.next}=${encodeToken(next)}`;
  } else {
    const done: DeltaToken = { s: token.u, u: token.u, a: token.u, k: o.scope, ...(token.q ? { q: token.q } : {}) };
    body['@odata.deltaLink'] = `${req.baseUrl}${req.path}?${names.delta}=${encodeToken(done)}`;
  }
  return body;
}

function selectFields(obj: Record<string, unknown>, select: string | null): Record<string, unknown> {
  if (!select) return obj;
  const keep = new Set(select.split(',').map((s) => s.trim()));
  return Object.fromEntries(Object.entries(obj).filter(([k]) => k === 'id' || k.startsWith('@') || k === 'singleValueExtendedProperties' || keep.has(k)));
}
