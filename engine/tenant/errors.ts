// Remote failures become TenantErrors naming the tenant, the object, the HTTP status and the
// service's request id, with a hint for the common cases (missing permission, missing object,
// licence problems). Connection failures and sign-in problems keep their own typed errors.
import { T2tError, TenantError } from '../errors.js';
import { abortReason } from './clock.js';
import { networkFailure } from './http-transport.js';
import { requiredRole } from './permissions.js';
import { DEFAULT_MAX_RETRY_AFTER_MS, parseRetryAfter } from './retry.js';
import { redact } from './secrets.js';

/** A non-2xx answer, normalised from the Graph SDK's GraphError or t2t's own HttpStatusError. */
export interface RemoteFailure {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly requestId?: string;
  readonly retryAfterMs?: number;
  readonly location?: string;
}

/** Thrown by t2t's own HTTP calls (Exchange admin, pre-authenticated URLs) for a non-2xx answer. */
export class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    readonly headers: Headers,
    readonly body: unknown,
  ) {
    super(`HTTP ${status}`);
    this.name = 'HttpStatusError';
  }
}

interface ErrorBody {
  error?: { code?: string; message?: string; innerError?: Record<string, unknown>; innererror?: Record<string, unknown>; details?: unknown };
}

/** Read status, code, message, request id and Retry-After from any HTTP failure; undefined otherwise. */
export function remoteFailure(e: unknown): RemoteFailure | undefined {
  if (e instanceof HttpStatusError) {
    const body = (typeof e.body === 'object' && e.body ? e.body : {}) as ErrorBody;
    const inner = body.error?.innerError ?? body.error?.innererror ?? {};
    return compact({
      status: e.status,
      code: body.error?.code ?? `HTTP${e.status}`,
      message: body.error?.message ?? (body.error ? `HTTP ${e.status}` : notAnError(e.body, e.headers.get('content-type'))),
      requestId: str(inner['request-id']) ?? e.headers.get('request-id') ?? e.headers.get('client-request-id') ?? undefined,
      retryAfterMs: parseRetryAfter(e.headers.get('retry-after')),
      location: e.headers.get('location') ?? undefined,
    });
  }
  const g = e as { statusCode?: unknown; code?: unknown; message?: unknown; requestId?: unknown; headers?: Headers; body?: unknown };
  if (e instanceof Error && typeof g.statusCode === 'number' && g.statusCode > 0) {
    const headers = g.headers && typeof g.headers.get === 'function' ? g.headers : undefined;
    return compact({
      status: g.statusCode,
      code: str(g.code) ?? `HTTP${g.statusCode}`,
      message: str(g.message) || `HTTP ${g.statusCode}`,
      requestId: str(g.requestId) ?? headers?.get('request-id') ?? undefined,
      retryAfterMs: parseRetryAfter(headers?.get('retry-after')),
      location: headers?.get('location') ?? undefined,
    });
  }
  return undefined;
}

/**
 * What a failed answer without a JSON error said, for the message: its kind and first bytes
 * (whitespace folded). Kept longer than a message shows: toTenantError masks secrets in the whole
 * text before it cuts the message, so a secret is never cut in two and half shown.
 */
function notAnError(body: unknown, contentType: string | null): string {
  const type = contentType?.split(';')[0]!.trim() || 'no content type';
  const text = typeof body === 'string' ? body : body === undefined || body === null ? '' : Buffer.isBuffer(body) ? body.toString('utf8') : JSON.stringify(body);
  if (text.trim() === '') return `the answer has an empty body (${type}), not a JSON error`;
  const kind = typeof body === 'object' && !Buffer.isBuffer(body) ? 'is JSON without an error object' : 'is not JSON';
  return `the answer ${kind} (${type}, ${Buffer.byteLength(text)} bytes): ${text.slice(0, 4096).replace(/\s+/g, ' ').trim()}`;
}

export interface ErrorContext {
  readonly tenant: string;
  readonly clientId?: string;
  readonly method: string;
  readonly url: string;
  /** What the request was about, e.g. "user alice@contoso.com"; defaults to the URL path. */
  readonly object?: string;
  readonly secrets?: readonly string[];
  readonly emulator?: boolean;
  /** The retry policy's ceiling of an honoured Retry-After (RetryPolicy.maxRetryAfterMs; default 5 min). */
  readonly maxRetryAfterMs?: number;
}

const LICENCE_USAGE = /usage ?location/i;
const LICENCE_UNITS = /(available|enough|sufficient) licen[cs]es|licen[cs]e.*(quota|exceed)|CountViolation/i;

