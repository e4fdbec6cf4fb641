// Self-signed certificates for the project's spec.certificates whose PFX file does not exist yet:
// for rehearsals against the emulator (`t2t certs --self-signed`) and the demo. The email rewrite's
// TLS certificate covers the project's target domains (and their subdomains); the others are plain
// 2048-bit RSA. Against real tenants the TLS certificate must come from a public CA.
import { existsSync, linkSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { CertificateRef, Project } from '../manifest/model.js';
import { generatePfx } from './generate.js';

/** The certificates of spec.certificates whose PFX file is missing. */
export function missingCertificates(project: Project): CertificateRef[] {
  return Object.values(project.certificates).filter((ref) => !existsSync(resolve(project.dir, ref.pfxFile)));
}

/** Writes a self-signed PFX for each of `refs`, encrypted with `password(ref)`, readable by its
 *  owner only. Returns the files written, relative to the project directory. Each file appears
 *  whole or not at all (a crash mid-write left a truncated PFX, which the next run then took for
 *  the certificate); a file that exists is left as it is (it appeared since the caller looked),
 *  unless `overwrite` (the demo's copy of a project replaces the PFX files copied with it). */
export function writeSelfSignedCertificates(
  project: Project,
  refs: readonly CertificateRef[],
  password: (ref: CertificateRef) => string,
  options: { days?: number; overwrite?: boolean } = {},
): string[] {
  const targets = [...new Set(project.domains.map((d) => d.target))];
  const files: string[] = [];
  for (const ref of refs) {
    const tls = project.emailRewrite?.tlsCertificate === ref.name;
    const cn = tls && targets[0] ? targets[0] : `${ref.name}.t2t.invalid`;
    const sans = tls ? targets.flatMap((d) => [d, `*.${d}`]) : [cn];
    const file = resolve(project.dir, ref.pfxFile);
    mkdirSync(dirname(file), { recursive: true });
    const bytes = generatePfx({ cn, sans, password: password(ref), days: options.days ?? 365 });
    if (writeWhole(file, bytes, options.overwrite ?? false)) files.push(ref.pfxFile);
  }
  return files;
}

/** Writes a temp file beside `file`, then links it to `file` (which fails if `file` exists) or,
 *  with `overwrite`, renames it over `file`: either way `file` is never seen half written. False
 *  when `file` existed and was left alone. */
function writeWhole(file: string, bytes: Uint8Array, overwrite: boolean): boolean {
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  rmSync(temp, { force: true });
  try {
    writeFileSync(temp, bytes, { mode: 0o600, flag: 'wx' });
    if (overwrite) {
      renameSync(temp, file);
      return true;
    }
    try {
      linkSync(temp, file);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e;
    }
  } finally {
    rmSync(temp, { force: true });
  }
}
