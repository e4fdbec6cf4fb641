// The shapes of Project and Wave documents once they passed the schema (before defaults).
// Semantic rules and the model builder read these; schemas/*.json is the authority.
import type { Cloud, EmailRewriteMode, Phase, SecretRef, TenantRole, Transform, Workload } from './model.js';

export interface RawPfx {
  pfxFile: string;
  passwordFromEnv?: string;
  passwordFile?: string;
}

export interface RawTenant {
  role: TenantRole;
  tenantId: string;
  cloud?: Cloud;
  endpoint?: string;
  caFile?: string;
  auth: { clientId: string; clientSecret?: SecretRef; certificate?: RawPfx };
  discovery?: { schedule?: string; enabled?: boolean; deltaTimestamp?: string };
}

export interface RawProfile {
  createAs?: 'member' | 'guest';
  license?: { skus: string[] };
  workloads?: Workload[];
  notification?: { from: string; subject: string; bodyFile: string };
  guestInvite?: { language?: string; messageFile?: string; redirectUrl?: string };
}

export interface RawProjectSpec {
  tenants: Record<string, RawTenant>;
  domains?: { source: string; target: string }[];
  matching?: { source: string; target: string; mapDomain?: boolean }[];
  attributes?: { target: string; from?: string; value?: string; template?: string; transform?: Transform[] }[];
  profiles?: Record<string, RawProfile>;
  groups?: { source: string; target: string; create?: boolean }[];
  emailRewrite?: { dayOneGroup?: string; dayTwoGroup?: string; tlsCertificate?: string; dkimCertificate?: string; dkimSelector?: string };
  certificates?: Record<string, RawPfx>;
  prune?: boolean;
  safety?: { maxDeletes?: number; maxFailureRate?: number; exclude?: string[] };
}

export interface RawWaveSpec {
  profile: string;
  phase?: Phase;
  paused?: boolean;
  emailRewrite?: EmailRewriteMode;
  inviteGuests?: boolean;
  members: { users?: string[]; groups?: string[]; csv?: string };
  schedule?: { deltaSync?: string; cutoverAt?: string };
}

export interface RawDocument<S> {
  apiVersion: 't2t.dev/v1';
  kind: string;
  metadata: { name: string };
  spec: S;
}
