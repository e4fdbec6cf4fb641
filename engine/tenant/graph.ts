// The Microsoft Graph facade every engine stage uses: JSON calls, paging, delta, raw bytes and
// $batch, over the official Graph SDK (@microsoft/microsoft-graph-client). Each HTTP attempt
// draws from the tenant's rate budget (or the mailbox's, for mail routes) and failures are
// retried here, not by the SDK, so retries respect idempotency and the budget's Retry-After.
import {
  AuthenticationHandler,
  Client,
  ResponseType,
  type Context,
  type Middleware,
  type MiddlewareOptions,
} from '@microsoft/microsoft-graph-client';
import type { T2tError } from '../errors.js';
import { decodeClaims, type TenantAuth, type TokenAudience } from './auth.js';
import type { CloudEndpoints } from './clouds.js';
import { HttpStatusError, interruption, isAbort, remoteFailure, toTenantError } from './errors.js';
import { networkFailure, type HttpTransport } from './http-transport.js';
import type { Permit, RateBudget, TenantBudgets } from './rate-budget.js';
import { DEFAULT_MAX_RETRY_AFTER_MS, RETRYABLE_STATUS, parseRetryAfter, withRetry, type FailureClass, type RetryPolicy } from './retry.js';
import { abortReason, systemClock } from './clock.js';
import { secretsInBody } from './secrets.js';

/** Per-call options of the Graph facade. */
export interface GraphRequestOptions {
  /** A POST that may be repeated after a failure without creating a duplicate (it is idempotent by design). */
  safe?: boolean;
  /** Extra request headers, e.g. Prefer or ConsistencyLevel. */
  headers?: Record<string, string>;
  /** Use the beta endpoint for a relative path. */
  beta?: boolean;
  /** Names the object in error messages, e.g. "user alice@contoso.com" (default: the path). */
  object?: string;
  /** Mailbox whose budget the call draws from; derived from /users/{id}/messages… when omitted. */
  mailbox?: string;
  signal?: AbortSignal;
}

/** One request of a $batch; `url` relative to the version, e.g. "/users/abc". */
export interface BatchRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** A POST that may be re-submitted after an inner 5xx. */
  safe?: boolean;
}

export interface BatchResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** A finished delta round, or the service's demand to start over (410 Gone). */
export type DeltaResult<T> =
  | { resync: false; items: T[]; deltaLink: string }
  | { resync: true; /** Where the service says to restart (Location header), if it said. */ location?: string };

export interface GraphFacade {
  get<T = unknown>(url: string, options?: GraphRequestOptions): Promise<T>;
  post<T = unknown>(url: string, body: unknown, options?: GraphRequestOptions): Promise<T>;
  patch<T = unknown>(url: string, body: unknown, options?: GraphRequestOptions): Promise<T>;
  put<T = unknown>(url: string, body: unknown, options?: GraphRequestOptions): Promise<T>;
  delete(url: string, options?: GraphRequestOptions): Promise<void>;
  /** Every page of a collection, following @odata.nextLink. Yields each page's `value`. */
  pages<T = unknown>(url: string, options?: GraphRequestOptions): AsyncIterable<T[]>;
  /**
   * One delta round from a delta URL (first run, e.g. /users/delta?$select=…) or a saved
   * @odata.deltaLink: follows nextLinks to the new deltaLink. With `onPage`, items are handed over
   * page by page and not accumulated (`items` is then empty). A 410 returns `{resync: true}`.
   */
  delta<T = unknown>(urlOrDeltaLink: string, options?: GraphRequestOptions & { onPage?: (items: T[]) => void | Promise<void> }): Promise<DeltaResult<T>>;
  /** Raw bytes: a message's MIME ($value), a drive item's content. */
  bytes(url: string, options?: GraphRequestOptions): Promise<Buffer>;
  /** Send raw bytes (PUT …/content, POST of base64 MIME as text/plain). */
  sendBytes<T = unknown>(method: 'PUT' | 'POST', url: string, data: Buffer | string, contentType: string, options?: GraphRequestOptions): Promise<T>;
  /** A request to a pre-authenticated URL (import sessions, upload sessions): no Authorization header. */
  preauthenticated<T = unknown>(method: 'PUT' | 'POST', url: string, data: Buffer | string | object, contentType: string, options?: GraphRequestOptions): Promise<T>;
  /**
   * Independent requests through $batch (≤ 20 per call to the service; more are split). Inner 429
   * and 503 answers are re-submitted after their Retry-After (one longer than the retry policy's
   * maxRetryAfterMs is not waited for, as for a direct call); the answer array is in request order.
   * Inner failures that remain are returned, not thrown: check `status`.
   */
  batch(requests: readonly BatchRequest[], options?: Pick<GraphRequestOptions, 'signal'>): Promise<BatchResponse[]>;
  /** Turn a failed response of batch() into the TenantError a direct call would have thrown. */
  batchError(request: BatchRequest, response: BatchResponse): T2tError;
}

