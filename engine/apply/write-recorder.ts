// A tenant client seen through a recorder: every write (Graph POST/PATCH/PUT/DELETE, a $batch
// request that is not a GET, an Exchange cmdlet other than Get-*) is reported, with secrets
// redacted. In a dry run the write is not sent: it is answered with a synthetic success (new
// objects get a "dry-run-…" id), so every step runs to its end and shows what it would send.
import { randomUUID } from 'node:crypto';
import type { TenantClient, GraphFacade, BatchRequest, BatchResponse } from '../tenant/client.js';
import type { ExchangeClient } from '../tenant/exchange.js';
import { redact } from '../state/redact.js';
import { DRY_RUN_ID_PREFIX } from './step-kit.js';

export interface RecordedWrite {
  tenant: string;
  /** HTTP method, or "CMDLET" for an Exchange cmdlet. */
  method: string;
  /** Graph path, or the cmdlet name. */
  target: string;
  /** The request body or cmdlet parameters, secrets redacted. */
  body?: unknown;
}

export interface RecorderOptions {
  dryRun: boolean;
  onWrite(write: RecordedWrite): void;
}

const READ_CMDLET = /^(Get|Test)-/i;

function path(url: string): string {
  try {
    return /^https?:/i.test(url) ? new URL(url).pathname : url.split('?')[0]!;
  } catch {
    return url;
  }
}

function dryId(): string {
  return `${DRY_RUN_ID_PREFIX}${randomUUID()}`;
}

/** A plausible success answer for a write that was not sent. */
function syntheticGraph(method: string, url: string, body: unknown): unknown {
  if (method !== 'POST') return method === 'DELETE' ? undefined : {};
  const p = path(url).replace(/^\/(v1\.0|beta)/, '');
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  // as Graph answers: the new user with the properties it was given (no password)
  if (/^\/users\/?$/i.test(p)) return { ...Object.fromEntries(Object.entries(b).filter(([k]) => k !== 'passwordProfile')), id: dryId(), userPrincipalName: b['userPrincipalName'], displayName: b['displayName'] };
  if (/^\/groups\/?$/i.test(p)) return { id: dryId(), displayName: b['displayName'] };
  if (/^\/invitations\/?$/i.test(p)) return { id: dryId(), invitedUser: { id: dryId() }, status: 'PendingAcceptance' };
  return {};
}

function syntheticCmdlet(cmdlet: string, parameters: Record<string, unknown>): unknown[] {
  if (/^New-/i.test(cmdlet) || /^Enable-/i.test(cmdlet)) {
    const name = String(parameters['Name'] ?? parameters['Identity'] ?? 'object');
    // as Exchange answers: a new mail user or contact is shown in the address lists
    const type = /Contact/i.test(cmdlet) ? 'MailContact' : 'MailUser';
    return [{ Identity: name, Name: name, Guid: dryId(), ExternalEmailAddress: parameters['ExternalEmailAddress'] ?? null, RecipientType: type, RecipientTypeDetails: type, HiddenFromAddressListsEnabled: false }];
  }
  return [];
}

