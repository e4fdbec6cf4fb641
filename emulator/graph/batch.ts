// JSON batching: POST /v1.0/$batch (and /beta). At most 20 requests with unique ids; relative urls;
// every write (POST, PATCH, PUT) with a body and its Content-Type, else the whole batch is a 400;
// `dependsOn` orders them (a failed dependency answers 424); the rest run concurrently, at most 4
// at a time per mailbox as Graph does. Each inner request goes through the whole pipeline on its
// own (auth, roles, faults, throttling): an inner 429 carries its own Retry-After while the batch
// itself answers 200. Responses come back in completion order, as Graph's may.
import { badRequest, GraphError, json, type EmuRequest, type EmuResponse, type HttpMethod, type Route } from '../core/http-types.js';

const MAX_REQUESTS = 20;
const MAILBOX_PARALLEL = 4;
const METHODS = new Set(['GET', 'POST', 'PATCH', 'PUT', 'DELETE']);
const WRITES = new Set(['POST', 'PATCH', 'PUT']);

interface InnerRequest {
  id: string;
  method: HttpMethod;
  url: string;
  headers: Record<string, string>;
  body?: unknown;
  dependsOn: string[];
}

interface InnerResponse {
  id: string;
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}

function parse(req: EmuRequest): InnerRequest[] {
  const b = req.body as { requests?: unknown } | undefined;
  if (!b || typeof b !== 'object' || !Array.isArray(b.requests)) throw badRequest('Invalid batch payload format: expected {"requests": [...]}.', 'BadRequest');
  if (b.requests.length === 0) throw badRequest('The batch contains no requests.', 'BadRequest');
  if (b.requests.length > MAX_REQUESTS) throw badRequest(`Number of batch request steps exceeds the maximum of ${MAX_REQUESTS}.`, 'BadRequest');
  const seen = new Set<string>();
  const out = b.requests.map((r: unknown, i: number): InnerRequest => {
    const o = (r && typeof r === 'object' ? r : {}) as Record<string, unknown>;
    const id = typeof o.id === 'string' || typeof o.id === 'number' ? String(o.id) : '';
    if (!id) throw badRequest(`Batch request at index ${i} has no id.`, 'BadRequest');
    if (seen.has(id)) throw badRequest(`Batch request id '${id}' is used more than once: ids must be unique.`, 'BadRequest');
    seen.add(id);
    const method = String(o.method ?? '').toUpperCase();
    if (!METHODS.has(method)) throw badRequest(`Batch request '${id}' has an invalid method '${String(o.method ?? '')}'.`, 'BadRequest');
    if (typeof o.url !== 'string' || !o.url) throw badRequest(`Batch request '${id}' has no url.`, 'BadRequest');
    const headers: Record<string, string> = {};
    if (o.headers && typeof o.headers === 'object') for (const [k, v] of Object.entries(o.headers as Record<string, unknown>)) headers[k.toLowerCase()] = String(v);
    // A write without a body or without its Content-Type fails the whole batch (outer 400), not
    // just that request: Graph checks it before running any. Observed answers: "Write request id :
    // … does not contain Content-Type header or body." (microsoftgraph/msgraph-sdk-dotnet#2628, a
    // bodyless POST …/send; Softeria/ms-365-mcp-server#683, a write without Content-Type).
    if (WRITES.has(method) && (o.body === undefined || o.body === null || !headers['content-type'])) {
      throw badRequest(`Write request id : ${id} does not contain Content-Type header or body.`, 'BadRequest');
    }
    const dependsOn = Array.isArray(o.dependsOn) ? o.dependsOn.map(String) : [];
    return { id, method: method as HttpMethod, url: o.url, headers, ...(o.body !== undefined ? { body: o.body } : {}), dependsOn };
  });
  for (const r of out) {
    for (const d of r.dependsOn) if (!seen.has(d) || d === r.id) throw badRequest(`Batch request '${r.id}' depends on '${d}', which is not a request of this batch.`, 'BadRequest');
  }
  // A cycle would wait forever: refuse it as Graph refuses a malformed batch.
  const byId = new Map(out.map((r) => [r.id, r]));
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string): void => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') throw badRequest(`Batch requests depend on each other in a cycle (through '${id}').`, 'BadRequest');
    state.set(id, 'visiting');
    for (const d of byId.get(id)!.dependsOn) visit(d);
    state.set(id, 'done');
  };
  for (const r of out) visit(r.id);
  return out;
}

