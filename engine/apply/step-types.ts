// The contract between the executor and the step implementations of the resource kinds
// (engine/resources/<kind>/steps.ts): one async function per op, given a StepContext, returning
// what it did. Steps are idempotent (check, then act; adopt what exists) so any of them may run
// again after a crash at any point.
import type { Profile, Project, Wave } from '../manifest/model.js';
import type { PlanChange } from '../plan/model.js';
import type { TenantClient } from '../tenant/client.js';

/** State one user's steps share during a run (the target user id found or created early on). */
export interface UserRun {
  /** The source address (the plan's `user`), '' for shared changes. */
  readonly user: string;
  readonly wave: string;
  /** The target user's object id once known (from the plan, or created/found by a step). */
  targetUserId: string | null;
  /** Who the marker belongs to (from the plan): stamped whenever a marker is first written, so a
   *  marker never exists without them (a crash between two marker steps leaves a valid marker). */
  identity: { sourceTenant: string; sourceUserId: string; wave: string } | null;
  /** Serialises read-merge-write of this user's marker within one run. */
  readonly markerLock: Mutex;
  /** The marker as this run last wrote it (null: known to have none), so the next merge needs no
   *  read; undefined when unknown (read it). Only mergeMarker sets it, under markerLock. */
  marker?: Record<string, unknown> | null;
  /** The target user's recipient as the tenant last answered this run (Enable-MailUser, Set-*),
   *  so a following step needs no Get-Recipient; undefined when unknown. */
  recipient?: { type: string; hidden: boolean };
  /** Dry run only: the user as the dry run would have created it (its usageLocation, say), for the
   *  steps that would read it back. */
  dryRunUser?: Record<string, unknown>;
}

/** State every step of a run shares. */
export interface RunState {
  /** Group ids by "tenant|lower-case display name", found or created by group.create. */
  readonly groups: Map<string, string>;
  /** Keys of warnings already given in this run (warn once). */
  readonly warned: Set<string>;
}

export interface StepContext {
  readonly change: PlanChange;
  readonly project: Project;
  readonly wave: Wave | undefined;
  readonly profile: Profile | undefined;
  /** The client of the tenant this change writes to (counting writes; in dry-run answering them). */
  readonly tenant: TenantClient;
  /** Any tenant of the project by its manifest name, with the same wrapping. */
  client(name: string): TenantClient;
  readonly user: UserRun;
  readonly run: RunState;
  readonly dryRun: boolean;
  /** Aborted only on a hard stop; Ctrl-C lets in-flight steps finish. */
  readonly signal: AbortSignal;
  now(): Date;
  /** A job-log line for this user (redacted by the job log). */
  log(event: string, fields?: Record<string, unknown>): void;
  /** A warning shown to the user once per run for `key`. */
  warnOnce(key: string, message: string): void;
}

export interface StepResult {
  /** What the step found or did, for the job log ("adopted existing contact", "already hidden"). */
  readonly note?: string;
  /** Content-sync steps: the bytes copied by this step, for the measured throughput. */
  readonly copiedBytes?: number;
}

export type StepFn = (ctx: StepContext, change: PlanChange) => Promise<StepResult | void>;
export type StepMap = Readonly<Record<string, StepFn>>;

/** A tiny async mutex (FIFO). */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();
  async run<T>(fn: () => Promise<T>): Promise<T> {
    const prev = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((r) => (release = r));
    await prev;
    try {
      return await fn();
    } finally {
      release();
    }
  }
}
