// From schema- and rule-valid documents to the typed, immutable Project model, defaults applied
// here and nowhere else (docs/manifests.md lists them).
import type { AttributeMapping, CertificateRef, EmailRewrite, MatchingRule, Profile, Project, Tenant, Wave } from './model.js';
import type { RawPfx } from './raw-types.js';
import { at, type ProjectDoc, type WaveDoc } from './rule-context.js';
import type { Location } from './source-files.js';

export const DEFAULTS = Object.freeze({
  cloud: 'global',
  /** Every 24 hours, at midnight (the scheduler's local time). */
  discoverySchedule: '0 0 * * *',
  discoveryEnabled: true,
  dayOneGroup: 'T2T-Rewrite-DayOne',
  dayTwoGroup: 'T2T-Rewrite-DayTwo',
  dkimSelector: 't2t',
  workloads: Object.freeze(['mailbox', 'archive', 'onedrive'] as const),
  maxDeletes: 0,
  maxFailureRate: 0.2,
  phase: 'discovered',
} as const);

function position(loc: Location) {
  return { file: loc.file, line: loc.line, col: loc.col };
}

function pfx(name: string, c: RawPfx): CertificateRef {
  return { name, pfxFile: c.pfxFile, ...(c.passwordFromEnv !== undefined ? { passwordFromEnv: c.passwordFromEnv } : {}), ...(c.passwordFile !== undefined ? { passwordFile: c.passwordFile } : {}) };
}

export function buildProject(dir: string, files: readonly string[], p: ProjectDoc, waves: readonly WaveDoc[]): Project {
  const spec = p.raw.spec;
  const tenants: Tenant[] = Object.entries(spec.tenants).map(([name, t]) => ({
    name,
    role: t.role,
    tenantId: t.tenantId.toLowerCase(),
    cloud: t.cloud ?? DEFAULTS.cloud,
    ...(t.endpoint !== undefined ? { endpoint: t.endpoint.replace(/\/+$/, '') } : {}),
    ...(t.caFile !== undefined ? { caFile: t.caFile } : {}),
    auth: {
      clientId: t.auth.clientId.toLowerCase(),
      ...(t.auth.clientSecret ? { clientSecret: { ...t.auth.clientSecret } } : {}),
      ...(t.auth.certificate ? { certificate: omitName(pfx('', t.auth.certificate)) } : {}),
    },
    discovery: {
      schedule: t.discovery?.schedule?.trim() ?? DEFAULTS.discoverySchedule,
      enabled: t.discovery?.enabled ?? DEFAULTS.discoveryEnabled,
      ...(t.discovery?.deltaTimestamp !== undefined ? { deltaTimestamp: t.discovery.deltaTimestamp } : {}),
    },
    position: position(at(p.doc, ['spec', 'tenants', name], 'key')),
    ...(t.auth.clientSecret || t.auth.certificate ? { credentialPosition: position(at(p.doc, ['spec', 'tenants', name, 'auth', t.auth.clientSecret ? 'clientSecret' : 'certificate'], 'key')) } : {}),
  }));
  const domains = (spec.domains ?? []).map((d) => ({ source: d.source.toLowerCase(), target: d.target.toLowerCase() }));
  const matching: MatchingRule[] = spec.matching
    ? spec.matching.map((m) => ({ source: m.source, target: m.target, mapDomain: m.mapDomain ?? false }))
    : [{ source: 'mail', target: 'mail', mapDomain: domains.length > 0 }];
  const attributes: AttributeMapping[] = (spec.attributes ?? []).map((a) => ({
    target: a.target,
    ...(a.from !== undefined ? { from: a.from } : {}),
    ...(a.value !== undefined ? { value: a.value } : {}),
    ...(a.template !== undefined ? { template: a.template } : {}),
    transform: [...(a.transform ?? [])],
  }));
  const profiles: Record<string, Profile> = {};
  for (const [name, pr] of Object.entries(spec.profiles ?? {})) {
    profiles[name] = {
      name,
      createAs: pr.createAs ?? 'member',
      ...(pr.license ? { license: { skus: [...pr.license.skus] } } : {}),
      workloads: [...(pr.workloads ?? DEFAULTS.workloads)],
      ...(pr.notification ? { notification: { ...pr.notification, from: pr.notification.from.toLowerCase() } } : {}),
      ...(pr.guestInvite ? { guestInvite: { ...pr.guestInvite } } : {}),
    };
  }
  const certificates: Record<string, CertificateRef> = {};
  for (const [name, c] of Object.entries(spec.certificates ?? {})) certificates[name] = pfx(name, c);
  const rewrite = spec.emailRewrite;
  const emailRewrite: EmailRewrite | undefined = rewrite
    ? {
        dayOneGroup: rewrite.dayOneGroup ?? DEFAULTS.dayOneGroup,
        dayTwoGroup: rewrite.dayTwoGroup ?? DEFAULTS.dayTwoGroup,
        ...(rewrite.tlsCertificate !== undefined ? { tlsCertificate: rewrite.tlsCertificate } : {}),
        ...(rewrite.dkimCertificate !== undefined ? { dkimCertificate: rewrite.dkimCertificate } : {}),
        dkimSelector: rewrite.dkimSelector ?? DEFAULTS.dkimSelector,
      }
    : undefined;
  const project: Project = {
    name: p.raw.metadata.name,
    dir,
    files: [...files].sort(),
    tenants,
    domains,
    matching,
    attributes,
    profiles,
    groups: (spec.groups ?? []).map((g) => ({ source: g.source, target: g.target, create: g.create ?? false })),
    ...(emailRewrite ? { emailRewrite } : {}),
    certificates,
    safety: {
      maxDeletes: spec.safety?.maxDeletes ?? DEFAULTS.maxDeletes,
      maxFailureRate: spec.safety?.maxFailureRate ?? DEFAULTS.maxFailureRate,
      exclude: (spec.safety?.exclude ?? []).map((e) => e.trim().toLowerCase()),
    },
    prune: spec.prune ?? false,
    waves: waves.map(buildWave),
    position: position(p.doc.start),
  };
  return deepFreeze(project);
}

function omitName(c: CertificateRef): Tenant['auth']['certificate'] {
  const { name: _name, ...rest } = c;
  return rest;
}

function buildWave(w: WaveDoc): Wave {
  const s = w.raw.spec;
  return {
    name: w.raw.metadata.name,
    file: w.doc.file.path,
    profile: s.profile,
    phase: s.phase ?? DEFAULTS.phase,
    paused: s.paused ?? false,
    emailRewrite: s.emailRewrite ?? 'none',
    inviteGuests: s.inviteGuests ?? false,
    members: {
      users: unique(w.users.map((u) => u.address)),
      groups: unique((s.members.groups ?? []).map((g) => g.trim())),
      ...(s.members.csv !== undefined ? { csv: s.members.csv } : {}),
      csvUsers: unique(w.csvUsers.map((u) => u.address)),
    },
    schedule: {
      ...(s.schedule?.deltaSync !== undefined ? { deltaSync: s.schedule.deltaSync.trim() } : {}),
      ...(s.schedule?.cutoverAt !== undefined ? { cutoverAt: s.schedule.cutoverAt } : {}),
    },
    position: position(w.doc.start),
  };
}

function unique(xs: readonly string[]): string[] {
  return [...new Set(xs)];
}

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
  }
  return value;
}
