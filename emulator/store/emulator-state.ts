// The whole emulator: its tenants (built from the config), apps, licences, clock, and `invoke()`,
// the internal dispatch the generator and scenario builders use to run a route's handler without
// auth, throttling or faults, exactly as a client's request would reach it.
import { withWriteContext } from '../core/lag.js';
import { randomUUID } from 'node:crypto';
import { DEFAULT_EXCHANGE, type EmulatorConfig, type TenantConfig } from '../config.js';
import type { EmuRequest, EmuResponse, HttpMethod, Route } from '../core/http-types.js';
import { Router } from '../core/router.js';
import type { PipelineRequest } from '../core/pipeline.js';
import { renderError } from '../core/errors.js';
import type { TokenSigner } from '../auth/jwt.js';
import type { AppRegistration, TenantState } from './tenant-state.js';
import { emptyDirectory, type Subscription } from './directory-state.js';
import { deterministicGuid } from './guid.js';
import { newSubscription, skuCatalogEntry } from '../graph/licenses-catalogue.js';
import { emptyExchange } from './exchange-state.js';
import { emptyMail } from './mail-state.js';
import { emptyDrive } from './drive-state.js';

const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export { deterministicGuid };

export interface InvokeOptions {
  headers?: Record<string, string>;
  /** Roles the handler sees (default: every role of the tenant's first app). */
  roles?: readonly string[];
  appId?: string;
  baseUrl?: string;
}

export class Emulator {
  readonly tenants: TenantState[] = [];
  private aliases = new Map<string, TenantState>();
  readonly router: Router;
  /** Added to the wall clock: tests move time forward with POST /_emulator/clock. */
  clockOffsetMs = 0;
  /** Set by the server once it listens (https://127.0.0.1:PORT). */
  baseUrl = 'https://127.0.0.1';
  /** Set by main: signs access tokens. */
  signer: TokenSigner | undefined;
  /** Called after every successful write (persistence debounces its save on it). */
  onWrite: () => void = () => {};
  /** Set by the server: runs a request through the whole pipeline (auth, roles, faults,
   *  throttling, handler), as $batch does for each of its inner requests. */
  dispatch: ((req: PipelineRequest) => Promise<EmuResponse>) | undefined;

  constructor(readonly config: EmulatorConfig, routes: readonly Route[]) {
    this.router = new Router(routes);
  }

  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  advanceClock(ms: number): number {
    this.clockOffsetMs += ms;
    return this.now();
  }

  /** Find a tenant by GUID, initial domain or any verified domain (case-insensitive). */
  tenant(idOrDomain: string): TenantState | undefined {
    return this.aliases.get(idOrDomain.toLowerCase());
  }

  /** Register a tenant (from the config or loaded from --data) and index its names. */
  addTenant(t: TenantState): void {
    const i = this.tenants.findIndex((x) => x.id === t.id);
    if (i >= 0) this.tenants[i] = t;
    else this.tenants.push(t);
    this.reindex();
  }

  reindex(): void {
    this.aliases.clear();
    for (const t of this.tenants) {
      this.aliases.set(t.id.toLowerCase(), t);
      this.aliases.set(t.initialDomain.toLowerCase(), t);
      for (const d of t.domains) this.aliases.set(d.toLowerCase(), t);
    }
  }

  app(t: TenantState, clientId: string): AppRegistration | undefined {
    const id = clientId.toLowerCase();
    return t.apps.find((a) => a.clientId.toLowerCase() === id);
  }

