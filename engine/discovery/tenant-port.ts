// Adapter from engine/tenant's TenantClient to the discovery port (discovery-client.ts).
import type { Project, Tenant } from '../manifest/model.js';
import { TenantError } from '../errors.js';
import { createTenantClient, type TenantClient } from '../tenant/client.js';
import { DeltaResyncNeeded, type DeltaItem, type DiscoveryClient } from './discovery-client.js';

/** Directory delta pages as large as the service allows (real Graph may page smaller). */
const DELTA_HEADERS = { Prefer: 'odata.maxpagesize=999' };

/** A stored delta link the service no longer accepts: Graph answers 410 Gone (resyncRequired) or
 *  400 with syncStateNotFound / a badly formed token. Either way the fix is a full read. */
function invalidToken(e: unknown): boolean {
  if (!(e instanceof TenantError) || e.details.status !== 400) return false;
  return /syncState|token/i.test(e.message);
}

/** Discovery writes versioned paths (/v1.0/users, /beta/users/…/settings/exchange) so each call
 *  says which API it relies on; the facade wants them relative, with `beta` as an option. */
function route(url: string): [string, { beta?: boolean }] {
  if (url.startsWith('/v1.0/')) return [url.slice('/v1.0'.length), {}];
  if (url.startsWith('/beta/')) return [url.slice('/beta'.length), { beta: true }];
  return [url, {}];
}

export function discoveryClientOf(client: TenantClient): DiscoveryClient {
  const { graph, exchange } = client;
  return {
    get: (url) => graph.get(...route(url)),
    async list<T>(url: string) {
      const out: T[] = [];
      for await (const page of graph.pages<T>(...route(url))) out.push(...page);
      return out;
    },
    async delta(urlOrDeltaLink: string, onPage: (items: DeltaItem[]) => void) {
      let result;
      try {
        const [url, version] = route(urlOrDeltaLink);
        result = await graph.delta<DeltaItem>(url, { ...version, headers: DELTA_HEADERS, onPage });
      } catch (e) {
        if (invalidToken(e)) throw new DeltaResyncNeeded((e as Error).message);
        throw e;
      }
      if (result.resync) throw new DeltaResyncNeeded('410 Gone');
      return result.deltaLink;
    },
    async batch(requests) {
      const answers = await graph.batch(requests.map((r) => ({ method: r.method, url: r.url })));
      return answers.map((a, i) => ({ id: requests[i]!.id, status: a.status, body: a.body }));
    },
    exchange: (cmdlet, parameters, options) => exchange.invoke<Record<string, unknown>>(cmdlet, parameters, options?.onServerDate ? { onServerDate: options.onServerDate } : {}),
    close: () => client.close(),
    requestCount() {
      const s = client.stats();
      return s.graph.requests + s.exchange.requests + s.mailboxes.reduce((n, m) => n + m.requests, 0);
    },
  };
}

export function createDiscoveryClient(project: Project, tenant: Tenant, options: { env: NodeJS.ProcessEnv; signal?: AbortSignal }): DiscoveryClient {
  return discoveryClientOf(createTenantClient(project, tenant, { env: options.env, ...(options.signal ? { signal: options.signal } : {}) }));
}
