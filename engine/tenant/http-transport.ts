// The one place t2t opens HTTPS connections to a tenant. Real clouds use the system trust store;
// an emulator tenant trusts the emulator's private CA, and only for that tenant's connections
// (its own undici Agent), so the CA can never vouch for a real Microsoft host.
import { getMaxListeners, setMaxListeners } from 'node:events';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { Agent, fetch as undiciFetch } from 'undici';
import type { Tenant } from '../manifest/model.js';
import { UserError } from '../errors.js';
import { abortReason } from './clock.js';

/** Web-standard fetch over the tenant's trust settings. */
export type TenantFetch = (url: string, init?: RequestInit) => Promise<Response>;

export interface HttpTransport {
  readonly fetch: TenantFetch;
  close(): Promise<void>;
}

export interface TransportContext {
  readonly projectDir: string;
  readonly env: NodeJS.ProcessEnv;
}

/** Where the emulator CA comes from: tenant caFile -> T2T_EMULATOR_CA -> $T2T_HOME/emulator/ca.pem (T2T_HOME default ~/.t2t). */
export function emulatorCaPath(tenant: Pick<Tenant, 'caFile'>, ctx: TransportContext): { path: string; from: string } {
  if (tenant.caFile) return { path: isAbsolute(tenant.caFile) ? tenant.caFile : resolve(ctx.projectDir, tenant.caFile), from: 'the tenant\'s caFile' };
  if (ctx.env.T2T_EMULATOR_CA) return { path: resolve(ctx.env.T2T_EMULATOR_CA), from: 'T2T_EMULATOR_CA' };
  const home = ctx.env.T2T_HOME || join(ctx.env.HOME || homedir(), '.t2t');
  return { path: join(home, 'emulator', 'ca.pem'), from: '$T2T_HOME/emulator/ca.pem' };
}

/** Read the emulator CA; a missing file is a UserError that says how to get one. */
export function readEmulatorCa(tenant: Pick<Tenant, 'name' | 'caFile' | 'position'>, ctx: TransportContext): string {
  const { path, from } = emulatorCaPath(tenant, ctx);
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw new UserError(
      `tenant '${tenant.name}': the emulator's CA certificate ${path} (from ${from}) does not exist`,
      'tenant.emulatorCaMissing',
      `start the emulator first (t2t emulator --config FILE creates it), or set spec.tenants.${tenant.name}.caFile or T2T_EMULATOR_CA to its ca.pem`,
      tenant.position,
    );
  }
}

/** A transport for one tenant. The CA is read on first use, so building a client never fails. */
export function createTransport(tenant: Pick<Tenant, 'name' | 'cloud' | 'caFile' | 'position'>, ctx: TransportContext): HttpTransport {
  let agent: Agent | undefined;
  const dispatcher = (): Agent => {
    if (!agent) {
      const ca = tenant.cloud === 'emulator' ? readEmulatorCa(tenant, ctx) : undefined;
      agent = new Agent({ connect: ca ? { ca } : {}, keepAliveTimeout: 10_000 });
    }
    return agent;
  };
  return {
    fetch: async (url, init = {}) => {
      const outer = init.signal;
      if (!outer) return (await undiciFetch(url, { ...(init as object), dispatcher: dispatcher() } as Parameters<typeof undiciFetch>[1])) as unknown as Response;
      // undici keeps an abort listener on the request's signal until the request is garbage
      // collected: a client-wide signal on thousands of requests piles up listeners (and a
      // MaxListenersExceededWarning). Each request gets its own signal, linked to the caller's
      // until its body has been read.
      allowOneListenerPerRequest(outer);
      const own = new AbortController();
      const onAbort = () => own.abort(outer.reason);
      if (outer.aborted) onAbort();
      else outer.addEventListener('abort', onAbort, { once: true });
      const unlink = () => outer.removeEventListener('abort', onAbort);
      let response: Response;
      try {
        response = (await undiciFetch(url, { ...(init as object), signal: own.signal, dispatcher: dispatcher() } as Parameters<typeof undiciFetch>[1])) as unknown as Response;
      } catch (e) {
        unlink();
        // undici rejects with the signal's reason as it is (for Ctrl-C the string 'SIGINT'): make
        // it an AbortError, or it reads as a failed connection.
        if (own.signal.aborted) throw abortReason(own.signal);
        throw e;
      }
      unlinkWhenRead(response, unlink, own.signal);
      return response;
    },
    close: async () => {
      const a = agent;
      agent = undefined;
      await a?.close();
    },
  };
}

const sharedSignals = new WeakSet<AbortSignal>();

/** A client-wide signal holds one listener per request in flight (apply runs up to 1,024 changes
 *  at once), each removed once its body is read: no leak, so no MaxListenersExceededWarning on
 *  the user's terminal once more than ten requests are in flight. */
function allowOneListenerPerRequest(signal: AbortSignal): void {
  if (sharedSignals.has(signal)) return;
  sharedSignals.add(signal);
  const limit = getMaxListeners(signal);
  if (limit !== 0 && limit < 4096) setMaxListeners(4096, signal);
}

/** Call `done` once the response body has been read (or failed) through its reading methods; a
 *  read cut off by the signal fails with an AbortError, as the request itself does. */
function unlinkWhenRead(response: Response, done: () => void, signal: AbortSignal): void {
  if (response.body === null) return done();
  const r = response as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
  for (const m of ['text', 'json', 'arrayBuffer', 'blob', 'formData', 'bytes']) {
    const read = r[m];
    if (typeof read !== 'function') continue;
    r[m] = (...a: unknown[]) =>
      read
        .apply(response, a)
        .catch((e: unknown) => {
          throw signal.aborted ? abortReason(signal) : e;
        })
        .finally(done);
  }
}

const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);
const TLS_TRUST = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/;

export interface NetworkFailure {
  /** System or undici error code, e.g. ECONNREFUSED. */
  readonly code: string;
  /** The request never reached the service: repeating it is always safe. */
  readonly notSent: boolean;
  /** The server's certificate was not trusted: retrying will not help. */
  readonly tls: boolean;
}

/** Recognise a failure of the connection (not an HTTP status) in an error and its causes. */
export function networkFailure(e: unknown): NetworkFailure | undefined {
  for (let c: unknown = e, depth = 0; c && depth < 6; c = (c as { cause?: unknown }).cause, depth++) {
    const code = (c as { code?: unknown }).code;
    if (typeof code === 'string' && (NOT_SENT.has(code) || TLS_TRUST.test(code) || /^(ECONN|EPIPE|ETIMEDOUT|UND_ERR)/.test(code))) {
      return { code, notSent: NOT_SENT.has(code), tls: TLS_TRUST.test(code) };
    }
  }
  if (e instanceof TypeError && /fetch failed/.test(e.message)) {
    const cause = (e.cause as Error | undefined)?.message;
    return { code: cause ? `fetch failed: ${cause}` : 'fetch failed', notSent: false, tls: false };
  }
  return undefined;
}
