// Warnings for the project's certificates that expire soon or cannot be read (the certs module
// reads the PFX files and passes {name, notAfter} or {name, problem}; the planner only compares
// dates).
export type CertificateValidity = (
  | { readonly name: string; readonly notAfter: string } // ISO 8601
  /** Why the PFX cannot be read: a missing file or password, a wrong password. */
  | { readonly name: string; readonly problem: string }
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
      out.push(`certificate ${c.name} cannot be read: ${c.problem}. Apply stops where it needs it (the email rewrite, or the tenant's sign-in): fix it and check with 't2t certs' ('t2t certs --self-signed' creates missing ones for a rehearsal against the emulator)`);
      continue;
    }
    const ms = Date.parse(c.notAfter) - now.getTime();
    if (Number.isNaN(ms)) continue;
    // as `t2t certs` counts (engine/certs/validate.ts): within 30 days includes the 30th, and a
    // part of a day left is a day (never "in 0 days")
    const days = Math.ceil(ms / 86_400_000);
    if (ms <= 0) out.push(`certificate ${c.name} expired on ${c.notAfter}: renew it and update its PFX file (${c.field ?? `spec.certificates.${c.name}`})`);
    else if (days <= CERTIFICATE_WARNING_DAYS) out.push(`certificate ${c.name} expires on ${c.notAfter} (in ${days} day${days === 1 ? '' : 's'}): renew it before then`);
  }
  return out;
}
