// The few tenant operations discovery needs, as a narrow port over engine/tenant's TenantClient
// (the only code that talks HTTP to a tenant). Keeping the port small keeps the discovery steps
// readable and lets one adapter absorb the client's exact shapes.

export type DeltaItem = Record<string, unknown> & { id: string };

export interface BatchRequest {
  id: string;
  method: 'GET';
  url: string;
}

export interface BatchResponse {
  id: string;
  status: number;
  body: unknown;
}

export interface DiscoveryClient {
  get<T = unknown>(url: string): Promise<T>;
  /** Every item of a paged list (follows @odata.nextLink). */
  list<T = unknown>(url: string): Promise<T[]>;
  /** One delta round from a first URL or a stored delta link, handing over each page's items;
   *  resolves to the new delta link. Throws DeltaResyncNeeded when the service says the token is
   *  no longer valid (410 Gone / resyncRequired). */
  delta(urlOrDeltaLink: string, onPage: (items: DeltaItem[]) => void): Promise<string>;
  /** At most 20 GET requests; answers in any order, each with its own status. */
  batch(requests: BatchRequest[]): Promise<BatchResponse[]>;
  /** An Exchange cmdlet's result objects, every page. `onServerDate` gets each answer's Date
   *  header (the service's clock, ms) when the service sends one. */
  exchange(cmdlet: string, parameters: Record<string, unknown>, options?: { onServerDate?: (ms: number) => void }): Promise<Array<Record<string, unknown>>>;
  /** Requests sent so far (a $batch counts once). */
  requestCount(): number;
  /** Release connections; the client is not used afterwards. */
  close(): Promise<void>;
}

export class DeltaResyncNeeded extends Error {
  constructor(readonly detail: string) {
    super(`the delta token is no longer valid (${detail})`);
  }
}
