// Self-signed certificates for the project's spec.certificates whose PFX file does not exist yet:
// for rehearsals against the emulator (`t2t certs --self-signed`) and the demo. The email rewrite's
// TLS certificate covers the project's target domains (and their subdomains); the others are plain
// 2048-bit RSA. Against real tenants the TLS certificate must come from a public CA.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { CertificateRef, Project } from '../manifest/model.js';
import { generatePfx } from './generate.js';

/** The certificates of spec.certificates whose PFX file is missing. */
export function missingCertificates(project: Project): CertificateRef[] {
  return Object.values(project.certificates).filter((ref) => !existsSync(resolve(project.dir, ref.pfxFile)));
}

/** Writes a self-signed PFX for each of `refs`, encrypted with `password(ref)`, readable by its
 *  owner only. Returns the files written, relative to the project directory. */
export function writeSelfSignedCertificates(project: Project, refs: readonly CertificateRef[], password: (ref: CertificateRef) => string, days = 365): string[] {
  const targets = [...new Set(project.domains.map((d) => d.target))];
  const files: string[] = [];
  for (const ref of refs) {
    const tls = project.emailRewrite?.tlsCertificate === ref.name;
    const cn = tls && targets[0] ? targets[0] : `${ref.name}.t2t.invalid`;
    const sans = tls ? targets.flatMap((d) => [d, `*.${d}`]) : [cn];
    const file = resolve(project.dir, ref.pfxFile);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, generatePfx({ cn, sans, password: password(ref), days }), { mode: 0o600 });
    files.push(ref.pfxFile);
  }
  return files;
}
