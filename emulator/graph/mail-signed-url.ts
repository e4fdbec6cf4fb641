// Pre-authenticated URLs (mailbox import URL, OneDrive upload and download URLs): the URL
// carries a token `payload.signature`, the payload being base64url JSON with the tenant id and
// an expiry, the signature an HMAC-SHA256 under a key that lives only in this process. So a
// URL stops working when it expires, when it is altered, and when the emulator restarts
// (clients create a new session then, as they must after any expiry).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { GraphError, type EmuRequest, type ThrottleScope } from '../core/http-types.js';
import { mailboxKey } from '../core/throttle.js';

const KEY = randomBytes(32);

export interface SignedPayload {
  /** Tenant id. */
  t: string;
  /** Expiry, ms since epoch. */
  e: number;
  [k: string]: unknown;
}

const sign = (data: string) => createHmac('sha256', KEY).update(data).digest('base64url');

export function signToken(payload: SignedPayload): string {
  const data = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${data}.${sign(data)}`;
}

/** The payload of a valid, unexpired token of the given kind, or a 401 in Graph's shape. */
export function verifyToken(token: string | null | undefined, kind: string, now: number): SignedPayload {
  const refuse = (why: string) => new GraphError(401, 'InvalidAuthenticationToken', why);
  const [data, sig] = (token ?? '').split('.');
  if (!data || !sig) throw refuse('The pre-authenticated URL has no valid token.');
  const expected = Buffer.from(sign(data));
  const given = Buffer.from(sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw refuse('The pre-authenticated URL token is not valid (signature mismatch).');
  const payload = JSON.parse(Buffer.from(data, 'base64url').toString('utf8')) as SignedPayload;
  if (payload['k'] !== kind) throw refuse('The pre-authenticated URL token is not valid for this operation.');
  if (now >= payload.e) throw refuse('The pre-authenticated URL has expired; create a new session.');
  return payload;
}

type ScopeInput = Pick<EmuRequest, 'params' | 'query' | 'now' | 'emulator'>;

function scopeOf(token: string | null | undefined, kind: string, now: number, emulator: ScopeInput['emulator']): { p: SignedPayload; scope: ThrottleScope } | undefined {
  let p: SignedPayload;
  try {
    p = verifyToken(token, kind, now);
  } catch {
    return undefined; // the handler answers the 401
  }
  const tenant = emulator.tenant(p.t);
  return tenant ? { p, scope: { tenant, appId: typeof p['a'] === 'string' ? p['a'] : '' } } : undefined;
}

/** Throttling scope of an import URL: the session's tenant, app and mailbox (route.throttleScope). */
export function importScope(req: ScopeInput): ThrottleScope | undefined {
  const s = scopeOf(req.query.get('authtoken'), 'import', req.now, req.emulator);
  return s && { ...s.scope, mailbox: mailboxKey(s.scope.tenant, String(s.p['m'])) };
}

/** Throttling scope of an upload session URL (/up/{session}?tempauth=…): its tenant and app (drive budget). */
export function uploadScope(req: ScopeInput): ThrottleScope | undefined {
  return scopeOf(req.query.get('tempauth'), 'upload', req.now, req.emulator)?.scope;
}

/** Throttling scope of a download URL (/download/{item}?tempauth=…). */
export function downloadScope(req: ScopeInput): ThrottleScope | undefined {
  return scopeOf(req.query.get('tempauth'), 'download', req.now, req.emulator)?.scope;
}
