// Sign-in for one tenant with @azure/msal-node (client credentials: secret or certificate).
// Tokens live in msal's in-memory cache. Every HTTP call msal makes goes through the tenant's
// transport, so an emulator tenant trusts the emulator CA and nothing else does.
import {
  ConfidentialClientApplication,
  LogLevel,
  type Configuration,
  type INetworkModule,
  type NetworkRequestOptions,
  type NetworkResponse,
} from '@azure/msal-node';
import type { Tenant } from '../manifest/model.js';
import { T2tError, TenantError, UserError } from '../errors.js';
import type { CloudEndpoints } from './clouds.js';
import { networkFailure, type HttpTransport } from './http-transport.js';
import { abortReason } from './clock.js';
import { parseRetryAfter, RETRYABLE_STATUS, withRetry, type RetryPolicy } from './retry.js';
import { redact, resolveCertificate, resolveSecret } from './secrets.js';

export type TokenAudience = 'graph' | 'exchange';

/** What `t2t tenants` shows about a token. Never the token itself. */
export interface TokenClaims {
  readonly roles: readonly string[];
  readonly expiresAt: Date;
  readonly tid: string;
  readonly appId: string;
}

export interface AuthContext {
  readonly projectDir: string;
  readonly env: NodeJS.ProcessEnv;
}

/** Decode a JWT's payload (no verification: the tenant issued it to us over TLS). */
export function decodeClaims(accessToken: string): TokenClaims {
  const payload = accessToken.split('.')[1];
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    // not a JWT (some clouds issue opaque tokens): no claims to show
  }
  return {
    roles: Array.isArray(body.roles) ? (body.roles as unknown[]).map(String) : [],
    expiresAt: new Date(typeof body.exp === 'number' ? body.exp * 1000 : 0),
    tid: String(body.tid ?? ''),
    appId: String(body.appid ?? body.azp ?? ''),
  };
}

/** An answer of the sign-in endpoint that msal could not use: msal reports it only as
 *  endpoints_resolution_error, the same code as for a connection that failed. */
export interface RefusedAnswer {
  readonly url: string;
  readonly status: number;
  readonly body: unknown;
}

/** What msal's network client reports besides msal's own result (msal replaces both transport
 *  errors and unusable answers by codes of its own: these keep what really happened). */
export interface NetworkObserver {
  /** A transport failure: connection refused, untrusted certificate, our own missing-CA error. */
  onNetworkError?(e: unknown): void;
  /** A GET (authority metadata, instance discovery) answered with a non-2xx status or a body that is an error or not JSON. */
  onRefusedAnswer?(answer: RefusedAnswer): void;
  /** The token request was still throttled (429) or failed (5xx) after every attempt. */
  onUnavailable?(answer: RefusedAnswer & { readonly attempts: number }): void;
}

/** Sign-in requests are repeated on 429 and 5xx: a passing outage or throttling of the identity
 *  platform must not read as a refused credential. Asking for a token (or the authority's
 *  metadata) twice changes nothing, so every one may be repeated. */
export const SIGN_IN_RETRY: RetryPolicy = { maxAttempts: 4, baseMs: 1000, maxMs: 8000, maxRetryAfterMs: 60_000 };

/** A 429 or 5xx answer, thrown so that withRetry repeats the request. */
class TransientAnswer extends Error {
  constructor(
    readonly response: Response,
    readonly attempts: number,
  ) {
    super(`HTTP ${response.status}`);
  }
}

