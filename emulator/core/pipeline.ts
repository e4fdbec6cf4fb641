// The request pipeline, in the one order every request (and every inner request of a $batch) takes:
//
//   1. request ids     request-id / client-request-id on every answer, errors rendered in the
//                      service's wire format (errors.ts) with those ids
//   2. latency         faults.latencyMs added before the answer leaves; the request keeps its
//                      throttle slots meanwhile (so concurrency limits are observable)
//   3. routing         404/405 in Graph's shape for operations the emulator does not serve
//   4. auth            bearer token: signature, lifetime, audience (Graph for /v1.0 and /beta,
//                      Exchange for /adminapi) -> tenant, app, roles; anonymous routes skip it
//   5. role check      403 Authorization_RequestDenied when the token has none of route.roles
//   6. faults          faults.errorRate -> 500/503, faults.throttleRate -> 429 (seeded PRNG)
//   7. throttling      the route's budget (throttle.ts); 429 with Retry-After and throttle headers
//   8. handler         the route's Handler; a successful write schedules a save (persistence)
import { randomUUID } from 'node:crypto';
import { GraphError, type EmuRequest, type EmuResponse, type HttpMethod } from './http-types.js';
import type { Emulator } from '../store/emulator-state.js';
import type { RouteMatch } from './router.js';
import { forbidden, renderError, tooManyRequests } from './errors.js';
import { authenticate, type Caller } from '../auth/bearer.js';
import { EXCHANGE_AUDIENCE, GRAPH_AUDIENCE } from '../auth/auth-routes.js';
import { Throttler } from './throttle.js';
import { mulberry32, type Rng } from './prng.js';
import { withWriteContext } from './lag.js';

export interface PipelineRequest {
  method: HttpMethod;
  path: string;
  query: URLSearchParams;
  /** Lower-case names. */
  headers: Record<string, string>;
  rawBody: Buffer;
  baseUrl: string;
  /** True for the inner requests of a $batch (their ids come from the batch, not a new one). */
  inner?: boolean;
}

interface Ctx extends PipelineRequest {
  requestId: string;
  clientRequestId: string;
  now: number;
  match?: RouteMatch;
  caller?: Caller;
  release: (() => void)[];
}

type Next = () => Promise<EmuResponse>;
type Stage = (ctx: Ctx, next: Next) => Promise<EmuResponse>;

