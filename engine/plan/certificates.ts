// Warnings for the project's certificates that expire soon or cannot be read (the certs module
// reads the PFX files and passes {name, notAfter} (the earliest of the certificate's and its
// chain's, with the CA certificate named when it is the chain's) or {name, problem}; the planner
// only compares dates).
export type CertificateValidity = (
  | {
      readonly name: string;
      /** ISO 8601: the earliest notAfter of the certificate and the CA certificates of its chain. */
      readonly notAfter: string;
      /** The subject of the chain's CA certificate that notAfter is of, when it expires before the
       *  certificate itself. */
      readonly expiresFirst?: string;
    }
  /** Why the PFX cannot be read: a missing file or password, a wrong password. */
  | { readonly name: string; readonly problem: string; readonly missingFile?: boolean }
) & {
  /** Where the manifest sets it (default spec.certificates.NAME; a tenant's sign-in certificate is
   *  spec.tenants.NAME.auth.certificate). */
  readonly field?: string;
};

export const CERTIFICATE_WARNING_DAYS = 30;

export function certificateWarnings(certs: readonly CertificateValidity[], now: Date): string[] {
  const out: string[] = [];
  for (const c of [...certs].sort((a, b) => a.name.localeCompare(b.name))) {
    if ('problem' in c) {
      // the self-signed hint helps with a missing file only (not with a missing or wrong password)
      const create = c.missingFile ? " ('t2t certs --self-signed' creates missing ones for a rehearsal against the emulator)" : '';
      out.push(`certificate ${c.name} cannot be read: ${c.problem}. Apply stops where it needs it (the email rewrite, or the tenant's sign-in): fix it and check with 't2t certs'${create}`);
      continue;
    }
    const ms = Date.parse(c.notAfter) - now.getTime();
    if (Number.isNaN(ms)) continue;
    // as `t2t certs` counts (engine/certs/validate.ts): within 30 days includes the 30th, and a
    // part of a day left is a day (never "in 0 days")
    const days = Math.ceil(ms / 86_400_000);
    const field = c.field ?? `spec.certificates.${c.name}`;
    if (c.expiresFirst !== undefined) {
      // the chain ends first: the CA's renewed certificate in the PFX is enough
      const ca = `the CA certificate ${c.expiresFirst} in its chain`;
      if (ms <= 0) out.push(`certificate ${c.name}: ${ca} expired on ${c.notAfter}, before the certificate itself: update its PFX file with the CA's current certificate, or renew it (${field})`);
      else if (days <= CERTIFICATE_WARNING_DAYS) out.push(`certificate ${c.name}: ${ca} expires on ${c.notAfter} (in ${days} day${days === 1 ? '' : 's'}), before the certificate itself: update its PFX file with the CA's current certificate, or renew it, before then (${field})`);
      continue;
    }
    if (ms <= 0) out.push(`certificate ${c.name} expired on ${c.notAfter}: renew it and update its PFX file (${field})`);
    else if (days <= CERTIFICATE_WARNING_DAYS) out.push(`certificate ${c.name} expires on ${c.notAfter} (in ${days} day${days === 1 ? '' : 's'}): renew it before then`);
  }
  return out;
}
