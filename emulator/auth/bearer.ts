// Bearer token validation for Graph and the Exchange admin API: signature (the emulator's own
// signing key), lifetime (wall clock, as msal-node caches by it), audience; yields tenant, app, roles.
import type { Emulator } from '../store/emulator-state.js';
import type { TenantState } from '../store/tenant-state.js';
import { unauthorized } from '../core/errors.js';
import { decodeJwt, verifyJwtSignature } from './jwt.js';

export interface Caller {
  tenant: TenantState;
  appId: string;
  roles: string[];
}

// Verifying RS256 costs ~50 µs; a client reuses its token for an hour, so remember good ones.
const verified = new Map<string, { caller: Omit<Caller, 'tenant'> & { tid: string }; exp: number; aud: string }>();

export function authenticate(emulator: Emulator, authorization: string | undefined, audience: string): Caller {
  const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (!m) throw unauthorized(authorization ? 'IDX14100: JWT is not well formed.' : 'Access token is empty.');
  const token = m[1]!;
  let entry = verified.get(token);
  if (!entry) {
    const jwt = decodeJwt(token);
    if (!jwt) throw unauthorized('IDX14100: JWT is not well formed, there are no dots (.).');
    if (!emulator.signer || !verifyJwtSignature(jwt, emulator.signer.publicKey)) throw unauthorized('Access token validation failure. Signature is invalid.');
    const p = jwt.payload;
    entry = {
      caller: { tid: String(p.tid ?? ''), appId: String(p.appid ?? ''), roles: Array.isArray(p.roles) ? p.roles.map(String) : [] },
      exp: typeof p.exp === 'number' ? p.exp : 0,
      aud: String(p.aud ?? ''),
    };
    if (verified.size > 10_000) verified.clear();
    verified.set(token, entry);
  }
  if (entry.exp * 1000 < Date.now()) throw unauthorized('Lifetime validation failed, the token is expired.');
  if (entry.aud !== audience) throw unauthorized('Access token validation failure. Invalid audience.');
  const tenant = emulator.tenant(entry.caller.tid);
  if (!tenant) throw unauthorized(`Access token validation failure: tenant '${entry.caller.tid}' does not exist.`);
  return { tenant, appId: entry.caller.appId, roles: entry.caller.roles };
}
