// The typed, immutable Project model that every later stage consumes (SPEC section 2).
// Produced by engine/manifest/load-project.ts after schema and semantic validation; defaults
// are already applied, so consumers never re-check what validation guarantees.
import type { SourcePosition } from '../errors.js';

export type Cloud = 'global' | 'usgov' | 'usgovdod' | 'china' | 'emulator';
export type TenantRole = 'source' | 'target';
export type Phase = 'discovered' | 'prepared' | 'synced' | 'cutover';
/** Phases in order; index comparisons tell forward from backward moves. */
export const PHASES: readonly Phase[] = ['discovered', 'prepared', 'synced', 'cutover'];
export type EmailRewriteMode = 'none' | 'dayOne' | 'dayTwo';
export type Workload = 'mailbox' | 'archive' | 'onedrive';
export type Transform = 'mapDomain' | 'lower' | 'upper' | 'trim';

/** A secret is never literal in a manifest: it is read from the environment or a file at run time. */
export type SecretRef = { readonly fromEnv: string } | { readonly file: string };

export interface TenantAuth {
  readonly clientId: string;
  readonly clientSecret?: SecretRef;
  readonly certificate?: {
    readonly pfxFile: string; // relative to the project directory
    readonly passwordFromEnv?: string;
    readonly passwordFile?: string;
  };
}

export interface Tenant {
  readonly name: string;
  readonly role: TenantRole;
  readonly tenantId: string; // GUID or initial domain
  readonly cloud: Cloud;
  /** Only for cloud: emulator, e.g. https://127.0.0.1:7365 */
  readonly endpoint?: string;
  /** Only for cloud: emulator: PEM of the emulator's CA, relative to the project directory. */
  readonly caFile?: string;
  readonly auth: TenantAuth;
  readonly discovery: {
    readonly schedule: string; // cron; default "0 0 * * *" (every 24 h), see DEFAULTS in build-model.ts
    readonly enabled: boolean;
    readonly deltaTimestamp?: string; // ISO 8601
  };
  readonly position: SourcePosition;
  /** Where auth.clientSecret or auth.certificate is written: errors about the secret point there. */
  readonly credentialPosition?: SourcePosition;
}

export interface DomainMapping {
  readonly source: string; // lower case
  readonly target: string; // lower case
}

export interface MatchingRule {
  readonly source: string; // source attribute name (Graph user property)
  readonly target: string; // target attribute name
  readonly mapDomain: boolean;
}

export interface AttributeMapping {
  readonly target: string;
  /** Exactly one of from / value / template is set. */
  readonly from?: string;
  readonly value?: string;
  readonly template?: string; // "{jobTitle} ({department})"
  readonly transform: readonly Transform[];
}

export interface Profile {
  readonly name: string;
  readonly createAs: 'member' | 'guest';
  readonly license?: { readonly skus: readonly string[] };
  readonly workloads: readonly Workload[];
  readonly notification?: {
    readonly from: string;
    readonly subject: string;
    readonly bodyFile: string; // relative to the project directory
  };
  readonly guestInvite?: {
    readonly language?: string;
    readonly messageFile?: string;
    readonly redirectUrl?: string;
  };
}

export interface GroupMapping {
  readonly source: string; // source group display name
  readonly target: string; // target group display name
  readonly create: boolean;
}

export interface EmailRewrite {
  readonly dayOneGroup: string; // default T2T-Rewrite-DayOne
  readonly dayTwoGroup: string; // default T2T-Rewrite-DayTwo
  readonly tlsCertificate?: string;
  readonly dkimCertificate?: string;
  readonly dkimSelector: string; // default t2t
}

export interface CertificateRef {
  readonly name: string;
  readonly pfxFile: string; // relative to the project directory
  readonly passwordFromEnv?: string;
  readonly passwordFile?: string;
}

export interface Safety {
  readonly maxDeletes: number; // default 0
  readonly maxFailureRate: number; // default 0.2
  readonly exclude: readonly string[]; // lower-cased source addresses or group names
}

export interface WaveMembers {
  /** Addresses as written in the manifest, trimmed and lower-cased. */
  readonly users: readonly string[];
  readonly groups: readonly string[];
  readonly csv?: string; // path relative to the project directory
  /** Addresses read from the CSV at load time, trimmed and lower-cased. */
  readonly csvUsers: readonly string[];
}

export interface Wave {
  readonly name: string;
  readonly file: string; // relative to the project directory
  readonly profile: string;
  readonly phase: Phase;
  readonly paused: boolean;
  readonly emailRewrite: EmailRewriteMode;
  readonly inviteGuests: boolean;
  readonly members: WaveMembers;
  readonly schedule: {
    readonly deltaSync?: string; // cron
    readonly cutoverAt?: string; // ISO 8601
  };
  readonly position: SourcePosition;
}

export interface Project {
  readonly name: string;
  /** Absolute path of the project directory. */
  readonly dir: string;
  /** Manifest files, relative to dir, sorted. */
  readonly files: readonly string[];
  readonly tenants: readonly Tenant[];
  readonly domains: readonly DomainMapping[];
  readonly matching: readonly MatchingRule[];
  readonly attributes: readonly AttributeMapping[];
  readonly profiles: Readonly<Record<string, Profile>>;
  readonly groups: readonly GroupMapping[];
  readonly emailRewrite?: EmailRewrite;
  readonly certificates: Readonly<Record<string, CertificateRef>>;
  readonly safety: Safety;
  readonly prune: boolean;
  readonly waves: readonly Wave[];
  readonly position: SourcePosition;
}

export function sourceTenants(p: Project): readonly Tenant[] {
  return p.tenants.filter((t) => t.role === 'source');
}

export function targetTenants(p: Project): readonly Tenant[] {
  return p.tenants.filter((t) => t.role === 'target');
}

export function phaseIndex(phase: Phase): number {
  return PHASES.indexOf(phase);
}
