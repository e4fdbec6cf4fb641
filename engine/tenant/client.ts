// The entry point of engine/tenant: one client per tenant, bundling sign-in, the Graph facade,
// the Exchange admin client and the tenant's rate budgets. Discovery and apply call this.
import type { Project, Tenant } from '../manifest/model.js';
import { TenantAuth, type TokenClaims } from './auth.js';
import { cloudEndpoints, type CloudEndpoints } from './clouds.js';
import { createExchange, type ExchangeClient } from './exchange.js';
import { createGraph, type GraphFacade } from './graph.js';
import { createTransport } from './http-transport.js';
import { TenantBudgets, type BudgetOptions, type BudgetStats } from './rate-budget.js';
import type { RetryPolicy } from './retry.js';

/** Events a client reports (retries, batch re-submissions, delta resyncs). Never carries secrets or tokens. */
export interface TenantEvent {
  type: string;
  tenant?: string;
  [key: string]: unknown;
}

export interface TenantClientOptions {
  /** Where secrets (fromEnv), T2T_EMULATOR_CA and T2T_HOME are read from. */
  env: NodeJS.ProcessEnv;
  /** Aborts every request of this client (in-flight ones and waits for budget or Retry-After). */
  signal?: AbortSignal;
  log?: (event: TenantEvent) => void;
  /** Tuning, mainly for tests and benchmarks. */
  retry?: RetryPolicy;
  budget?: BudgetOptions;
}

/** Request accounting of one tenant, for progress output and the apply benchmark. */
export interface TenantStats {
  tenant: string;
  /** Graph directory, drive and batch calls. */
  graph: BudgetStats;
  exchange: BudgetStats;
  /** One entry per mailbox touched through mail routes. */
  mailboxes: BudgetStats[];
}

/**
 * Everything t2t does to one tenant goes through this object.
 *
 * - `graph`: Microsoft Graph (JSON calls, `pages`, `delta`, raw bytes, `batch`). Relative paths
 *   are under /v1.0 (`{beta: true}` for /beta); absolute URLs (nextLinks) are used as they are.
 * - `exchange`: Exchange admin cmdlets (`invoke('Set-Mailbox', {Identity, HiddenFromAddressListsEnabled: true})`).
 *
 * Every request signs in on demand (tokens cached in memory), draws from the tenant's rate
 * budget (mail routes: the mailbox's), is retried on 429/5xx/network failures (POST only when
 * marked `safe`, or on 429) honouring Retry-After, and fails with a `TenantError` naming the
 * tenant, the object, the status and the request id, or a `UserError` for things the user must
 * fix (missing secret, missing emulator CA, refused sign-in). Nothing is done at construction:
 * a bad credential surfaces on the first call (or `claims()`).
 */
export interface TenantClient {
  /** The tenant's manifest name, e.g. "contoso". */
  readonly name: string;
  readonly tenant: Tenant;
  readonly endpoints: CloudEndpoints;
  readonly graph: GraphFacade;
  readonly exchange: ExchangeClient;
  /** Sign in (Graph, or Exchange with 'exchange') and return the token's roles, expiry, tenant id and app id. */
  claims(audience?: 'graph' | 'exchange'): Promise<{ roles: readonly string[]; expiresAt: Date; tid: string; appId: string }>;
  /** Counters of requests, throttles, retries and bytes so far. */
  stats(): TenantStats;
  /** Close pooled connections. The client is unusable afterwards. */
  close(): Promise<void>;
}

/** Create the client of one tenant of a project. Never throws for credentials: see TenantClient. */
export function createTenantClient(project: Pick<Project, 'dir'>, tenant: Tenant, options: TenantClientOptions): TenantClient {
  const endpoints = cloudEndpoints(tenant);
  const ctx = { projectDir: project.dir, env: options.env };
  const transport = createTransport(tenant, ctx);
  const auth = new TenantAuth(tenant, endpoints, transport, ctx, { ...(options.retry ? { retry: options.retry } : {}), ...(options.signal ? { signal: options.signal } : {}) });
  const budgets = new TenantBudgets(tenant.name, options.budget);
  const common = {
    tenant: tenant.name,
    clientId: tenant.auth.clientId,
    endpoints,
    auth,
    transport,
    budgets,
    ...(options.retry ? { retry: options.retry } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.log ? { log: options.log } : {}),
  };
  const graph = createGraph(common);
  const exchange = createExchange({ ...common, tenantId: tenant.tenantId });
  return {
    name: tenant.name,
    tenant,
    endpoints,
    graph,
    exchange,
    claims: (audience = 'graph'): Promise<TokenClaims> => auth.claims(audience),
    stats: () => ({ tenant: tenant.name, ...budgets.stats() }),
    close: () => transport.close(),
  };
}

export type { GraphFacade, BatchRequest, BatchResponse, DeltaResult, GraphRequestOptions } from './graph.js';
export type { ExchangeClient, CmdletOptions } from './exchange.js';
export type { TokenClaims } from './auth.js';