/** msal-node's network client over the tenant's transport. */
export function msalNetworkClient(transport: HttpTransport, observer: NetworkObserver = {}, retry: RetryPolicy = SIGN_IN_RETRY, signal?: AbortSignal): INetworkModule {
  const send = async <T>(url: string, method: 'GET' | 'POST', options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> => {
    const once = async (attempt: number): Promise<Response> => {
      const signal = timeout ? AbortSignal.timeout(timeout) : undefined;
      let answer: Response;
      try {
        answer = await transport.fetch(url, {
          method,
          headers: options?.headers ?? {},
          ...(method === 'POST' ? { body: options?.body ?? '' } : {}),
          ...(signal ? { signal } : {}),
        });
      } catch (e) {
        // msal replaces transport errors by its own codes: keep the original for the user's message.
        observer.onNetworkError?.(e);
        throw e;
      }
      if (RETRYABLE_STATUS.has(answer.status)) throw new TransientAnswer(answer, attempt);
      return answer;
    };
    let response: Response;
    let attempts = 1;
    try {
      response = await withRetry(once, (e) => (e instanceof TransientAnswer ? { status: e.response.status, retryAfterMs: parseRetryAfter(e.response.headers.get('retry-after')) } : undefined), { idempotent: true, ...(signal ? { signal } : {}) }, retry);
    } catch (e) {
      if (!(e instanceof TransientAnswer)) throw e;
      // still failing: msal gets the last answer as it is, and the user a message saying so
      response = e.response;
      attempts = e.attempts;
    }
    const text = await response.text();
    let body: unknown = {};
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      body = { error: 'invalid_response', error_description: `the sign-in endpoint answered ${response.status} with a body that is not JSON` };
    }
    if (method === 'GET' && (response.status < 200 || response.status > 299 || (typeof body === 'object' && body !== null && 'error' in body))) {
      observer.onRefusedAnswer?.({ url, status: response.status, body });
    }
    if (method === 'POST' && RETRYABLE_STATUS.has(response.status)) observer.onUnavailable?.({ url, status: response.status, body, attempts });
    const headers: Record<string, string> = {};
    response.headers.forEach((v, k) => (headers[k] = v));
    return { headers, body: body as T, status: response.status };
  };
  return {
    sendGetRequestAsync: (url, options, timeout) => send(url, 'GET', options, timeout),
    sendPostRequestAsync: (url, options) => send(url, 'POST', options),
  };
}

/** Token acquisition for one tenant and its decoded claims. Credentials are resolved on first use. */
export class TenantAuth {
  private app: ConfidentialClientApplication | undefined;
  private readonly secrets: string[] = [];
  private readonly lastClaims = new Map<TokenAudience, TokenClaims>();
  private lastNetworkError: unknown;
  private lastRefusedAnswer: RefusedAnswer | undefined;
  private lastUnavailable: (RefusedAnswer & { readonly attempts: number }) | undefined;

  constructor(
    readonly tenant: Tenant,
    readonly endpoints: CloudEndpoints,
    private readonly transport: HttpTransport,
    private readonly ctx: AuthContext,
    /** How sign-in requests are repeated (SIGN_IN_RETRY, tuned by tests), and what ends the waits. */
    private readonly signIn: { readonly retry?: RetryPolicy; readonly signal?: AbortSignal } = {},
  ) {}

  /** Secret values this tenant uses, so messages built from remote text can be redacted. */
  knownSecrets(): readonly string[] {
    return this.secrets;
  }

  /** An access token for Graph or Exchange admin (from cache while valid). */
  async token(audience: TokenAudience): Promise<string> {
    const scope = audience === 'graph' ? this.endpoints.graphScope : this.endpoints.exchangeScope;
    this.lastNetworkError = undefined;
    this.lastRefusedAnswer = undefined;
    this.lastUnavailable = undefined;
    try {
      const app = this.application();
      const result = await app.acquireTokenByClientCredential({ scopes: [scope] });
      if (!result?.accessToken) throw new Error('no access token in the response');
      this.lastClaims.set(audience, decodeClaims(result.accessToken));
      return result.accessToken;
    } catch (e) {
      throw this.signInError(e, audience);
    }
  }

  /** Claims of the token for this audience (signs in when needed). */
  async claims(audience: TokenAudience = 'graph'): Promise<TokenClaims> {
    await this.token(audience);
    return this.lastClaims.get(audience)!;
  }

  private application(): ConfidentialClientApplication {
    if (this.app) return this.app;
    const { tenant } = this;
    const key = `spec.tenants.${tenant.name}.auth`;
    const sctx = { projectDir: this.ctx.projectDir, env: this.ctx.env, tenant };
    const auth: Configuration['auth'] = {
      clientId: tenant.auth.clientId,
      authority: `${this.endpoints.loginHost}/${tenant.tenantId}`,
      ...(this.endpoints.knownAuthorities ? { knownAuthorities: [...this.endpoints.knownAuthorities] } : {}),
    };
    if (tenant.auth.clientSecret) {
      const secret = resolveSecret(tenant.auth.clientSecret, { ...sctx, key: `${key}.clientSecret` });
      this.secrets.push(secret);
      auth.clientSecret = secret;
    } else if (tenant.auth.certificate) {
      const cert = resolveCertificate(tenant.auth.certificate, { ...sctx, key: `${key}.certificate` });
      this.secrets.push(cert.privateKey);
      auth.clientCertificate = { thumbprintSha256: cert.thumbprintSha256, privateKey: cert.privateKey, x5c: cert.x5c };
    } else {
      throw new UserError(`tenant '${tenant.name}' has neither auth.clientSecret nor auth.certificate`, 'tenant.noCredential', `add ${key}.clientSecret: { fromEnv: ${envName(tenant.name)} }`, tenant.position);
    }
    this.app = new ConfidentialClientApplication({
      auth,
      system: {
        networkClient: msalNetworkClient(this.transport, {
          onNetworkError: (e) => (this.lastNetworkError = e),
          onRefusedAnswer: (a) => (this.lastRefusedAnswer = a),
          onUnavailable: (a) => (this.lastUnavailable = a),
        }, { ...SIGN_IN_RETRY, ...this.signIn.retry }, this.signIn.signal),
        // msal logs may carry request details: keep them off; errors reach the user through signInError.
        loggerOptions: { logLevel: LogLevel.Error, piiLoggingEnabled: false, loggerCallback: () => {} },
      },
    });
    return this.app;
  }

