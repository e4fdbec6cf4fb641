// Throttling as the real services do it (SPEC section 6, reference/microsoft-apis.md): token buckets
// refilled continuously, on the emulator's clock. `limits.timeScale` shrinks every window, so refill
// is faster and Retry-After shorter by the same factor. Throttled requests take nothing from a bucket
// (a client that retries before Retry-After is throttled again, since the bucket is still short).
import type { LimitsConfig } from '../config.js';
import type { Route } from './http-types.js';
import type { TenantState } from '../store/tenant-state.js';
import { findUser } from '../store/directory-state.js';
import { mailboxById } from '../store/mail-state.js';
import { tooManyRequests } from './errors.js';

export type Budget = NonNullable<Route['budget']>;

class Bucket {
  tokens: number;
  constructor(readonly capacity: number, readonly perMs: number, public last: number) {
    this.tokens = capacity;
  }

  private refill(now: number): void {
    if (now > this.last) {
      this.tokens = Math.min(this.capacity, this.tokens + (now - this.last) * this.perMs);
      this.last = now;
    }
  }

  /** 0 when taken, else the milliseconds until `cost` is available. A cost above capacity is
   *  served from a full bucket (one huge upload is not refused forever). */
  take(cost: number, now: number): number {
    this.refill(now);
    const need = Math.min(cost, this.capacity);
    if (this.tokens >= need) {
      this.tokens -= cost;
      return 0;
    }
    return (need - this.tokens) / this.perMs;
  }

  /** Ms until `cost` is available, without taking it. */
  wait(cost: number, now: number): number {
    this.refill(now);
    const need = Math.min(cost, this.capacity);
    return this.tokens >= need ? 0 : (need - this.tokens) / this.perMs;
  }
}

export interface ThrottleInput {
  method: string;
  path: string;
  query: URLSearchParams;
  route: Route;
  tenant: TenantState;
  appId: string;
  bodyBytes: number;
  now: number;
  /** Mailbox key when the path does not name it (pre-authenticated import URLs). */
  mailbox?: string;
}

export interface ThrottleResult {
  /** Response headers to add (x-ms-resource-unit). */
  headers: Record<string, string>;
  /** Call when the response has gone out (frees a mailbox concurrency slot). */
  release?: () => void;
}

/** The budget a route draws from: its own `budget`, else inferred from the path and method. */
export function budgetOf(route: Route, method: string, path: string): Budget {
  if (route.budget) return route.budget;
  const p = path.toLowerCase();
  if (p.startsWith('/adminapi/')) return 'exchange';
  if (p.includes('/invitations')) return 'invitation';
  if (/\/(messages|mailfolders|mailboxes|exportitems|createimportsession|sendmail)\b/.test(p) || p.includes('/admin/exchange/')) return 'mailbox';
  if (/\/drives?\b/.test(p)) return 'drive';
  return method === 'GET' ? 'directory-read' : 'directory-write';
}

/** Graph's resource-unit cost of a directory read: base by path, $select -1, $expand +1, $top < 20 -1, min 1. */
export function resourceUnits(route: Route, path: string, query: URLSearchParams): number {
  let cost = route.resourceUnits;
  if (cost === undefined) {
    const p = path.toLowerCase();
    if (/\/transitivemembers\b/.test(p)) cost = 5;
    else if (/\/members\b/.test(p)) cost = 3;
    else if (/\/subscribedskus\b/.test(p)) cost = 3;
    else if (/^\/(v1\.0|beta)\/users(\/[^/]+)?(\/delta)?\/?$/.test(p)) cost = 2;
    else cost = 1;
  }
  if (query.has('$select')) cost -= 1;
  if (query.has('$expand')) cost += 1;
  const top = Number(query.get('$top'));
  if (query.has('$top') && Number.isFinite(top) && top < 20) cost -= 1;
  return Math.max(1, cost);
}

/** Mailbox a mail route addresses: the segment after /users/ or /mailboxes/, as a user id if known. */
function mailboxOf(path: string, tenant: TenantState): string {
  const m = /\/(?:users|mailboxes)\/([^/]+)/i.exec(path);
  if (!m) return '';
  let raw = m[1]!;
  try {
    raw = decodeURIComponent(raw);
  } catch {
    /* keep raw */
  }
  return findUser(tenant, raw)?.id ?? mailboxKey(tenant, raw);
}

/** The throttling key of a mailbox named by its Graph mailbox id (/admin/exchange/mailboxes/{id},
 *  import URLs): a primary mailbox shares its user's key (so /users/{id}/messages, exportItems and
 *  imports count together), an archive is a mailbox of its own. */
export function mailboxKey(tenant: TenantState, mailboxId: string): string {
  const store = mailboxById(tenant, mailboxId);
  if (store) return store.kind === 'primary' ? store.userId : store.mailboxId.toLowerCase();
  return mailboxId.toLowerCase();
}

export class Throttler {
  private buckets = new Map<string, Bucket>();
  private inFlight = new Map<string, number>();

  constructor(readonly limits: LimitsConfig | null) {}

  /** `capacity` may be a function: sizing by tenant (users, licences) counts records, which is
   *  done once per bucket, not on every request. */
  private bucket(key: string, capacity: number | (() => number), windowMs: number, now: number): Bucket {
    let b = this.buckets.get(key);
    if (!b) {
      const cap = typeof capacity === 'function' ? capacity() : capacity;
      b = new Bucket(cap, cap / (windowMs * (this.limits?.timeScale ?? 1)), now);
      this.buckets.set(key, b);
    }
    return b;
  }