export interface GraphDeps {
  tenant: string;
  clientId: string;
  endpoints: CloudEndpoints;
  auth: TenantAuth;
  transport: HttpTransport;
  budgets: TenantBudgets;
  retry?: RetryPolicy;
  signal?: AbortSignal;
  log?: (event: { type: string; [k: string]: unknown }) => void;
}

/** Carries per-attempt state through the SDK's middleware chain (the SDK loses thrown errors' types). */
class AttemptOptions implements MiddlewareOptions {
  error: unknown;
  constructor(readonly budget: RateBudget, readonly signal?: AbortSignal) {}
}

/** First in the chain: remembers any error thrown below it, so the facade can rethrow the original. */
class ErrorCapture implements Middleware {
  private next!: Middleware;
  setNext(next: Middleware): void {
    this.next = next;
  }
  async execute(context: Context): Promise<void> {
    try {
      await this.next.execute(context);
    } catch (e) {
      const attempt = context.middlewareControl?.getMiddlewareOptions(AttemptOptions) as AttemptOptions | undefined;
      if (attempt) attempt.error = e;
      throw e;
    }
  }
}

/** Last in the chain: one HTTP attempt through the tenant transport, within its budget. */
class BudgetedFetch implements Middleware {
  constructor(private readonly transport: HttpTransport) {}
  async execute(context: Context): Promise<void> {
    const attempt = context.middlewareControl?.getMiddlewareOptions(AttemptOptions) as AttemptOptions | undefined;
    if (!attempt) throw new Error('internal: Graph request without attempt options');
    const url = typeof context.request === 'string' ? context.request : context.request.url;
    const init = { ...(context.options as RequestInit), headers: plainHeaders(context.options?.headers) };
    if (attempt.signal) init.signal = attempt.signal;
    const response = await budgetedFetch(this.transport, attempt.budget, url, init);
    context.response = response.status >= 400 ? await graphErrorAnswer(response) : response;
  }
}

/**
 * A failed answer whose body is a Graph error ({error: {…}}) goes on to the SDK, which reads it.
 * Any other body (a gateway's HTML or text page, an empty or unparsable one: the usual 502/504 of
 * a proxy in front of Graph) is thrown here as an HttpStatusError, because the SDK would throw it
 * as a bare GraphError without the answer's headers: no request id, no Retry-After for the retry
 * loop and its cap.
 */
async function graphErrorAnswer(response: Response): Promise<Response> {
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  const error = typeof body === 'object' && body !== null ? (body as { error?: unknown }).error : undefined;
  if (typeof error === 'object' && error !== null) return new Response(text, { status: response.status, statusText: response.statusText, headers: response.headers });
  throw new HttpStatusError(response.status, response.headers, typeof body === 'object' && body !== null ? body : text);
}

