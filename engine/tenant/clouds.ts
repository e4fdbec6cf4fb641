// Where each cloud lives: sign-in host, Graph and Exchange admin bases, and the token scopes.
// National clouds have their own hosts and scopes; the emulator serves every API on one origin
// (the tenant's `endpoint`) and accepts the global scope names (reference/microsoft-apis.md).
import type { Cloud, Tenant } from '../manifest/model.js';
import { UserError } from '../errors.js';

export interface CloudEndpoints {
  readonly cloud: Cloud;
  /** e.g. https://login.microsoftonline.com (no trailing slash). */
  readonly loginHost: string;
  /** Graph origin without the version, e.g. https://graph.microsoft.com */
  readonly graphBase: string;
  /** Exchange admin REST origin, e.g. https://outlook.office365.com */
  readonly exchangeBase: string;
  readonly graphScope: string;
  readonly exchangeScope: string;
  /** Set for the emulator: msal-node must skip Microsoft's instance discovery for this host. */
  readonly knownAuthorities?: readonly string[];
  /** Only the emulator's certificates are signed by a private CA that t2t trusts. */
  readonly privateCa: boolean;
}

const NATIONAL: Record<Exclude<Cloud, 'emulator'>, { login: string; graph: string; exchange: string }> = {
  global: { login: 'https://login.microsoftonline.com', graph: 'https://graph.microsoft.com', exchange: 'https://outlook.office365.com' },
  usgov: { login: 'https://login.microsoftonline.us', graph: 'https://graph.microsoft.us', exchange: 'https://outlook.office365.us' },
  usgovdod: { login: 'https://login.microsoftonline.us', graph: 'https://dod-graph.microsoft.us', exchange: 'https://webmail.apps.mil' },
  china: { login: 'https://login.chinacloudapi.cn', graph: 'https://microsoftgraph.chinacloudapi.cn', exchange: 'https://partner.outlook.cn' },
};

/** The endpoints of a tenant's cloud. Throws a UserError when an emulator tenant has no usable endpoint. */
export function cloudEndpoints(tenant: Pick<Tenant, 'name' | 'cloud' | 'endpoint' | 'position'>): CloudEndpoints {
  if (tenant.cloud === 'emulator') {
    const origin = emulatorOrigin(tenant);
    return {
      cloud: 'emulator',
      loginHost: origin,
      graphBase: origin,
      exchangeBase: origin,
      graphScope: 'https://graph.microsoft.com/.default',
      exchangeScope: 'https://outlook.office365.com/.default',
      knownAuthorities: [new URL(origin).host],
      privateCa: true,
    };
  }
  const c = NATIONAL[tenant.cloud];
  return {
    cloud: tenant.cloud,
    loginHost: c.login,
    graphBase: c.graph,
    exchangeBase: c.exchange,
    graphScope: `${c.graph}/.default`,
    exchangeScope: `${c.exchange}/.default`,
    privateCa: false,
  };
}

function emulatorOrigin(tenant: Pick<Tenant, 'name' | 'endpoint' | 'position'>): string {
  const hint = 'set spec.tenants.' + tenant.name + '.endpoint to the URL `t2t emulator` prints, e.g. https://127.0.0.1:7365';
  if (!tenant.endpoint) {
    throw new UserError(`tenant '${tenant.name}' has cloud: emulator but no endpoint`, 'tenant.noEndpoint', hint, tenant.position);
  }
  let url: URL;
  try {
    url = new URL(tenant.endpoint);
  } catch {
    throw new UserError(`tenant '${tenant.name}': endpoint '${tenant.endpoint}' is not a URL`, 'tenant.badEndpoint', hint, tenant.position);
  }
  if (url.protocol !== 'https:') {
    throw new UserError(`tenant '${tenant.name}': endpoint '${tenant.endpoint}' must use https (sign-in refuses plain http)`, 'tenant.badEndpoint', hint, tenant.position);
  }
  return url.origin;
}
