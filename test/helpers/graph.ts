// Clients for tests, built from the real production libraries: @azure/msal-node (with a network
// client that trusts the emulator's CA) and @microsoft/microsoft-graph-client (with a fetch that
// trusts it), plus small helpers for the Exchange admin API and raw requests.
import { readFileSync } from 'node:fs';
import { ConfidentialClientApplication, type INetworkModule, type NetworkRequestOptions, type NetworkResponse } from '@azure/msal-node';
import { Client } from '@microsoft/microsoft-graph-client';
import { Agent, fetch as undiciFetch } from 'undici';
import { TEST_APPS, type RunningEmulator } from './emulator.js';

export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';
export const EXCHANGE_SCOPE = 'https://outlook.office365.com/.default';

export type AppCredentials =
  | { clientId: string; clientSecret: string }
  | { clientId: string; certificate: { thumbprintSha256: string; privateKey: string; x5c?: string } };

const agents = new Map<string, Agent>();

/** An undici Agent whose TLS trusts the emulator's CA (one per CA file, keep-alive). */
export function trustingAgent(caFile: string): Agent {
  let a = agents.get(caFile);
  if (!a) {
    a = new Agent({ connect: { ca: readFileSync(caFile, 'utf8') }, keepAliveTimeout: 10_000 });
    agents.set(caFile, a);
  }
  return a;
}

/** msal-node's INetworkModule over undici with the emulator's CA. */
export function networkClient(caFile: string): INetworkModule {
  const dispatcher = trustingAgent(caFile);
  const send = async <T>(url: string, method: 'GET' | 'POST', options?: NetworkRequestOptions): Promise<NetworkResponse<T>> => {
    const res = await undiciFetch(url, { method, headers: options?.headers ?? {}, ...(method === 'POST' ? { body: options?.body ?? '' } : {}), dispatcher });
    const headers: Record<string, string> = {};
    res.headers.forEach((v, k) => (headers[k] = v));
    return { headers, body: (await res.json()) as T, status: res.status };
  };
  return {
    sendGetRequestAsync: (url, options) => send(url, 'GET', options),
    sendPostRequestAsync: (url, options) => send(url, 'POST', options),
  };
}

/** `contoso` -> `contoso.onmicrosoft.com`; GUIDs and domains as they are. */
export function tenantAuthority(tenant: string): string {
  return tenant.includes('.') || /^[0-9a-f-]{36}$/i.test(tenant) ? tenant : `${tenant}.onmicrosoft.com`;
}

function defaultApp(tenant: string): AppCredentials {
  const key = tenantAuthority(tenant).split('.')[0]!;
  const app = TEST_APPS[key];
  if (!app) throw new Error(`no test app for tenant '${tenant}': pass one`);
  return app;
}

const apps = new Map<string, ConfidentialClientApplication>();

/** The real msal-node ConfidentialClientApplication for an emulated tenant. */
export function msalApp(emu: RunningEmulator, tenant: string, app: AppCredentials = defaultApp(tenant)): ConfidentialClientApplication {
  const key = `${emu.url}|${tenant}|${app.clientId}|${'clientSecret' in app ? app.clientSecret : app.certificate.thumbprintSha256}`;
  let cca = apps.get(key);
  if (!cca) {
    const host = new URL(emu.url).host;
    cca = new ConfidentialClientApplication({
      auth: {
        clientId: app.clientId,
        authority: `${emu.url}/${tenantAuthority(tenant)}`,
        knownAuthorities: [host],
        ...('clientSecret' in app ? { clientSecret: app.clientSecret } : { clientCertificate: app.certificate }),
      },
      system: { networkClient: networkClient(emu.caFile) },
    });
    apps.set(key, cca);
  }
  return cca;
}

export async function accessToken(emu: RunningEmulator, tenant: string, scope = GRAPH_SCOPE, app?: AppCredentials): Promise<string> {
  const r = await msalApp(emu, tenant, app).acquireTokenByClientCredential({ scopes: [scope] });
  if (!r?.accessToken) throw new Error(`no token for ${tenant}`);
  return r.accessToken;
}

/** The real Graph client, pointed at the emulator (baseUrl), authenticated by msal-node. */
export async function graphClient(emu: RunningEmulator, tenant: string, app?: AppCredentials): Promise<Client> {
  await accessToken(emu, tenant, GRAPH_SCOPE, app); // fail here, with msal's error, if sign-in fails
  return Client.initWithMiddleware({
    baseUrl: `${emu.url}/`,
    defaultVersion: 'v1.0',
    customHosts: new Set([new URL(emu.url).hostname]),
    authProvider: { getAccessToken: () => accessToken(emu, tenant, GRAPH_SCOPE, app) },
    fetchOptions: { dispatcher: trustingAgent(emu.caFile) },
  });
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON when the answer is JSON, else the text. */
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  text: string;
}

/** One HTTP request with a token of the tenant's test app (Exchange token for /adminapi paths,
 *  Graph otherwise). Pass tenant null, or an `authorization` header, to send your own. */
export async function rawRequest(emu: RunningEmulator, tenant: string | null, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<RawResponse> {
  const h: Record<string, string> = { ...headers };
  const hasAuth = Object.keys(h).some((k) => k.toLowerCase() === 'authorization');
  if (tenant && !hasAuth) h.authorization = `Bearer ${await accessToken(emu, tenant, path.startsWith('/adminapi/') ? EXCHANGE_SCOPE : GRAPH_SCOPE)}`;
  let payload: string | Buffer | undefined;
  if (body !== undefined) {
    if (typeof body === 'string' || Buffer.isBuffer(body)) payload = body;
    else {
      payload = JSON.stringify(body);
      if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['content-type'] = 'application/json';
    }
  }
  const res = await undiciFetch(`${emu.url}${path}`, { method, headers: h, ...(payload !== undefined ? { body: payload } : {}), dispatcher: trustingAgent(emu.caFile) });
  const text = await res.text();
  const out: Record<string, string> = {};
  res.headers.forEach((v, k) => (out[k] = v));
  let parsed: unknown = text;
  if (/json/i.test(res.headers.get('content-type') ?? '') && text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  return { status: res.status, headers: out, body: parsed, text };
}

/** Run an Exchange cmdlet through the admin API, as ExchangeOnlineManagement v3 does. */
export async function exchangeInvoke(emu: RunningEmulator, tenant: string, cmdlet: string, parameters: Record<string, unknown> = {}): Promise<{ status: number; body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const r = await rawRequest(emu, tenant, 'POST', `/adminapi/beta/${tenantAuthority(tenant)}/InvokeCommand`, { CmdletInput: { CmdletName: cmdlet, Parameters: parameters } });
  return { status: r.status, body: r.body };
}
