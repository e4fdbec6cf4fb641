// Helpers the step implementations share: reading error kinds, waiting out replication lag,
// resolving the target user, and typed parameter access. Every helper only reads; writes stay in
// the steps, so each step shows its own check-then-act.
import { randomBytes } from 'node:crypto';
import { T2tError, TenantError, UserError } from '../errors.js';
import type { StepContext } from './step-types.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const DRY_RUN_ID_PREFIX = 'dry-run-';

export function isGuid(s: string): boolean {
  return GUID.test(s);
}

export function isDryRunId(s: string | null | undefined): boolean {
  return !!s && s.startsWith(DRY_RUN_ID_PREFIX);
}

export function statusOf(e: unknown): number | undefined {
  return e instanceof TenantError ? e.details.status : undefined;
}

export function isNotFound(e: unknown): boolean {
  if (!(e instanceof T2tError)) return false;
  return statusOf(e) === 404 || /couldn't be found|ManagementObjectNotFound|does not exist|not found/i.test(e.message);
}

/** The service says the object (or value) is already there: adopt instead of failing. */
export function isAlreadyExists(e: unknown): boolean {
  if (!(e instanceof T2tError)) return false;
  const s = statusOf(e);
  if (s !== undefined && s !== 400 && s !== 409) return false;
  return /already exist|already being used|already a member|already mail-enabled|NameAlreadyExists|same value for property/i.test(e.message);
}

/** A failure after which the request may or may not have taken effect (so look before retrying). */
export function isUncertain(e: unknown): boolean {
  if (!(e instanceof T2tError)) return false;
  const s = statusOf(e);
  return s === undefined ? e.code === 'tenant.unreachable' : s >= 500 || s === 429;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const onAbort = () => (clearTimeout(t), resolve());
    const t = setTimeout(() => (signal?.removeEventListener('abort', onAbort), resolve()), ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** How long a step waits for a just-written object to become readable (replication lag). */
export const LAG_WAITS_MS = [100, 200, 400, 800, 1600];

/**
 * Read something that should exist (created earlier in this run, or seen by discovery): a miss is
 * retried over LAG_WAITS_MS before it counts. Returns undefined when it is still missing.
 */
export async function readEventually<T>(ctx: StepContext, read: () => Promise<T | undefined>, waits: readonly number[] = LAG_WAITS_MS): Promise<T | undefined> {
  for (let i = 0; ; i++) {
    const v = await read();
    if (v !== undefined) return v;
    if (i >= waits.length || ctx.signal.aborted || ctx.dryRun) return undefined;
    await sleep(waits[i]!, ctx.signal);
  }
}

/** undefined for a 404 (or Exchange's "couldn't be found"), the value otherwise. */
export async function orMissing<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

export interface GraphUser {
  id: string;
  userPrincipalName: string;
  mail?: string | null;
  displayName?: string | null;
  userType?: string;
  usageLocation?: string | null;
  assignedLicenses?: { skuId: string }[];
  [k: string]: unknown;
}

export const USER_SELECT = 'id,userPrincipalName,mail,displayName,userType,usageLocation,assignedLicenses';

export async function getUser(ctx: StepContext, idOrUpn: string, select = USER_SELECT): Promise<GraphUser | undefined> {
  if (isDryRunId(idOrUpn)) {
    // a user only this dry run created: as it would have been created (usageLocation included)
    const made = ctx.user.dryRunUser?.['id'] === idOrUpn ? ctx.user.dryRunUser : {};
    return { userPrincipalName: idOrUpn, userType: 'Member', ...made, id: idOrUpn, assignedLicenses: [] } as GraphUser;
  }
  return orMissing(ctx.tenant.graph.get<GraphUser>(`/users/${encodeURIComponent(idOrUpn)}?$select=${select}`));
}

/**
 * The target user's object id: known to the run (created or found earlier), a GUID in the params,
 * or looked up by UPN, waiting out replication lag. Fails when the user cannot be found.
 */
export async function targetUserId(ctx: StepContext, identity?: string): Promise<string> {
  if (ctx.user.targetUserId) return ctx.user.targetUserId;
  const id = identity ?? str(ctx.change.params, 'identity') ?? str(ctx.change.params, 'userId');
  if (!id) throw new InternalStepError(ctx, 'the change names no target user');
  if (isGuid(id) || isDryRunId(id)) {
    ctx.user.targetUserId = id;
    return id;
  }
  const u = await readEventually(ctx, () => getUser(ctx, id, 'id'));
  if (!u) {
    throw new TenantError(
      `tenant '${ctx.tenant.name}': target user ${id} of ${ctx.change.user || 'this change'} does not exist`,
      'apply.targetUserMissing',
      { tenant: ctx.tenant.name, object: `user ${id}`, status: 404, retryable: true },
      'it may not have replicated yet, or was deleted: run apply again (it plans from fresh tenant state)',
    );
  }
  ctx.user.targetUserId = u.id;
  return u.id;
}

/** A strong random password for a new or converted user: sent once, never logged or stored. */
export function randomPassword(): string {
  return `${randomBytes(18).toString('base64url')}Aa1!`;
}

export function str(params: Record<string, unknown>, name: string): string | undefined {
  const v = params[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function need(ctx: StepContext, name: string): string {
  const v = str(ctx.change.params, name);
  if (v === undefined) throw new InternalStepError(ctx, `parameter '${name}' is missing`);
  return v;
}

export function strings(params: Record<string, unknown>, name: string): string[] {
  const v = params[name];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** "SMTP:a@x" / "smtp:a@x" / "a@x" -> "a@x" lower case; '' for nothing. */
export function bare(a: unknown): string {
  if (typeof a !== 'string') return '';
  return a.trim().replace(/^smtp:/i, '').toLowerCase();
}

/** A plan whose params do not fit the step: a t2t bug (or a hand-edited plan file). */
export class InternalStepError extends UserError {
  constructor(ctx: StepContext, what: string) {
    super(`${ctx.change.op} of ${ctx.change.user || ctx.change.summary}: ${what}`, 'apply.badChange', 'run t2t plan again; if it persists, report it with the plan JSON');
  }
}

/** Blocked (SPEC section 4 conditions): a failure that needs the user to act, with its reason. */
export class BlockedError extends UserError {
  constructor(readonly reason: string, message: string, hint?: string) {
    super(message, `Blocked/${reason}`, hint);
  }
}
