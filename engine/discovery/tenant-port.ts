// Adapter from engine/tenant's TenantClient to the discovery port. PLACEHOLDER until the tenant
// client lands.
import type { Project, Tenant } from '../manifest/model.js';
import type { DiscoveryClient } from './discovery-client.js';
import { InternalError } from '../errors.js';

export function createDiscoveryClient(project: Project, tenant: Tenant, options: { env: NodeJS.ProcessEnv; signal?: AbortSignal }): DiscoveryClient {
  void project;
  void options;
  throw new InternalError(`no tenant client available for '${tenant.name}'`);
}
