// The error factory and renderer: every failure leaves the emulator in the wire format of the real
// service (Azurite's StorageErrorFactory idea). Graph: {error:{code,message,innerError:{date,
// request-id,client-request-id}}}; Exchange admin API: {error:{code,message,details:[{message:
// "code|type|message"}],innererror}}; the identity platform: AADSTS bodies (see auth/aad-errors.ts).
import { GraphError, type EmuResponse } from './http-types.js';

/** A GraphError whose innerError carries extra fields (429: code "429", status "429"). */
export class GraphErrorWithInner extends GraphError {
  constructor(status: number, code: string, message: string, headers: Record<string, string>, readonly inner: Record<string, string>) {
    super(status, code, message, headers);
  }
}

/** An Exchange cmdlet failure; `type` is the .NET exception type the real service names. */
export class ExchangeError extends GraphError {
  constructor(
    status: number,
    readonly type: string,
    message: string,
    code = 'InternalServerError',
  ) {
    super(status, code, message);
  }
}

/** A response that must go out exactly as built (identity platform errors, for instance). */
export class RawErrorResponse extends Error {
  constructor(readonly response: EmuResponse) {
    super(`HTTP ${response.status}`);
  }
}

export const forbidden = () => new GraphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');

export const unauthorized = (message: string) =>
  new GraphError(401, 'InvalidAuthenticationToken', message, { 'WWW-Authenticate': 'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"' });

export const tooManyRequests = (message: string, retryAfterSeconds: number, headers: Record<string, string> = {}, code = 'TooManyRequests') =>
  new GraphErrorWithInner(429, code, message, { 'Retry-After': formatSeconds(retryAfterSeconds), ...headers }, { code: '429', status: '429' });

/** Retry-After in seconds: whole seconds when >= 10, else up to 3 decimals (never 0). */
export function formatSeconds(s: number): string {
  if (s >= 10) return String(Math.ceil(s));
  return String(Math.max(0.001, Math.ceil(s * 1000) / 1000));
}

export interface ErrorContext {
  path: string;
  requestId: string;
  clientRequestId: string;
  now: number;
}

let exchangeSeq = 0;

export function renderError(e: unknown, ctx: ErrorContext): EmuResponse {
  if (e instanceof RawErrorResponse) return e.response;
  const date = new Date(ctx.now).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const ids = { 'request-id': ctx.requestId, 'client-request-id': ctx.clientRequestId };
  if (e instanceof GraphError) {
    if (/^\/adminapi\//i.test(ctx.path) && !(e instanceof GraphErrorWithInner) && e.status !== 401) {
      const type = e instanceof ExchangeError ? e.type : `Microsoft.Exchange.Management.${e.code}`;
      const tag = `Ex${(0x100000 + (++exchangeSeq % 0xeffff)).toString(16).toUpperCase()}`;
      return {
        status: e.status,
        headers: { ...e.headers, ...ids },
        body: {
          error: {
            code: e instanceof ExchangeError ? e.code : e.code,
            message: e.message,
            details: [{ code: 'Context', target: '', message: `${tag}|${type}|${e.message}` }],
            innererror: { message: e.message, type, stacktrace: '' },
            'adminapi.warnings@odata.type': '#Collection(String)',
            '@adminapi.warnings': [],
          },
        },
      };
    }
    const inner = e instanceof GraphErrorWithInner ? { ...e.inner, date, ...ids } : { date, ...ids };
    return { status: e.status, headers: { ...e.headers, ...ids }, body: { error: { code: e.code, message: e.message, innerError: inner } } };
  }
  // A bug in a handler: answer as Graph does for its own failures, and say where to look.
  const message = e instanceof Error ? e.message : String(e);
  process.stderr.write(`t2t emulator: internal error on ${ctx.path} (request-id ${ctx.requestId}): ${e instanceof Error && e.stack ? e.stack : message}\n`);
  return {
    status: 500,
    headers: ids,
    body: { error: { code: 'generalException', message: `An internal error occurred in the emulator: ${message}`, innerError: { date, ...ids } } },
  };
}