  private directoryRuCapacity(t: TenantState): number {
    const configured = this.limits?.directory.resourceUnitsPer10s;
    if (configured) return configured;
    const users = Object.keys(t.directory.users).length;
    return users < 50 ? 3500 : users <= 500 ? 5000 : 8000;
  }

  private driveRuPerMin(t: TenantState): number {
    const configured = this.limits?.drive.resourceUnitsPerMin;
    if (configured) return configured;
    const licences = (t.directory.skus as { enabled?: number }[]).reduce((n, s) => n + (s.enabled ?? 0), 0);
    return licences < 1000 ? 1200 : licences < 5000 ? 2400 : licences < 15000 ? 3600 : licences < 50000 ? 4800 : 6000;
  }

  /** Draw the request's cost from its budgets, or throw a 429 GraphError. */
  acquire(x: ThrottleInput): ThrottleResult {
    const budget = budgetOf(x.route, x.method, x.path);
    const L = this.limits;
    const tid = x.tenant.id;
    const app = x.appId;
    if (budget === 'directory-read' || budget === 'directory-write') {
      const write = budget === 'directory-write';
      const ru = write ? 1 : resourceUnits(x.route, x.path, x.query);
      const headers = { 'x-ms-resource-unit': String(ru) };
      if (!L) return { headers };
      const ruBucket = this.bucket(`ru|${tid}|${app}`, () => this.directoryRuCapacity(x.tenant), 10_000, x.now);
      if (write) {
        const w = this.bucket(`w|${tid}|${app}`, L.directory.writesPer150s, 150_000, x.now);
        const tw = this.bucket(`tw|${tid}`, L.directory.tenantWritesPer5min, 300_000, x.now);
        const waitApp = w.wait(1, x.now);
        const waitTenant = tw.wait(1, x.now);
        if (waitApp > 0 || waitTenant > 0) {
          const tenantWide = waitTenant > waitApp;
          throw tooManyRequests('Too many requests: the application exceeded its write limit. Retry after the time in the Retry-After header.', Math.max(waitApp, waitTenant) / 1000, {
            'x-ms-throttle-scope': tenantWide ? `Tenant/Write/${tid}` : `Tenant_Application/Write/${app}/${tid}`,
            'x-ms-throttle-information': 'WriteLimitExceeded',
            ...headers,
          });
        }
        w.take(1, x.now);
        tw.take(1, x.now);
        ruBucket.take(1, x.now);
        return { headers };
      }
      const wait = ruBucket.take(ru, x.now);
      if (wait > 0) {
        throw tooManyRequests('Too many requests: the application exceeded its resource unit limit. Retry after the time in the Retry-After header.', wait / 1000, {
          'x-ms-throttle-scope': `Tenant_Application/ReadWrite/${app}/${tid}`,
          'x-ms-throttle-information': 'ResourceUnitLimitExceeded',
          ...headers,
        });
      }
      return { headers };
    }
    if (!L) return { headers: {} };
    switch (budget) {
      case 'invitation': {
        const wait = this.bucket(`inv|${tid}`, L.directory.invitationsPer5s, 5_000, x.now).take(1, x.now);
        if (wait > 0) {
          throw tooManyRequests('Too many requests: the tenant exceeded its invitation limit. Retry after the time in the Retry-After header.', wait / 1000, {
            'x-ms-throttle-scope': `Tenant/Invitation/${tid}`,
            'x-ms-throttle-information': 'InvitationLimitExceeded',
          });
        }
        return { headers: {} };
      }
      case 'mailbox':
        return this.mailbox(x, L);
      case 'drive': {
        const cost = x.method === 'GET' ? 1 : 2;
        const wait = this.bucket(`drv|${tid}|${app}`, () => this.driveRuPerMin(x.tenant), 60_000, x.now).take(cost, x.now);
        if (wait > 0) {
          throw tooManyRequests('The request has been throttled', wait / 1000, {}, 'activityLimitReached');
        }
        return { headers: {} };
      }
      default:
        return { headers: {} };
    }
  }

  private mailbox(x: ThrottleInput, L: LimitsConfig): ThrottleResult {
    const key = `${x.tenant.id}|${x.appId}|${x.mailbox ?? mailboxOf(x.path, x.tenant)}`;
    const busy = this.inFlight.get(key) ?? 0;
    const scale = L.timeScale;
    if (busy >= L.mailbox.concurrent) {
      throw tooManyRequests('Application is over its MailboxConcurrency limit.', 1 * scale, {}, 'ApplicationThrottled');
    }
    const requests = this.bucket(`mr|${key}`, L.mailbox.requestsPer10min, 600_000, x.now);
    const waitReq = requests.wait(1, x.now);
    if (waitReq > 0) throw tooManyRequests('Application is over its MailboxRequests limit.', waitReq / 1000, {}, 'ApplicationThrottled');
    if (x.bodyBytes > 0 && x.method !== 'GET') {
      const upload = this.bucket(`mu|${key}`, L.mailbox.uploadMBPer5min * 1024 * 1024, 300_000, x.now);
      const waitUp = upload.take(x.bodyBytes, x.now);
      if (waitUp > 0) throw tooManyRequests('Application is over its MailboxUploadBytes limit.', waitUp / 1000, {}, 'ApplicationThrottled');
    }
    requests.take(1, x.now);
    this.inFlight.set(key, busy + 1);
    let released = false;
    return {
      headers: {},
      release: () => {
        if (released) return;
        released = true;
        const n = (this.inFlight.get(key) ?? 1) - 1;
        if (n <= 0) this.inFlight.delete(key);
        else this.inFlight.set(key, n);
      },
    };
  }
}