/** fetch within a budget permit; the outcome (status, Retry-After, bytes) goes back to the budget. */
export async function budgetedFetch(transport: HttpTransport, budget: RateBudget, url: string, init: RequestInit): Promise<Response> {
  const permit: Permit = await budget.acquire(init.signal ?? undefined);
  const bytesSent = bodyLength(init.body);
  try {
    const response = await transport.fetch(url, init);
    permit.release({
      status: response.status,
      retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
      bytesSent,
      bytesReceived: Number(response.headers.get('content-length') ?? 0) || 0,
    });
    return response;
  } catch (e) {
    permit.release(isAbort(e) ? { status: 499, bytesSent } : { bytesSent });
    throw e;
  }
}

const MAIL_ROUTE = /^\/?(?:v1\.0\/|beta\/)?(?:users\/([^/?]+)\/(?:messages|mailfolders|sendmail|settings\/exchange)|admin\/exchange\/mailboxes\/([^/?]+))/i;

/** The mailbox a mail route addresses, for its per-mailbox budget. */
export function mailboxOf(url: string): string | undefined {
  let path = url;
  if (/^https?:/i.test(url)) {
    try {
      path = new URL(url).pathname;
    } catch {
      return undefined;
    }
  }
  const m = MAIL_ROUTE.exec(path.replace(/^\//, ''));
  const id = m?.[1] ?? m?.[2];
  return id ? decodeURIComponent(id) : undefined;
}

/** msal-node refreshes a cached token this long before it expires; the memo below does the same. */
const TOKEN_REFRESH_MS = 5 * 60_000;
const tokenMemos = new WeakMap<TenantAuth, Map<TokenAudience, { token?: string; refreshAt: number; pending?: Promise<string> }>>();

/**
 * The tenant's access token, held until msal would refresh it. msal's own cache lookup costs more
 * CPU than a small request, and concurrent first calls would each sign in: this keeps one token
 * per audience and lets concurrent callers share one sign-in. Failures are not remembered.
 */
export function cachedToken(auth: TenantAuth, audience: TokenAudience): Promise<string> {
  let memos = tokenMemos.get(auth);
  if (!memos) tokenMemos.set(auth, (memos = new Map()));
  const m = memos.get(audience) ?? { refreshAt: 0 };
  memos.set(audience, m);
  if (m.token !== undefined && Date.now() < m.refreshAt) return Promise.resolve(m.token);
  if (m.pending) return m.pending;
  const pending = auth.token(audience).then(
    (token) => {
      m.pending = undefined;
      m.token = token;
      m.refreshAt = decodeClaims(token).expiresAt.getTime() - TOKEN_REFRESH_MS;
      return token;
    },
    (e: unknown) => {
      m.pending = undefined;
      m.token = undefined;
      throw e;
    },
  );
  m.pending = pending;
  return pending;
}

export function createGraph(deps: GraphDeps): GraphFacade {
  const { endpoints, auth, transport, budgets } = deps;
  const customHosts = endpoints.cloud === 'emulator' ? new Set([new URL(endpoints.graphBase).hostname]) : undefined;
  const capture = new ErrorCapture();
  const authHandler = new AuthenticationHandler({ getAccessToken: () => cachedToken(auth, 'graph') });
  const fetcher = new BudgetedFetch(transport);
  capture.setNext(authHandler);
  authHandler.setNext(fetcher);
  const client = Client.initWithMiddleware({
    baseUrl: endpoints.graphBase,
    defaultVersion: 'v1.0',
    middleware: capture,
    ...(customHosts ? { customHosts } : {}),
  });

  const budgetFor = (url: string, options?: GraphRequestOptions): RateBudget => {
    const mailbox = options?.mailbox ?? mailboxOf(url);
    return mailbox ? budgets.mailbox(mailbox) : budgets.graph;
  };

  const signalOf = (options?: GraphRequestOptions): AbortSignal | undefined => {
    const signals = [deps.signal, options?.signal].filter((s): s is AbortSignal => Boolean(s));
    return signals.length === 0 ? undefined : signals.length === 1 ? signals[0] : AbortSignal.any(signals);
  };

  const errorContext = (method: string, url: string, options?: GraphRequestOptions, body?: unknown) => ({
    tenant: deps.tenant,
    clientId: deps.clientId,
    method,
    url,
    ...(options?.object ? { object: options.object } : {}),
    // the credentials, and what the request itself carried (a new user's password): an answer may echo it
    secrets: body === undefined ? auth.knownSecrets() : [...auth.knownSecrets(), ...secretsInBody(body)],
    emulator: endpoints.cloud === 'emulator',
    ...(deps.retry?.maxRetryAfterMs !== undefined ? { maxRetryAfterMs: deps.retry.maxRetryAfterMs } : {}),
  });

  /** One facade call: an SDK request per attempt, retried per policy, errors mapped. */
  async function call<T>(method: string, url: string, options: GraphRequestOptions | undefined, run: (req: ReturnType<Client['api']>) => Promise<T>, body?: unknown): Promise<T> {
    const budget = budgetFor(url, options);
    const signal = signalOf(options);
    const idempotent = method !== 'POST' || Boolean(options?.safe);
    try {
      return await throttlePatient(deps.retry, signal, () => withRetry(
        async () => {
          const attempt = new AttemptOptions(budget, signal);
          let req = client.api(url).middlewareOptions([attempt]);
          if (options?.beta && !/^https?:/i.test(url)) req = req.version('beta');
          for (const [k, v] of Object.entries(options?.headers ?? {})) req = req.header(k, v);
          try {
            return await run(req);
          } catch (e) {
            // The SDK wraps errors thrown in the chain (our UserErrors, network failures): rethrow the original.
            throw attempt.error ?? e;
          }
        },
        classify,
        {
          idempotent,
          ...(signal ? { signal } : {}),
          onRetry: (info) => {
            budget.noteRetry();
            deps.log?.({ type: 'retry', tenant: deps.tenant, method, url: redactUrl(url), ...info });
          },
        },
        deps.retry,
      ));
    } catch (e) {
      throw interruption(e, signal) ?? toTenantError(e, errorContext(method, url, options, body));
    }
  }

  const graph: GraphFacade = {
    get: (url, options) => call('GET', url, options, (r) => r.get()),
    post: (url, body, options) => call('POST', url, options, (r) => r.post(body), body),
    patch: (url, body, options) => call('PATCH', url, options, (r) => r.patch(body), body),
    put: (url, body, options) => call('PUT', url, options, (r) => r.put(body), body),
    delete: (url, options) => call('DELETE', url, options, (r) => r.delete()),

    async *pages<T>(url: string, options?: GraphRequestOptions): AsyncIterable<T[]> {
      let next: string | undefined = url;
      while (next) {
        const page: { value?: T[]; '@odata.nextLink'?: string } = await call('GET', next, options, (r) => r.get());
        yield page.value ?? [];
        next = page['@odata.nextLink'];
      }
    },

    async delta<T>(urlOrDeltaLink: string, options?: GraphRequestOptions & { onPage?: (items: T[]) => void | Promise<void> }): Promise<DeltaResult<T>> {
      const items: T[] = [];
      let next = urlOrDeltaLink;
      for (;;) {
        let page: { value?: T[]; '@odata.nextLink'?: string; '@odata.deltaLink'?: string };
        try {
          page = await call('GET', next, options, (r) => r.get());
        } catch (e) {
          const status = (e as { details?: { status?: number } }).details?.status;
          if (status === 410) {
            const location = remoteFailure((e as Error).cause)?.location;
            deps.log?.({ type: 'delta-resync', tenant: deps.tenant, url: redactUrl(next) });
            return location ? { resync: true, location } : { resync: true };
          }
          throw e;
        }
        const value = page.value ?? [];
        if (options?.onPage) await options.onPage(value);
        else items.push(...value);
        if (page['@odata.nextLink']) next = page['@odata.nextLink'];
        else if (page['@odata.deltaLink']) return { resync: false, items, deltaLink: page['@odata.deltaLink'] };
        else throw toTenantError(new Error('a delta page carried neither @odata.nextLink nor @odata.deltaLink'), errorContext('GET', next, options));
      }
    },

    // RAW, not ARRAYBUFFER: the SDK reads a failed answer's body as bytes too and throws a bare
    // GraphError without its code, message, request id or Retry-After; readBody keeps them.
    bytes: (url, options) =>
      call('GET', url, options, async (r) => {
        const response = (await r.responseType(ResponseType.RAW).get()) as Response;
        if (!response.ok) await readBody(response);
        return Buffer.from(await response.arrayBuffer());
      }),

    sendBytes: (method, url, data, contentType, options) =>
      call(method, url, options, (r) => {
        const req = r.header('Content-Type', contentType);
        return method === 'PUT' ? req.put(data) : req.post(data);
      }),

    async preauthenticated<T>(method: 'PUT' | 'POST', url: string, data: Buffer | string | object, contentType: string, options?: GraphRequestOptions): Promise<T> {
      const budget = budgetFor(url, options);
      const signal = signalOf(options);
      const body = Buffer.isBuffer(data) || typeof data === 'string' ? data : JSON.stringify(data);
      try {
        return await withRetry(
          async () => {
            const response = await budgetedFetch(transport, budget, url, { method, body, headers: { 'Content-Type': contentType, ...options?.headers }, ...(signal ? { signal } : {}) });
            return (await readBody(response)) as T;
          },
          classify,
          { idempotent: method === 'PUT' || Boolean(options?.safe), ...(signal ? { signal } : {}), onRetry: () => budget.noteRetry() },
          deps.retry,
        );
      } catch (e) {
        // The URL carries a credential in its query: never show it.
        throw interruption(e, signal) ?? toTenantError(e, errorContext(method, redactUrl(url), options));
      }
    },

    async batch(requests, options) {
      const results: BatchResponse[] = new Array(requests.length);
      for (let start = 0; start < requests.length; start += 20) {
        const chunk = requests.slice(start, start + 20).map((request, i) => ({ index: start + i, request }));
        await runBatch(chunk, results, signalOf(options));
      }
      return results;
    },

    batchError(request, response) {
      const headers = new Headers(response.headers);
      return toTenantError(new HttpStatusError(response.status, headers, response.body), errorContext(request.method, request.url, undefined, request.body));
    },
  };

  /** One $batch of ≤ 20; inner throttles and transient failures are re-submitted together after the longest Retry-After. */
  async function runBatch(chunk: { index: number; request: BatchRequest }[], results: BatchResponse[], signal?: AbortSignal): Promise<void> {
    const policy = deps.retry ?? {};
    const clock = policy.clock ?? systemClock;
    const maxAttempts = policy.maxAttempts ?? 6;
    let pending = chunk;
    for (let round = 1; pending.length > 0; round++) {
      if (signal?.aborted) throw abortReason(signal);
      const body = {
        requests: pending.map(({ index, request }) => ({
          id: String(index),
          method: request.method,
          url: request.url.startsWith('/') ? request.url : `/${request.url}`,
          ...(request.body !== undefined ? { body: request.body, headers: { 'Content-Type': 'application/json', ...request.headers } } : request.headers ? { headers: request.headers } : {}),
        })),
      };
      // The outer POST may be repeated after a 5xx or a cut connection only when every inner
      // request may be: a gateway timeout can come after Graph ran them (a 429 was refused before
      // they ran, and is retried whatever they are).
      const safe = pending.every(({ request }) => request.method !== 'POST' || Boolean(request.safe));
      const answer = await call<{ responses?: { id: string; status: number; headers?: Record<string, string>; body?: unknown }[] }>('POST', '/$batch', { safe, ...(signal ? { signal } : {}) }, (r) => r.post(body));
      const byId = new Map((answer.responses ?? []).map((r) => [r.id, r]));
      const again: typeof pending = [];
      let waitMs = 0;
      for (const item of pending) {
        const r = byId.get(String(item.index));
        const response: BatchResponse = r
          ? { status: r.status, headers: lowerKeys(r.headers ?? {}), body: r.body ?? null }
          : { status: 500, headers: {}, body: { error: { code: 'MissingBatchResponse', message: 'the $batch answer had no response for this request' } } };
        results[item.index] = response;
        const idempotent = item.request.method !== 'POST' || Boolean(item.request.safe);
        const retryable = response.status === 429 || (RETRYABLE_STATUS.has(response.status) && idempotent);
        if (retryable && round < maxAttempts) {
          const retryAfterMs = parseRetryAfter(response.headers['retry-after']);
          const budget = budgetFor(item.request.url);
          if (response.status === 429) budget.noteThrottle(retryAfterMs);
          // As for a direct request (withRetry): a longer wait than the policy allows is not waited
          // for; the answer is returned, and batchError reads it as the error a direct call throws.
          if (retryAfterMs !== undefined && retryAfterMs > (policy.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS)) continue;
          budget.noteRetry();
          waitMs = Math.max(waitMs, retryAfterMs ?? 0);
          again.push(item);
        }
      }
      if (again.length > 0) {
        deps.log?.({ type: 'batch-retry', tenant: deps.tenant, count: again.length, delayMs: waitMs, round });
        // Without Retry-After, back off as for a direct request.
        await clock.sleep(waitMs || Math.min(policy.maxMs ?? 30_000, (policy.baseMs ?? 500) * 2 ** (round - 1)), signal);
      }
      pending = again;
    }
  }

  return graph;
}

/** Rounds of the retry policy a request may spend on throttling (429) alone. */
const THROTTLE_ROUNDS = 10;

/**
 * Run `attempts` (one round of the retry policy) again while it keeps ending on a 429: a throttled
 * request was refused before it ran, so repeating it is always safe, and under a rate limit shared
 * by many requests one of them can lose the race for the refilled budget several times in a row.
 * Other failures, and a 429 after THROTTLE_ROUNDS rounds, are thrown as they are.
 */
export async function throttlePatient<T>(policy: RetryPolicy | undefined, signal: AbortSignal | undefined, attempts: () => Promise<T>): Promise<T> {
  const clock = policy?.clock ?? systemClock;
  for (let round = 1; ; round++) {
    try {
      return await attempts();
    } catch (e) {
      const f = classify(e);
      if (f?.status !== 429 || round >= THROTTLE_ROUNDS || signal?.aborted) throw e;
      if (f.retryAfterMs !== undefined && f.retryAfterMs > (policy?.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS)) throw e;
      await clock.sleep(f.retryAfterMs ?? policy?.baseMs ?? 500, signal);
    }
  }
}

/** How a failed attempt looks to the retry loop. */
export function classify(e: unknown): FailureClass | undefined {
  if (isAbort(e)) return undefined;
  const f = remoteFailure(e);
  if (f) return f.retryAfterMs !== undefined ? { status: f.status, retryAfterMs: f.retryAfterMs } : { status: f.status };
  const net = networkFailure(e);
  if (net && !net.tls) return { notSent: net.notSent };
  return undefined;
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  let body: unknown = text;
  if (/json/i.test(response.headers.get('content-type') ?? '') && text) {
    try {
      body = JSON.parse(text);
    } catch {
      // keep the text
    }
  }
  if (!response.ok) throw new HttpStatusError(response.status, response.headers, body);
  return text === '' ? undefined : body;
}

export { readBody as readResponseBody };

function plainHeaders(h: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h) return out;
  if (typeof (h as Headers).forEach === 'function' && !Array.isArray(h)) {
    (h as Headers).forEach((v, k) => (out[k] = v));
    return out;
  }
  if (Array.isArray(h)) for (const [k, v] of h as [string, string][]) out[k] = v;
  else Object.assign(out, h);
  return out;
}

function bodyLength(body: unknown): number {
  if (body === undefined || body === null) return 0;
  if (typeof body === 'string') return Buffer.byteLength(body);
  if (Buffer.isBuffer(body) || body instanceof Uint8Array) return body.byteLength;
  if (body instanceof ArrayBuffer) return body.byteLength;
  return 0;
}

function lowerKeys(h: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), String(v)]));
}

/** Drop query strings (tokens, pre-authenticated credentials) from URLs that go to logs and messages. */
export function redactUrl(url: string): string {
  return url.replace(/\?.*$/, '');
}
