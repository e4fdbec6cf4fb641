// The certificates of a project, each loaded and checked for what it is bound to: the email
// rewrite TLS and DKIM certificates, tenant app sign-in certificates, and any other entry of
// `certificates`. Used by `t2t certs` and by the planner's expiry warnings.
import type { Project } from '../manifest/model.js';
import { UserError } from '../errors.js';
import { chainExpiry, loadCertificate, type CertificateInfo, type PfxSource } from './pfx.js';
import { checkCertificate, type CertDiagnostic, type CertificatePurpose } from './validate.js';
import { dkimRecordFor, type DkimRecord } from './dkim.js';
import { pfxExposure } from './git-exposure.js';
import type { CertificateValidity } from '../plan/certificates.js';

export interface CertificateReport {
  readonly name: string;
  readonly file: string;
  readonly purposes: readonly CertificatePurpose[];
  /** Undefined when the PFX could not be read (the diagnostics say why). */
  readonly info?: CertificateInfo;
  readonly diagnostics: readonly CertDiagnostic[];
}

export interface ProjectCertificatesReport {
  readonly certificates: readonly CertificateReport[];
  readonly dkimRecords: readonly DkimRecord[];
  readonly errors: number;
  readonly warnings: number;
}

interface Bound {
  source: PfxSource;
  purposes: CertificatePurpose[];
  /** Where the manifest sets it: spec.certificates.NAME, or spec.tenants.NAME.auth.certificate. */
  field: string;
}

/** Every certificate the project refers to, with what it is bound to. */
export function projectCertificateSources(project: Project): Bound[] {
  const bound: Bound[] = [];
  const rewrite = project.emailRewrite;
  for (const ref of Object.values(project.certificates)) {
    const purposes: CertificatePurpose[] = [];
    if (rewrite?.tlsCertificate === ref.name) purposes.push('tls');
    if (rewrite?.dkimCertificate === ref.name) purposes.push('dkim');
    bound.push({ source: ref, purposes: purposes.length ? purposes : ['other'], field: `spec.certificates.${ref.name}` });
  }
  for (const t of project.tenants) {
    const c = t.auth.certificate;
    if (c) bound.push({ source: { name: `tenant ${t.name}`, ...c }, purposes: ['auth'], field: `spec.tenants.${t.name}.auth.certificate` });
  }
  return bound;
}

export function targetDomains(project: Project): string[] {
  return [...new Set(project.domains.map((d) => d.target.toLowerCase()))];
}

/** `git`: also warn of a PFX file that git tracks or would commit (`t2t certs`; apply does not ask). */
export async function checkProjectCertificates(project: Project, env: NodeJS.ProcessEnv, now = new Date(), options: { git?: boolean } = {}): Promise<ProjectCertificatesReport> {
  const domains = targetDomains(project);
  const certificates: CertificateReport[] = [];
  const dkimRecords: DkimRecord[] = [];
  for (const { source, purposes } of projectCertificateSources(project)) {
    let info: CertificateInfo;
    try {
      info = await loadCertificate(source, project.dir, env);
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      const d: CertDiagnostic = { code: 'cert-unreadable', severity: 'error', certificate: source.name, message: e.message, ...(e.hint ? { hint: e.hint } : {}) };
      certificates.push({ name: source.name, file: source.pfxFile, purposes, diagnostics: [d] });
      continue;
    }
    // One certificate bound twice (TLS and DKIM) is checked for both; identical findings once.
    const seen = new Set<string>();
    const diagnostics = purposes
      .flatMap((purpose) => checkCertificate(info, { now, domains, purpose }))
      .filter((d) => (seen.has(d.code + d.message) ? false : (seen.add(d.code + d.message), true)));
    certificates.push({ name: source.name, file: source.pfxFile, purposes, info, diagnostics });
    if (purposes.includes('dkim') && (info.keyType === 'rsa' || info.keyType === 'rsa-pss')) {
      for (const domain of domains) dkimRecords.push(dkimRecordFor(info, project.emailRewrite!.dkimSelector, domain));
    }
  }
  if (options.git) {
    const exposure = await pfxExposure(project.dir, certificates.map((c) => ({ name: c.name, file: c.file })));
    for (const [i, c] of certificates.entries()) {
      const found = exposure.get(c.name);
      if (found) certificates[i] = { ...c, diagnostics: [...c.diagnostics, found] };
    }
  }
  const all = certificates.flatMap((c) => c.diagnostics);
  return {
    certificates,
    dkimRecords,
    errors: all.filter((d) => d.severity === 'error').length,
    warnings: all.filter((d) => d.severity === 'warning').length,
  };
}

/** When each certificate of the project expires (the leaf, or a CA certificate of its chain that
 *  expires before it, named), or why it cannot be read (a missing file or password), for the
 *  planner's warnings. */
export async function certificateExpiries(project: Project, env: NodeJS.ProcessEnv): Promise<CertificateValidity[]> {
  const out: CertificateValidity[] = [];
  for (const { source, field } of projectCertificateSources(project)) {
    try {
      const info = await loadCertificate(source, project.dir, env);
      const { notAfter, expiresFirst } = chainExpiry(info);
      out.push({ name: source.name, notAfter: notAfter.toISOString(), field, ...(expiresFirst ? { expiresFirst: expiresFirst.subject } : {}) });
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      out.push({ name: source.name, problem: e.message, field, ...(e.code === 'certs.missingFile' ? { missingFile: true } : {}) });
    }
  }
  return out;
}