  /** Turn an msal or transport failure into a one-line error naming the tenant, with a hint. */
  private signInError(e: unknown, audience: TokenAudience): Error {
    if (e instanceof T2tError) return e;
    // Ctrl-C while a refused sign-in waited to be repeated: an interruption, whatever msal made of it
    if (this.signIn.signal?.aborted) return abortReason(this.signIn.signal);
    // Our own errors from inside msal's network calls (a missing emulator CA) come through as they are.
    if (this.lastNetworkError instanceof T2tError) return this.lastNetworkError;
    const { tenant, endpoints } = this;
    const where = `tenant '${tenant.name}'`;
    const net = networkFailure(e) ?? networkFailure(this.lastNetworkError);
    const emulator = tenant.cloud === 'emulator';
    if (net?.tls) {
      return new UserError(
        `${where}: the certificate of ${endpoints.loginHost} is not trusted (${net.code})`,
        'tenant.tlsUntrusted',
        emulator
          ? `the emulator CA t2t read does not match the running emulator: set spec.tenants.${tenant.name}.caFile or T2T_EMULATOR_CA to the CA path the emulator printed`
          : 'check for a TLS-intercepting proxy; its CA must be trusted by Node (NODE_EXTRA_CA_CERTS)',
        tenant.position,
        { cause: e },
      );
    }
    const m = e as { errorCode?: string; errorMessage?: string; message?: string; subError?: string };
    const raw = `${m.errorMessage ?? ''} ${m.message ?? ''}`;
    const aadsts = /AADSTS\d+/.exec(raw)?.[0];
    const code = m.errorCode ?? '';
    // msal says endpoints_resolution_error both when the metadata request failed and when it was
    // answered with an error (Entra ID: 400 AADSTS90002 for a tenant that does not exist): an
    // answer means the endpoint was reached, so it is the tenant (or cloud) that is wrong.
    const refused = !net && /endpoints_resolution_error|openid_config_error/i.test(code) ? this.lastRefusedAnswer : undefined;
    if (refused) return this.metadataRefused(refused, audience, e);
    if (this.lastUnavailable) return this.unavailable(this.lastUnavailable, e);
    if (net || /network_error|endpoints_resolution_error|openid_config_error|ECONNREFUSED|fetch failed|Network request failed/i.test(`${code} ${raw}`)) {
      return new TenantError(
        `${where}: cannot reach the sign-in endpoint ${endpoints.loginHost} (${net?.code ?? (code || 'network error')})`,
        'tenant.unreachable',
        { tenant: tenant.name, retryable: true },
        emulator ? `start the emulator (t2t emulator --config FILE) and check that spec.tenants.${tenant.name}.endpoint is the URL it prints` : `check network access to ${endpoints.loginHost} (proxy, firewall)`,
        { cause: e },
      );
    }
    const detail = redact(firstLine(m.errorMessage || m.message || String(e)), this.secrets);
    const credential = tenant.auth.clientSecret
      ? 'fromEnv' in tenant.auth.clientSecret
        ? `environment variable ${tenant.auth.clientSecret.fromEnv}`
        : `file ${tenant.auth.clientSecret.file}`
      : `certificate ${tenant.auth.certificate?.pfxFile}`;
    let hint: string;
    // a refused secret or certificate is the credential's fault: point at its line, as a missing one is
    let position = tenant.position;
    if (code === 'invalid_client' || /AADSTS(7000215|7000222|700027|700023|7000012)/.test(raw)) {
      position = tenant.credentialPosition ?? tenant.position;
      hint = tenant.auth.clientSecret
        ? `check that ${credential} holds a current client secret of app ${tenant.auth.clientId} in this tenant`
        : `check that ${credential} is registered on app ${tenant.auth.clientId} in this tenant`;
    } else if (code === 'unauthorized_client' || /AADSTS700016/.test(raw)) {
      hint = `app ${tenant.auth.clientId} is not registered or consented in ${tenant.tenantId}: check auth.clientId and grant admin consent`;
    } else if (/AADSTS90002|AADSTS90023|tenant.*not found/i.test(raw)) {
      hint = tenantIdHint(tenant);
    } else if (code === 'invalid_scope' || /AADSTS70011|AADSTS500011/.test(raw)) {
      hint = `the ${audience === 'graph' ? 'Microsoft Graph' : 'Exchange Online'} API is not available to app ${tenant.auth.clientId}: add its application permissions and grant admin consent`;
    } else {
      hint = `check spec.tenants.${tenant.name}.auth (clientId, ${credential}) and the tenant's app registration`;
    }
    return new UserError(`${where}: sign-in for ${audience === 'graph' ? 'Graph' : 'Exchange'} refused: ${aadsts && !detail.includes(aadsts) ? `${aadsts} ` : ''}${detail}`, 'tenant.signInRefused', hint, position, { cause: e });
  }