/** Relative url -> path + query under the batch's version (/v1.0 or /beta). */
function target(version: string, url: string): { path: string; query: string } | undefined {
  if (/^[a-z]+:\/\//i.test(url)) return undefined;
  const rel = url.startsWith('/') ? url : `/${url}`;
  const full = /^\/(v1\.0|beta)\//i.test(rel) ? rel : `/${version}${rel}`;
  const q = full.indexOf('?');
  return q < 0 ? { path: full, query: '' } : { path: full.slice(0, q), query: full.slice(q + 1) };
}

function mailboxKey(path: string): string | undefined {
  const m = /\/users\/([^/]+)\/(messages|mailfolders|sendmail)/i.exec(path);
  return m ? m[1]!.toLowerCase() : undefined;
}

function innerBody(r: EmuResponse): unknown {
  if (Buffer.isBuffer(r.body)) return r.body.toString('base64');
  return r.body;
}

async function batch(req: EmuRequest): Promise<EmuResponse> {
  const dispatch = req.emulator.dispatch;
  if (!dispatch) throw new GraphError(500, 'generalException', 'The emulator has no pipeline for batch requests.');
  const version = /^\/beta\//i.test(req.path) ? 'beta' : 'v1.0';
  const requests = parse(req);
  const done = new Map<string, Promise<InnerResponse>>();
  const responses: InnerResponse[] = [];
  const slots = new Map<string, { busy: number; queue: (() => void)[] }>();

  const acquire = async (key: string | undefined) => {
    if (!key) return () => {};
    const s = slots.get(key) ?? { busy: 0, queue: [] };
    slots.set(key, s);
    if (s.busy >= MAILBOX_PARALLEL) await new Promise<void>((r) => s.queue.push(r));
    s.busy += 1;
    return () => {
      s.busy -= 1;
      s.queue.shift()?.();
    };
  };

  const run = async (r: InnerRequest): Promise<InnerResponse> => {
    const deps = await Promise.all(r.dependsOn.map((d) => done.get(d)!));
    const failed = deps.find((d) => d.status >= 400);
    if (failed) {
      return { id: r.id, status: 424, headers: { 'content-type': 'application/json' }, body: { error: { code: 'FailedDependency', message: `Request '${r.id}' was not run: request '${failed.id}' it depends on failed with status ${failed.status}.` } } };
    }
    const t = target(version, r.url);
    if (!t) return { id: r.id, status: 400, headers: {}, body: { error: { code: 'BadRequest', message: `Batch request urls must be relative to /${version}; got '${r.url}'.` } } };
    let rawBody = Buffer.alloc(0);
    const headers: Record<string, string> = { ...r.headers };
    if (r.body !== undefined) {
      rawBody = typeof r.body === 'string' ? Buffer.from(r.body) : Buffer.from(JSON.stringify(r.body));
    }
    if (req.headers.authorization) headers.authorization = req.headers.authorization;
    const release = await acquire(mailboxKey(t.path));
    try {
      const res = await dispatch({ method: r.method, path: t.path, query: new URLSearchParams(t.query), headers, rawBody, baseUrl: req.baseUrl, inner: true });
      const h: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers ?? {})) h[k] = v;
      if (res.body !== undefined && !Buffer.isBuffer(res.body) && typeof res.body === 'object' && !Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['Content-Type'] = 'application/json';
      return { id: r.id, status: res.status, headers: h, ...(res.body !== undefined ? { body: innerBody(res) } : {}) };
    } finally {
      release();
    }
  };

  for (const r of requests) {
    // Deferred by a microtask, so every id has its promise before any request looks up a dependency.
    done.set(r.id, Promise.resolve().then(() => run(r)).then((x) => (responses.push(x), x)));
  }
  await Promise.all(done.values());
  return json(200, { responses });
}

export const batchRoutes: Route[] = [
  { method: 'POST', pattern: '/v1.0/$batch', budget: 'none', handler: batch },
  { method: 'POST', pattern: '/beta/$batch', budget: 'none', handler: batch },
];
