// The contract between the emulator's HTTP pipeline (emulator/core) and its API handlers
// (emulator/graph, emulator/exchange, emulator/auth). One handler per REST operation or cmdlet,
// as in Azurite; handlers never touch sockets, only EmuRequest -> EmuResponse.
import type { TenantState } from '../store/tenant-state.js';
import type { Emulator } from '../store/emulator-state.js';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface EmuRequest {
  readonly method: HttpMethod;
  /** Path without the query, e.g. /v1.0/users/abc/messages */
  readonly path: string;
  /** Values of the {placeholders} of the route pattern, URL-decoded. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string>>;
  /** Parsed JSON when Content-Type is JSON, else undefined. */
  readonly body: unknown;
  readonly rawBody: Buffer;
  /** The tenant the caller's token belongs to (its `tid`); undefined on unauthenticated routes. */
  readonly tenant: TenantState;
  readonly appId: string;
  readonly roles: readonly string[];
  readonly requestId: string;
  /** Milliseconds since epoch, from the emulator's clock (tests may shift it). */
  readonly now: number;
  readonly emulator: Emulator;
  /** The absolute base URL the client used, e.g. https://127.0.0.1:7365 (for @odata.nextLink). */
  readonly baseUrl: string;
}

export interface EmuResponse {
  status: number;
  headers?: Record<string, string>;
  /** Objects are sent as JSON; Buffers and strings as they are. */
  body?: unknown;
}

export type Handler = (req: EmuRequest) => EmuResponse | Promise<EmuResponse>;

export interface Route {
  method: HttpMethod;
  /** Path pattern with {name} placeholders, e.g. /v1.0/users/{id}/memberOf. Literal `$` allowed. */
  pattern: string;
  /** Application roles of which the token needs at least one; empty or absent = any valid token. */
  roles?: readonly string[];
  /** Throttling class: which budget the request draws from (see emulator/core/throttle.ts). */
  budget?: 'directory-read' | 'directory-write' | 'mailbox' | 'drive' | 'invitation' | 'exchange' | 'none';
  /** Directory resource-unit cost before $select/$expand/$top adjustments (Graph's table). */
  resourceUnits?: number;
  /** Routes that need no token (OpenID metadata, token endpoint, pre-authenticated URLs). */
  anonymous?: boolean;
  /** Pre-authenticated URLs (anonymous, a signed token in the URL): whom the request counts
   *  against for throttling, read from its token; undefined (bad token) = not throttled, the
   *  handler refuses it. Without this, anonymous routes are not throttled. */
  throttleScope?: (req: Pick<EmuRequest, 'params' | 'query' | 'now' | 'emulator'>) => ThrottleScope | undefined;
  handler: Handler;
}

/** Who a pre-authenticated request counts against: its tenant, the app that created the URL, and
 *  (mailbox budget) the mailbox key, as the throttler keys mailboxes (the user id of a primary). */
export interface ThrottleScope {
  tenant: TenantState;
  appId: string;
  mailbox?: string;
}

/** Graph's error wire format: {error:{code,message,innerError:{date,request-id,client-request-id}}}. */
export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const notFound = (what: string) =>
  new GraphError(404, 'Request_ResourceNotFound', `Resource '${what}' does not exist or one of its queried reference-property objects are not present.`);
export const badRequest = (message: string, code = 'Request_BadRequest') => new GraphError(400, code, message);
export const conflict = (message: string) => new GraphError(400, 'Request_BadRequest', message);

export function json(status: number, body: unknown, headers?: Record<string, string>): EmuResponse {
  return { status, body, ...(headers ? { headers } : {}) };
}