  /** The token request was throttled or failed by the service at every attempt: not the credential's fault. */
  private unavailable(answer: RefusedAnswer & { readonly attempts: number }, cause: unknown): T2tError {
    const { tenant, endpoints } = this;
    const body = (typeof answer.body === 'object' && answer.body ? answer.body : {}) as { error?: unknown; error_description?: unknown };
    const description = String(body.error_description ?? body.error ?? '');
    const detail = description ? ` (${redact(firstLine(description), this.secrets)})` : '';
    return new TenantError(
      `tenant '${tenant.name}': the sign-in endpoint ${endpoints.loginHost} answered the token request ${answer.status}${detail}, ${answer.attempts} times`,
      `tenant.http${answer.status}`,
      { tenant: tenant.name, status: answer.status, retryable: true },
      answer.status === 429 ? 'the identity platform is throttling this app: run the command again in a few minutes' : 'the identity platform failed for a while (not a credential problem): run the command again in a few minutes',
      { cause },
    );
  }

  /** The sign-in endpoint answered the authority's metadata request, but not with metadata. */
  private metadataRefused(answer: RefusedAnswer, audience: TokenAudience, cause: unknown): T2tError {
    const { tenant, endpoints } = this;
    const where = `tenant '${tenant.name}'`;
    const body = (typeof answer.body === 'object' && answer.body ? answer.body : {}) as { error?: unknown; error_description?: unknown };
    const error = body.error as { message?: unknown } | string | undefined;
    const description = String(body.error_description ?? (typeof error === 'object' ? error?.message ?? '' : error ?? ''));
    const detail = description ? redact(firstLine(description), this.secrets) : '';
    if (answer.status === 429 || answer.status >= 500) {
      return new TenantError(
        `${where}: the sign-in endpoint ${endpoints.loginHost} failed the metadata request for tenant ${tenant.tenantId}: ${answer.status}${detail ? ` ${detail}` : ''}`,
        `tenant.http${answer.status}`,
        { tenant: tenant.name, status: answer.status, retryable: true },
        'the sign-in service failed or throttled the request: run the command again later',
        { cause },
      );
    }
    const what = /AADSTS\d+/.test(detail)
      ? detail
      : `tenant ${tenant.tenantId} not found: ${endpoints.loginHost} answered its metadata request with ${answer.status}${detail ? ` (${detail})` : ''}`;
    return new UserError(
      `${where}: sign-in for ${audience === 'graph' ? 'Graph' : 'Exchange'} refused: ${what}`,
      'tenant.signInRefused',
      tenantIdHint(tenant),
      tenant.position,
      { cause },
    );
  }
}

function tenantIdHint(tenant: Tenant): string {
  return `check spec.tenants.${tenant.name}.tenantId (${tenant.tenantId}) and cloud (${tenant.cloud})${tenant.cloud === 'emulator' ? ': the emulator knows the tenants of its --config file' : ''}`;
}

function firstLine(text: string): string {
  // msal wraps AAD's text as "Error(s): … - Timestamp: … - Description: AADSTS…: …. Trace ID: …":
  // the description's first sentence is what the user needs.
  const description = /Description:\s*(.*)$/s.exec(text)?.[1] ?? text;
  const line = description.split(/\r?\n/)[0]!.replace(/\s*(Trace ID|Correlation ID|Timestamp):.*$/i, '').trim();
  const sentence = /^(.*?\.)(\s|$)/.exec(line)?.[1] ?? line;
  return sentence.slice(0, 300);
}

function envName(tenant: string): string {
  return `${tenant.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_CLIENT_SECRET`;
}
