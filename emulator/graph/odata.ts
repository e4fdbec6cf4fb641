// Shared OData query helpers for Graph collections: $select, $filter, $top, $skiptoken paging with an
// absolute @odata.nextLink, $count (with ConsistencyLevel: eventual; ignored without it), the advanced
// query rule for ne/not/endsWith, and @odata.context URLs.
// Used by the directory handlers; the content handlers may use them too.
import { GraphError, type EmuRequest } from '../core/http-types.js';
import { advancedOperators, evalFilter, filterProperties, parseFilter, type FilterExpr } from './odata-filter.js';

export { evalFilter, parseFilter, type FilterExpr } from './odata-filter.js';

/** Graph's default and maximum page sizes for directory collections. */
export const DEFAULT_PAGE = 100;
export const MAX_PAGE = 999;

export function parseSelect(req: EmuRequest): string[] | undefined {
  const s = req.query.get('$select');
  if (!s) return undefined;
  return s.split(',').map((x) => x.trim()).filter(Boolean);
}

/** Keep only the selected properties (case-insensitive names) and the OData annotations. */
export function applySelect<T extends Record<string, unknown>>(obj: T, select: readonly string[] | undefined, always: readonly string[] = []): Record<string, unknown> {
  if (!select) return obj;
  const wanted = new Set([...select, ...always].map((s) => s.toLowerCase()));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k.startsWith('@') || wanted.has(k.toLowerCase())) out[k] = v;
  }
  return out;
}

/** Parse $filter and check that it only reads properties the resource supports. */
export function parseFilterParam(req: EmuRequest, resource: string, supported: readonly string[]): FilterExpr | undefined {
  const text = req.query.get('$filter');
  if (!text) return undefined;
  const expr = parseFilter(text);
  const ok = new Set(supported.map((s) => s.toLowerCase()));
  const unsupported = (p: string) => new GraphError(400, 'Request_UnsupportedQuery', `Unsupported or invalid query filter clause specified for property '${p}' of resource '${resource}'.`);
  for (const p of filterProperties(expr)) {
    if (!ok.has(p.toLowerCase())) throw unsupported(p);
  }
  // ne, not and endsWith work on directory objects only in an advanced query; without both advanced
  // query parameters Graph refuses the request (it does not fall back to a scan), and endsWith reads
  // only the address properties. https://learn.microsoft.com/graph/aad-advanced-queries
  const advanced = advancedOperators(expr);
  if (advanced.length > 0 && !advancedQuery(req)) {
    throw new GraphError(400, 'Request_UnsupportedQuery', `Operator '${advanced[0]!.op}' is not supported because the required parameters might be missing. Try adding $count=true query parameter and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more information`);
  }
  const endsWith = advanced.find((a) => a.op === 'endsWith' && !ENDSWITH_PROPERTIES.has(a.property.toLowerCase()));
  if (endsWith) throw unsupported(endsWith.property);
  return expr;
}

/** The properties endsWith can read (advanced queries only). */
const ENDSWITH_PROPERTIES = new Set(['mail', 'othermails', 'userprincipalname', 'proxyaddresses']);

/** Both advanced query parameters: ConsistencyLevel: eventual and $count=true ($search needs only the header). */
export function advancedQuery(req: EmuRequest): boolean {
  return eventual(req) && (req.query.get('$count') ?? '').toLowerCase() === 'true';
}

export function matches(expr: FilterExpr | undefined, obj: Record<string, unknown>): boolean {
  return !expr || evalFilter(expr, obj);
}

/** Page size from $top (or Prefer: odata.maxpagesize), bounded as Graph bounds it. */
export function pageSize(req: EmuRequest, def = DEFAULT_PAGE, max = MAX_PAGE): number {
  const top = req.query.get('$top');
  if (top !== null) {
    const n = Number(top);
    if (!Number.isInteger(n) || n < 1 || n > max) {
      throw new GraphError(400, 'Request_UnsupportedQuery', `Invalid page size specified: '${top}'. Must be between 1 and ${max} inclusive.`);
    }
    return n;
  }
  const prefer = /odata\.maxpagesize=(\d+)/i.exec(req.headers['prefer'] ?? '');
  if (prefer) return Math.max(1, Math.min(max, Number(prefer[1])));
  return def;
}

export function encodeToken(data: unknown): string {
  return Buffer.from(JSON.stringify(data)).toString('base64url');
}

export function decodeToken<T>(token: string, what = '$skiptoken'): T {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
    if (v && typeof v === 'object') return v as T;
  } catch {
    // fall through to the error Graph gives for a token it did not issue
  }
  throw new GraphError(400, 'Request_BadRequest', `The ${what} value '${token.slice(0, 40)}' is not valid.`);
}

/** Absolute URL of this request's path with the query changed (for nextLink / deltaLink). */
export function linkWith(req: EmuRequest, set: Record<string, string | undefined>, path = req.path): string {
  const q = new URLSearchParams(req.query);
  for (const [k, v] of Object.entries(set)) {
    if (v === undefined) q.delete(k);
    else q.set(k, v);
  }
  const qs = q.toString().replace(/%24/g, '$');
  return `${req.baseUrl}${path}${qs ? `?${qs}` : ''}`;
}

/** The API version segment of the request path (v1.0 or beta). */
export function apiVersion(req: EmuRequest): string {
  return /^\/beta\//i.test(req.path) ? 'beta' : 'v1.0';
}