/** Turn any failure of a tenant request into a T2tError (typed errors pass through). */
export function toTenantError(e: unknown, ctx: ErrorContext): T2tError {
  if (e instanceof T2tError) return e;
  if (isAbort(e)) throw e;
  const object = ctx.object ?? objectOf(ctx.url);
  const failure = remoteFailure(e);
  if (!failure) {
    const net = networkFailure(e);
    const reason = net?.code ?? (e as Error)?.message ?? String(e);
    return new TenantError(
      `tenant '${ctx.tenant}': ${ctx.method} ${object} failed: cannot reach the service (${redact(reason, ctx.secrets ?? [])})`,
      'tenant.unreachable',
      { tenant: ctx.tenant, object, retryable: true },
      ctx.emulator ? 'start the emulator (t2t emulator --config FILE) and check the tenant endpoint' : 'check network access to the tenant (proxy, firewall) and retry',
      { cause: e },
    );
  }
  const { status, code, requestId } = failure;
  const message = redact(failure.message, ctx.secrets ?? []).split(/\r?\n/)[0]!.slice(0, 300);
  let hint: string | undefined;
  let missing: string | undefined;
  if (status === 403 || code === 'Authorization_RequestDenied' || code === 'ErrorAccessDenied') {
    missing = requiredRole(ctx.method, ctx.url);
    hint = missing
      ? `grant the application permission ${missing} to app ${ctx.clientId ?? '(auth.clientId)'} in tenant '${ctx.tenant}' and give admin consent; 't2t tenants' lists every missing permission`
      : `grant app ${ctx.clientId ?? '(auth.clientId)'} the permission this request needs; 't2t tenants' lists every missing permission`;
  } else if (status === 401) {
    hint = `the tenant refused the token: check spec.tenants.${ctx.tenant}.auth and that the app has admin consent`;
  } else if (status === 404) {
    hint = 'the object does not exist (or was just created and has not replicated yet): run discover again';
  } else if (status === 400 && LICENCE_USAGE.test(message)) {
    hint = 'set usageLocation on the user before assigning a licence (add it to spec.attributes)';
  } else if (status === 400 && LICENCE_UNITS.test(message)) {
    hint = "no free units of that SKU: buy more, or list another SKU in the profile's license.skus";
  } else if ((status === 429 || status >= 500) && failure.retryAfterMs !== undefined && failure.retryAfterMs > (ctx.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS)) {
    hint = `the service asked to wait ${duration(failure.retryAfterMs)} before retrying, longer than t2t waits (${duration(ctx.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS)}): run again after that wait`;
  } else if (status === 429) {
    hint = 'the tenant kept throttling after every retry: lower --concurrency or run again later';
  } else if (status >= 500) {
    hint = 'the service failed; apply is safe to run again';
  } else if (status === 410) {
    hint = 'the delta token expired: run discover --full';
  }
  const retryable = status === 429 || status >= 500;
  return new TenantError(
    `tenant '${ctx.tenant}': ${ctx.method} ${object} failed: ${status} ${code}: ${message}${missing ? ` (needs ${missing})` : ''}${requestId ? ` [request-id ${requestId}]` : ''}`,
    status === 403 ? 'tenant.forbidden' : `tenant.http${status}`,
    compact({ tenant: ctx.tenant, object, status, requestId, retryable }),
    hint,
    { cause: e },
  );
}

/** Exchange admin errors: error.details holds "code|type|message" texts; the cmdlet and identity name the object. */
export function toExchangeError(e: unknown, ctx: ErrorContext & { cmdlet: string; identity?: string }): T2tError {
  if (e instanceof T2tError) return e;
  const object = `${ctx.cmdlet}${ctx.identity ? ` -Identity ${ctx.identity}` : ''}`;
  if (e instanceof HttpStatusError) {
    const body = (typeof e.body === 'object' && e.body ? e.body : {}) as ErrorBody;
    const detail = exchangeDetail(body.error?.details);
    if (detail && e.status !== 403) {
      const failure = remoteFailure(e)!;
      const message = redact(detail.message, ctx.secrets ?? []);
      return new TenantError(
        `tenant '${ctx.tenant}': ${object} failed: ${detail.code ? `${detail.code}: ` : ''}${message}${failure.requestId ? ` [request-id ${failure.requestId}]` : ''}`,
        `tenant.exchange${e.status}`,
        compact({ tenant: ctx.tenant, object, status: e.status, requestId: failure.requestId, retryable: e.status === 429 || e.status >= 500 }),
        /couldn't be found|ManagementObjectNotFound/i.test(`${detail.code ?? ''} ${message}`) ? 'the recipient does not exist (or has not replicated yet): run discover again' : e.status === 429 || e.status >= 500 ? 'Exchange failed or throttled the cmdlet: apply is safe to run again' : 'Exchange refused the cmdlet for the reason shown: fix that in the tenant (or the manifest) and run apply again',
        { cause: e },
      );
    }
  }
  return toTenantError(e, { ...ctx, object });
}

function exchangeDetail(details: unknown): { code?: string; message: string } | undefined {
  const items = Array.isArray(details) ? details : details ? [details] : [];
  for (const d of items) {
    const text = typeof d === 'string' ? d : str((d as { message?: unknown }).message) ?? str((d as { code?: unknown }).code);
    if (!text) continue;
    const parts = text.split('|');
    // "ErrorId|ExceptionType|text": the exception's short name says more to a user than the id.
    if (parts.length >= 3) return { code: parts[1]!.trim().split('.').pop() || parts[0]!.trim() || undefined, message: parts.slice(2).join('|').trim() } as { code?: string; message: string };
    return { message: text.trim() };
  }
  return undefined;
}

export function isAbort(e: unknown): boolean {
  return (e as { name?: string })?.name === 'AbortError' || (e as { name?: string })?.name === 'TimeoutError';
}

/**
 * The interruption a failed request stands for, or undefined for a real failure. Once the caller's
 * signal is aborted, whatever the request failed with (a cut connection, a body read that stopped)
 * is the interruption, never a tenant that cannot be reached.
 */
export function interruption(e: unknown, signal: AbortSignal | undefined): Error | undefined {
  if (signal?.aborted) return abortReason(signal);
  return isAbort(e) ? (e as Error) : undefined;
}

/** "/v1.0/users/abc?$select=x" -> "users/abc" */
function objectOf(url: string): string {
  let p = url;
  try {
    if (/^https?:/i.test(url)) p = new URL(url).pathname;
  } catch {
    // relative
  }
  return p.split('?')[0]!.replace(/^\/?(v1\.0|beta)\//, '').replace(/^\//, '');
}

/** 0.05 s, 90 s, 5 min, 2 h: a wait as a user reads it. */
function duration(ms: number): string {
  if (ms < 120_000) return `${Math.round(ms) / 1000} s`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 3_600_000)} h`;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null)) as T;
}