export function recordingClient(client: TenantClient, options: RecorderOptions): TenantClient {
  const g = client.graph;
  const note = (method: string, url: string, body?: unknown) =>
    options.onWrite({ tenant: client.name, method, target: path(url), ...(body !== undefined ? { body: redact(body) } : {}) });

  const graph: GraphFacade = {
    get: (url, o) => g.get(url, o),
    pages: (url, o) => g.pages(url, o),
    delta: (url, o) => g.delta(url, o),
    bytes: (url, o) => g.bytes(url, o),
    batchError: (req, res) => g.batchError(req, res),
    async post<T>(url: string, body: unknown, o?: Parameters<GraphFacade['post']>[2]): Promise<T> {
      note('POST', url, body);
      return (options.dryRun ? syntheticGraph('POST', url, body) : await g.post<T>(url, body, o)) as T;
    },
    async patch<T>(url: string, body: unknown, o?: Parameters<GraphFacade['patch']>[2]): Promise<T> {
      note('PATCH', url, body);
      return (options.dryRun ? syntheticGraph('PATCH', url, body) : await g.patch<T>(url, body, o)) as T;
    },
    async put<T>(url: string, body: unknown, o?: Parameters<GraphFacade['put']>[2]): Promise<T> {
      note('PUT', url, body);
      return (options.dryRun ? syntheticGraph('PUT', url, body) : await g.put<T>(url, body, o)) as T;
    },
    async delete(url, o) {
      note('DELETE', url);
      if (!options.dryRun) await g.delete(url, o);
    },
    async sendBytes<T>(method: 'PUT' | 'POST', url: string, data: Buffer | string, contentType: string, o?: Parameters<GraphFacade['sendBytes']>[4]): Promise<T> {
      note(method, url, `[${typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength} bytes ${contentType}]`);
      return (options.dryRun ? {} : await g.sendBytes<T>(method, url, data, contentType, o)) as T;
    },
    async preauthenticated<T>(method: 'PUT' | 'POST', url: string, data: Buffer | string | object, contentType: string, o?: Parameters<GraphFacade['preauthenticated']>[4]): Promise<T> {
      // the URL carries a credential in its query: recorded without it
      note(method, url.replace(/\?.*$/, ''), `[${contentType}]`);
      return (options.dryRun ? {} : await g.preauthenticated<T>(method, url, data, contentType, o)) as T;
    },
    async batch(requests: readonly BatchRequest[], o?: Parameters<GraphFacade['batch']>[1]): Promise<BatchResponse[]> {
      for (const r of requests) if (r.method !== 'GET') note(r.method, r.url, r.body);
      if (!options.dryRun) return g.batch(requests, o);
      const reads = requests.map((r, i) => [r, i] as const).filter(([r]) => r.method === 'GET');
      const answers = reads.length ? await g.batch(reads.map(([r]) => r), o) : [];
      const out: BatchResponse[] = requests.map((r) => ({ status: r.method === 'DELETE' ? 204 : 200, headers: {}, body: syntheticGraph(r.method, r.url, r.body) ?? null }));
      reads.forEach(([, i], k) => (out[i] = answers[k]!));
      return out;
    },
  };

  const exchange: ExchangeClient = {
    async invoke<T>(cmdlet: string, parameters: Record<string, unknown> = {}, o?: Parameters<ExchangeClient['invoke']>[2]): Promise<T[]> {
      if (READ_CMDLET.test(cmdlet)) return client.exchange.invoke<T>(cmdlet, parameters, o);
      options.onWrite({ tenant: client.name, method: 'CMDLET', target: cmdlet, body: redact(parameters) });
      return options.dryRun ? (syntheticCmdlet(cmdlet, parameters) as T[]) : client.exchange.invoke<T>(cmdlet, parameters, o);
    },
  };

  return { ...client, graph, exchange, claims: client.claims, stats: client.stats, close: client.close };
}

/** Strings longer than this are shortened in `apply --dry-run`'s text (the JSON has them whole). */
const SHOWN_STRING = 120;

/** A string value shortened to its start and its length: a marker's content-sync watermarks (a
 *  JSON text of delta links) made each of its writes several screen lines long. */
function shorten(_key: string, value: unknown): unknown {
  return typeof value === 'string' && value.length > SHOWN_STRING ? `${value.slice(0, SHOWN_STRING - 40)}… (${value.length} characters)` : value;
}

/** One line per recorded write, for `apply --dry-run`'s text. */
export function describeWrite(w: RecordedWrite): string {
  const body = w.body === undefined ? '' : ` ${JSON.stringify(w.body, shorten)}`;
  return w.method === 'CMDLET' ? `${w.tenant}: ${w.target}${body}` : `${w.tenant}: ${w.method} ${w.target}${body}`;
}