/** @odata.context, e.g. https://host/v1.0/$metadata#users(id,displayName) */
export function contextUrl(req: EmuRequest, fragment: string, select?: readonly string[]): string {
  const sel = select && !fragment.endsWith('$entity') ? `(${select.join(',')})` : '';
  return `${req.baseUrl}/${apiVersion(req)}/$metadata#${fragment}${sel}`;
}

/**
 * $count=true with ConsistencyLevel: eventual. Without the header Graph ignores $count=true on a
 * directory list (200, no @odata.count) rather than failing; only the /$count segment is refused.
 * https://learn.microsoft.com/graph/aad-advanced-queries#error-handling-for-advanced-queries-on-directory-objects
 */
function countRequested(req: EmuRequest): boolean {
  return (req.query.get('$count') ?? '').toLowerCase() === 'true' && eventual(req);
}

/** Whether the caller asked for eventual consistency (needed by $count and advanced queries). */
export function eventual(req: EmuRequest): boolean {
  return (req.headers['consistencylevel'] ?? '').toLowerCase() === 'eventual';
}

export interface Page {
  value: Record<string, unknown>[];
  nextLink?: string;
}

/** One page of `items` from the request's $skiptoken on, with an absolute nextLink when more remain. */
export function page<T>(req: EmuRequest, items: readonly T[], render: (item: T) => Record<string, unknown>, size = pageSize(req)): Page {
  const tok = req.query.get('$skiptoken');
  const offset = tok ? decodeToken<{ o: number }>(tok).o : 0;
  if (!Number.isInteger(offset) || offset < 0) throw new GraphError(400, 'Request_BadRequest', 'The $skiptoken value is not valid.');
  const slice = items.slice(offset, offset + size);
  const out: Page = { value: slice.map(render) };
  if (offset + size < items.length) out.nextLink = linkWith(req, { $skiptoken: encodeToken({ o: offset + size }) });
  return out;
}

/** One page of an ordered collection without looking at more of it than the page needs: from the
 *  $skiptoken's position, records `keep` accepts are rendered until the page is full, and the scan
 *  stops at the next accepted record (where the nextLink resumes). A full scan happens only for
 *  $count=true (counting, not rendering). The answer is a Graph collection, like `collection`. */
export function lazyCollection<T>(
  req: EmuRequest,
  fragment: string,
  ordered: readonly T[],
  keep: (item: T) => boolean,
  render: (item: T) => Record<string, unknown>,
  opts: { select?: string[]; size?: number } = {},
): Record<string, unknown> {
  const wantCount = countRequested(req);
  const size = opts.size ?? pageSize(req);
  const tok = req.query.get('$skiptoken');
  const start = tok ? decodeToken<{ i: number }>(tok).i : 0;
  if (!Number.isInteger(start) || start < 0) throw new GraphError(400, 'Request_BadRequest', 'The $skiptoken value is not valid.');
  const value: Record<string, unknown>[] = [];
  let next: number | undefined;
  for (let i = start; i < ordered.length; i++) {
    if (!keep(ordered[i]!)) continue;
    if (value.length === size) {
      next = i;
      break;
    }
    value.push(render(ordered[i]!));
  }
  let count = 0;
  if (wantCount) for (const x of ordered) if (keep(x)) count++;
  return {
    '@odata.context': contextUrl(req, fragment, opts.select),
    ...(wantCount ? { '@odata.count': count } : {}),
    value,
    ...(next !== undefined ? { '@odata.nextLink': linkWith(req, { $skiptoken: encodeToken({ i: next }) }) } : {}),
  };
}

/** A Graph collection answer: @odata.context, optional @odata.count, value, optional @odata.nextLink. */
export function collection(
  req: EmuRequest,
  fragment: string,
  items: readonly Record<string, unknown>[],
  opts: { select?: string[]; size?: number; /** items are already shaped by $select/$expand */ shaped?: boolean } = {},
): Record<string, unknown> {
  const wantCount = countRequested(req);
  const p = page(req, items, (x) => (opts.shaped ? x : applySelect(x, opts.select)), opts.size ?? pageSize(req));
  return {
    '@odata.context': contextUrl(req, fragment, opts.select),
    ...(wantCount ? { '@odata.count': items.length } : {}),
    value: p.value,
    ...(p.nextLink ? { '@odata.nextLink': p.nextLink } : {}),
  };
}

/** The JSON body of a write, as an object (400 otherwise). */
export function bodyObject(req: EmuRequest): Record<string, unknown> {
  const b = req.body;
  if (!b || typeof b !== 'object' || Array.isArray(b)) {
    throw new GraphError(400, 'BadRequest', 'Empty Payload. JSON content expected.');
  }
  return b as Record<string, unknown>;
}

/** The object id at the end of an @odata.id reference (…/directoryObjects/{id}, …/users/{id}). */
export function idFromODataId(ref: unknown): string {
  if (typeof ref !== 'string' || !ref) throw new GraphError(400, 'Request_BadRequest', "Invalid object identifier ''.");
  const m = /\/(?:directoryObjects|users|groups|contacts|servicePrincipals)(?:\('([^']+)'\)|\/([^/?]+))\/?(?:\?.*)?$/i.exec(ref);
  const id = m ? (m[1] ?? m[2])! : ref;
  try {
    return decodeURIComponent(id);
  } catch {
    return id;
  }
}
