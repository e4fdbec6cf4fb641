// The Plan: exactly SPEC section 4's plan JSON (formatVersion 1 and its pinned fields), plus
// additive fields (op, params, inverseOp, waves, orphans, hashes, createdAt, refusal).
import type { Phase } from '../manifest/model.js';
import type { Action, JsonObject, ResourceName, Reversibility } from '../resources/types.js';

export const PLAN_FORMAT_VERSION = 1;

export type ObservedPhase = 'unmatched' | 'matched' | 'prepared' | 'synced' | 'cutover-partial' | 'cutover' | 'failed';

export interface PlanChange {
  readonly id: string;
  readonly wave: string;
  /** The source user's address; "" for changes shared by several users (a group created once). */
  readonly user: string;
  readonly tenant: string;
  readonly resource: ResourceName;
  readonly action: Action;
  readonly summary: string;
  readonly reversibility: Reversibility;
  readonly dependsOn: string[];
  readonly op: string;
  readonly params: JsonObject;
  readonly inverseOp: string | null;
}

export interface Refusal {
  readonly user: string;
  readonly reason: string;
  readonly wave?: string;
}

export interface Orphan {
  readonly tenant: string;
  readonly resource: ResourceName;
  /** What is left behind, e.g. "target user alice@fabrikam.com". */
  readonly object: string;
  readonly reason: string;
  readonly wave?: string;
  readonly user?: string;
}

export interface Estimate {
  readonly bytes: number;
  readonly items: number;
  readonly seconds: number;
  readonly throughputBytesPerSecond: number;
  readonly finishesBy: string;
  readonly warning?: string;
}

export interface Condition {
  readonly type: 'Ready' | 'Progressing' | 'Blocked';
  readonly status: 'True' | 'False';
  readonly reason: string;
  readonly message: string;
  readonly observedCommit: string | null;
}

export interface WavePlan {
  readonly name: string;
  /** The declared phase. */
  readonly phase: Phase;
  /** The phase planned for now (synced while a cutover is scheduled in the future). */
  readonly effectivePhase: Phase;
  readonly paused: boolean;
  /** Number of member users (after exclusions). */
  readonly users: number;
  readonly excluded: number;
  readonly unresolved: number;
  /** Users per observed phase. */
  readonly observed: Readonly<Partial<Record<ObservedPhase, number>>>;
  readonly estimate: Estimate | null;
  readonly orphans: number;
  readonly conditions: readonly Condition[];
}

export interface Plan {
  readonly formatVersion: 1;
  readonly project: string;
  readonly revision: { readonly commit: string | null; readonly dirty: boolean };
  readonly changes: PlanChange[];
  readonly refused: Refusal[];
  readonly warnings: string[];
  readonly summary: { create: number; update: number; delete: number; run: number };
  readonly waves: WavePlan[];
  readonly orphans: Orphan[];
  /** Set when the plan as a whole must not be applied (spec.safety.maxDeletes exceeded). */
  readonly refusal: { readonly code: string; readonly message: string; readonly hint: string } | null;
  readonly manifestHash: string;
  readonly inventoryHash: string;
  readonly createdAt: string;
}

/** A plan without its changes: what is left once a streamed plan has handed every wave's changes
 *  on (engine/plan/build-plan.ts streamPlan). The summary still counts them. */
export type PlanOutline = Omit<Plan, 'changes'>;

/** The members a plan has before its changes: known before planning starts, so a streamed plan's
 *  JSON can begin at once. */
export type PlanHead = Pick<Plan, 'formatVersion' | 'project' | 'revision'>;

/** One user as plan and status see it. */
export interface UserState {
  readonly wave: string;
  readonly source: string;
  readonly target: string | null;
  readonly declared: Phase;
  readonly phase: ObservedPhase;
  readonly paused: boolean;
  readonly match: { readonly status: string; readonly rule?: string; readonly reason?: string };
  readonly changes: number;
  readonly conditions: readonly Condition[];
  /** The userType (Member, Guest) of the source user and of its matched target user (null: none). */
  readonly sourceType: string;
  readonly targetType: string | null;
}
