// Warnings for the project's certificates that expire soon (the certs module reads the PFX files
// and passes {name, notAfter}; the planner only compares dates).
export interface CertificateValidity {
  readonly name: string;
  readonly notAfter: string; // ISO 8601
}

export const CERTIFICATE_WARNING_DAYS = 30;

export function certificateWarnings(certs: readonly CertificateValidity[], now: Date): string[] {
  const out: string[] = [];
  for (const c of [...certs].sort((a, b) => a.name.localeCompare(b.name))) {
    const ms = Date.parse(c.notAfter) - now.getTime();
    if (Number.isNaN(ms)) continue;
    const days = Math.floor(ms / 86_400_000);
    if (ms <= 0) out.push(`certificate ${c.name} expired on ${c.notAfter}: renew it and update its PFX file (spec.certificates.${c.name})`);
    else if (days < CERTIFICATE_WARNING_DAYS) out.push(`certificate ${c.name} expires on ${c.notAfter} (in ${days} day${days === 1 ? '' : 's'}): renew it before then`);
  }
  return out;
}