const JSON_CT = /[/+]json\b/i;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Pipeline {
  readonly throttler: Throttler;
  private rng: Rng;
  private stages: Stage[];

  constructor(readonly emulator: Emulator) {
    this.throttler = new Throttler(emulator.config.limits);
    this.rng = mulberry32(emulator.config.faults.seed);
    this.stages = [this.ids, this.latency, this.routing, this.auth, this.roles, this.faults, this.throttle, this.handler];
  }

  /** Run one request through every stage; never throws. */
  async run(req: PipelineRequest): Promise<EmuResponse> {
    const ctx: Ctx = {
      ...req,
      requestId: randomUUID(),
      clientRequestId: req.headers['client-request-id'] ?? '',
      now: this.emulator.now(),
      release: [],
    };
    if (!ctx.clientRequestId) ctx.clientRequestId = ctx.requestId;
    const dispatch = (i: number): Promise<EmuResponse> => {
      const stage = this.stages[i];
      if (!stage) throw new Error('pipeline: no stage answered');
      return stage.call(this, ctx, () => dispatch(i + 1));
    };
    try {
      return await dispatch(0);
    } finally {
      for (const r of ctx.release) r();
    }
  }

  private ids: Stage = async (ctx, next) => {
    let res: EmuResponse;
    try {
      res = await next();
    } catch (e) {
      res = renderError(e, { path: ctx.path, requestId: ctx.requestId, clientRequestId: ctx.clientRequestId, now: ctx.now });
    }
    res.headers = { ...res.headers, 'request-id': ctx.requestId, 'client-request-id': ctx.clientRequestId };
    return res;
  };

  private latency: Stage = async (ctx, next) => {
    const ms = this.emulator.config.faults.latencyMs;
    if (!ms || ctx.inner) return next();
    try {
      return await next();
    } finally {
      await sleep(ms);
    }
  };

  private routing: Stage = async (ctx, next) => {
    ctx.match = this.emulator.router.match(ctx.method, ctx.path);
    if (!ctx.match) {
      const allowed = this.emulator.router.allowedMethods(ctx.path);
      if (allowed.length) {
        throw new GraphError(405, 'Request_BadRequest', `The HTTP method '${ctx.method}' is not allowed on '${ctx.path}' (allowed: ${allowed.join(', ')}).`, { Allow: allowed.join(', ') });
      }
      const segment = ctx.path.split('/').filter(Boolean).pop() ?? '';
      throw new GraphError(400, 'BadRequest', `Resource not found for the segment '${segment}'.`);
    }
    return next();
  };

  private auth: Stage = async (ctx, next) => {
    const route = ctx.match!.route;
    if (route.anonymous) return next();
    const audience = /^\/adminapi\//i.test(ctx.path) ? EXCHANGE_AUDIENCE : GRAPH_AUDIENCE;
    ctx.caller = authenticate(this.emulator, ctx.headers.authorization, audience);
    return next();
  };

  private roles: Stage = async (ctx, next) => {
    const needed = ctx.match!.route.roles;
    if (ctx.caller && needed?.length && !needed.some((r) => ctx.caller!.roles.includes(r))) throw forbidden();
    return next();
  };

  private faults: Stage = async (ctx, next) => {
    if (!ctx.caller) return next();
    const f = this.emulator.config.faults;
    if (!f.errorRate && !f.throttleRate) return next();
    // Always draw both numbers, so a seed gives the same sequence whatever the rates.
    const a = this.rng();
    const b = this.rng();
    if (a < f.errorRate) {
      if (b < 0.5) throw new GraphError(500, 'generalException', 'General exception while processing.');
      throw new GraphError(503, 'serviceNotAvailable', 'Service unavailable.', { 'Retry-After': '1' });
    }
    if (b < f.throttleRate) {
      throw tooManyRequests('Too many requests (injected by faults.throttleRate).', this.emulator.config.limits?.timeScale ?? 1);
    }
    return next();
  };

  private throttle: Stage = async (ctx, next) => {
    const route = ctx.match!.route;
    // Pre-authenticated URLs carry no bearer token: their signed token names the tenant, the app
    // that created them and the mailbox, so they draw from the same budgets.
    const scope = ctx.caller ? { tenant: ctx.caller.tenant, appId: ctx.caller.appId } : route.throttleScope?.({ params: ctx.match!.params, query: ctx.query, now: ctx.now, emulator: this.emulator });
    if (!scope) return next();
    const t = this.throttler.acquire({
      method: ctx.method,
      path: ctx.path,
      query: ctx.query,
      route,
      tenant: scope.tenant,
      appId: scope.appId,
      bodyBytes: ctx.rawBody.length,
      now: ctx.now,
      ...('mailbox' in scope && scope.mailbox !== undefined ? { mailbox: scope.mailbox } : {}),
    });
    if (t.release) ctx.release.push(t.release);
    const res = await next();
    if (Object.keys(t.headers).length) res.headers = { ...t.headers, ...res.headers };
    return res;
  };

  private handler: Stage = async (ctx) => {
    const { route, params } = ctx.match!;
    const tenant = ctx.caller?.tenant ?? (params.tenant ? this.emulator.tenant(params.tenant) : undefined) ?? (params.tenantId ? this.emulator.tenant(params.tenantId) : undefined);
    let body: unknown;
    if (ctx.rawBody.length && JSON_CT.test(ctx.headers['content-type'] ?? '')) {
      try {
        body = JSON.parse(ctx.rawBody.toString('utf8'));
      } catch {
        throw new GraphError(400, 'BadRequest', 'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.');
      }
    }
    const req: EmuRequest = {
      method: ctx.method,
      path: ctx.path,
      params,
      query: ctx.query,
      headers: ctx.headers,
      body,
      rawBody: ctx.rawBody,
      // Anonymous routes without a tenant in their path see no tenant (the contract says so).
      tenant: tenant as EmuRequest['tenant'],
      appId: ctx.caller?.appId ?? '',
      roles: ctx.caller?.roles ?? [],
      requestId: ctx.requestId,
      now: ctx.now,
      emulator: this.emulator,
      baseUrl: ctx.baseUrl,
    };
    // Writes stamp replication lag from this context (lag.ts); reads compare against ctx.now.
    const res = await withWriteContext({ now: ctx.now, lagMs: this.emulator.config.faults.replicationLagMs }, () => route.handler(req));
    // Token requests change nothing worth saving.
    if (ctx.method !== 'GET' && res.status < 400 && !ctx.path.includes('/oauth2/')) this.emulator.onWrite();
    return res;
  };
}