  /** Run the handler of `method path` for a tenant, without auth, throttling or faults.
   *  Errors come back as the rendered error response (status >= 400), never as exceptions. */
  async invoke(tenant: string | TenantState, method: HttpMethod, pathAndQuery: string, body?: unknown, options: InvokeOptions = {}): Promise<EmuResponse> {
    const t = typeof tenant === 'string' ? this.tenant(tenant) : tenant;
    if (!t) throw new Error(`invoke: unknown tenant '${String(tenant)}'`);
    const q = pathAndQuery.indexOf('?');
    const path = q < 0 ? pathAndQuery : pathAndQuery.slice(0, q);
    const query = new URLSearchParams(q < 0 ? '' : pathAndQuery.slice(q + 1));
    const requestId = randomUUID();
    const now = this.now();
    const match = this.router.match(method, path);
    if (!match) return { status: 404, headers: { 'x-emulator-no-route': '1' }, body: { error: { code: 'BadRequest', message: `Resource not found for the segment '${path}'.` } } };
    const isBuffer = Buffer.isBuffer(body);
    const rawBody = isBuffer ? (body as Buffer) : typeof body === 'string' ? Buffer.from(body) : body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string> = {
      ...(body !== undefined && !isBuffer && typeof body !== 'string' ? { 'content-type': 'application/json' } : {}),
      ...(typeof body === 'string' ? { 'content-type': 'text/plain' } : {}),
      ...lowerKeys(options.headers ?? {}),
    };
    const app = options.appId ? this.app(t, options.appId) : t.apps[0];
    const req: EmuRequest = {
      method,
      path,
      params: match.params,
      query,
      headers,
      body: body !== undefined && !isBuffer && typeof body !== 'string' ? body : undefined,
      rawBody,
      tenant: t,
      appId: app?.clientId ?? 'emulator-internal',
      roles: options.roles ?? app?.roles ?? [],
      requestId,
      now,
      emulator: this,
      baseUrl: options.baseUrl ?? this.baseUrl,
    };
    try {
      // No replication lag for internal dispatch, but the emulator's clock for deep store writes.
      const res = await withWriteContext({ now, lagMs: 0 }, () => match.route.handler(req));
      if (method !== 'GET' && res.status < 400) this.onWrite();
      return res;
    } catch (e) {
      return renderError(e, { path, requestId, clientRequestId: requestId, now });
    }
  }

  /** True when some route serves this method and path (the generator skips what is not there yet). */
  hasRoute(method: HttpMethod, path: string): boolean {
    return this.router.match(method, path) !== undefined;
  }
}

function lowerKeys(h: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = v;
  return out;
}

/** The initial state of a configured tenant: identity, apps and licences; no users yet. */
export function tenantFromConfig(c: TenantConfig): TenantState {
  const given = c.tenantId?.toLowerCase();
  const id = given && GUID_RE.test(given) ? given : deterministicGuid(`t2t-emulator-tenant:${c.name}:${c.generate?.seed ?? 0}`);
  const initialDomain = given && !GUID_RE.test(given) ? given : `${c.name.toLowerCase()}.onmicrosoft.com`;
  const domains = [...new Set([initialDomain, ...c.domains.map((d) => d.toLowerCase())])];
  const t: TenantState = {
    id,
    name: c.name,
    initialDomain,
    domains,
    apps: [],
    seq: 0,
    directory: emptyDirectory(),
    exchange: emptyExchange(),
    mail: emptyMail(),
    drive: emptyDrive(),
  };
  applyConfig(t, c);
  return t;
}

/** Apply the config's apps and licences to a tenant (also to one loaded from --data: the config
 *  is the authority on apps and licence counts; consumed units stay as the tenant has them). */
export function applyConfig(t: TenantState, c: TenantConfig): void {
  t.apps = c.apps.map((a) => ({ clientId: a.clientId, ...(a.clientSecret ? { clientSecret: a.clientSecret } : {}), ...(a.certificates ? { certificates: a.certificates } : {}), roles: [...a.roles] }));
  for (const d of c.domains) if (!t.domains.includes(d.toLowerCase())) t.domains.push(d.toLowerCase());
  const exchange = c.exchange ?? DEFAULT_EXCHANGE;
  t.exchange.autoForwardingMode = exchange.autoForwardingMode;
  t.exchange.mailboxRetentionDays = exchange.mailboxRetentionDays;
  const skus = t.directory.skus as Subscription[];
  for (const l of c.licenses) {
    const entry = skuCatalogEntry(l.sku);
    const existing = skus.find((s) => s.skuId === entry.skuId);
    if (existing) {
      existing.enabled = l.units;
      continue;
    }
    skus.push(newSubscription(t, entry, l.units));
  }
}
