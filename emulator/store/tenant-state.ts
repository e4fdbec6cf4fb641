// One emulated tenant: a container of sections, each owned by one API area's module.
// Everything here is plain JSON so emulator/store/persistence.ts can save and reload it.
import type { DirectoryState } from './directory-state.js';
import type { ExchangeState } from './exchange-state.js';
import type { MailState } from './mail-state.js';
import type { DriveState } from './drive-state.js';

export interface AppRegistration {
  clientId: string;
  /** Emulator config only: the emulator is a test double, its config may hold dev secrets. */
  clientSecret?: string;
  /** PEM certificate(s) whose key may sign client assertions. */
  certificates?: string[];
  roles: string[];
}

export interface TenantState {
  /** Tenant GUID (the `tid` claim). */
  id: string;
  name: string;
  /** e.g. contoso.onmicrosoft.com */
  initialDomain: string;
  /** Verified domains, the initial domain included, lower case. */
  domains: string[];
  apps: AppRegistration[];
  /** Monotonic change counter: every tracked write takes the next value (delta tokens use it). */
  seq: number;
  directory: DirectoryState;
  exchange: ExchangeState;
  mail: MailState;
  drive: DriveState;
}

/** Fields every record that delta queries and replication lag track carries. */
export interface Tracked {
  /** seq of the last change. */
  _seq: number;
  /** Reads before this time (ms) do not see the record's latest write (replication lag). */
  _visibleAt?: number;
  /** The version readers see until _visibleAt; absent for a create (invisible until then). */
  _previous?: unknown;
  /** Tombstone kept for delta queries. */
  _deleted?: boolean;
}

export function nextSeq(t: TenantState): number {
  t.seq += 1;
  return t.seq;
}
