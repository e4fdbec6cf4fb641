// `t2t certs [DIR] [--output text|json]`: load the project, read and check every certificate it
// binds (email rewrite TLS and DKIM, tenant sign-in certificates), print a table, the findings
// and the DKIM records to publish. Exit 1 when any finding is an error.
import { resolve } from 'node:path';
import type { Command } from '../command.js';
import { bool, str } from '../command.js';
import { colours, err, out, type CliIO } from '../io.js';
import { UserError } from '../../errors.js';
import { loadProject } from '../../manifest/load-project.js';
import { diagnosticBase, displayFile, renderDiagnostics, isError } from '../../manifest/diagnostics.js';
import { plural } from '../../util/plural.js';
import { missingCertificates, writeSelfSignedCertificates } from '../../certs/generate-project.js';
import { issuingChain, resolvePfxPassword } from '../../certs/pfx.js';
import { requireProjectDir } from '../../workflow/load-valid-project.js';
import type { CertificateRef, Project } from '../../manifest/model.js';
import { checkProjectCertificates, type CertificateReport, type ProjectCertificatesReport } from '../../certs/check-project.js';

export { certificateExpiries } from '../../certs/check-project.js';

const DAY = 86_400_000;

const command: Command = {
  name: 'certs',
  summary: 'validate certificates and print the DKIM records to publish',
  usage: '[DIR] [options]',
  description: `
Reads every certificate the project binds: the email rewrite TLS and DKIM certificates of
spec.certificates, and the sign-in certificates of the tenants. PFX passwords come from the
environment variable (passwordFromEnv) or file (passwordFile) the manifest names.

Checks: validity dates (expired or not yet valid: error; expiring within 30 days: warning), and
those of the CA certificates bundled in its chain (one that expires before the certificate itself:
a warning; expired: an error for the TLS certificate, whose chain clients check), RSA
key size (2048 bits at least; DKIM: 1024 accepted with a warning), that the TLS certificate
covers every target domain by subject alternative name (a wildcard covers one label, not the
domain itself), and that the private key belongs to the certificate.

Prints the DKIM TXT record to publish for each target domain. Exit 0 when there is no error.

--self-signed first creates a self-signed certificate for every certificate of spec.certificates
whose PFX file does not exist yet, encrypted with the password the manifest names (set the
variable to a password of your choosing first): for rehearsals against the emulator. Existing
files are never touched. Against real tenants the TLS certificate must come from a public CA.`,
  options: {
    output: { type: 'string', short: 'o', value: 'FORMAT', default: 'text', description: 'text or json' },
    'self-signed': { type: 'boolean', description: 'create the missing PFX files as self-signed certificates (rehearsals against the emulator)' },
  },
  examples: ['t2t certs examples/contoso-fabrikam', 't2t certs --output json > certs.json', 'REWRITE_TLS_PASSWORD=… REWRITE_DKIM_PASSWORD=… t2t certs projects/contoso-fabrikam --self-signed'],
  async run(args, io) {
    const format = str(args.values, 'output') ?? 'text';
    if (format !== 'text' && format !== 'json') {
      throw new UserError(`unknown output format '${format}'`, 'cli.badOutput', 'use --output text or --output json');
    }
    const dir = resolve(io.cwd, args.positionals[0] ?? '.');
    requireProjectDir(args.positionals[0] ?? '.', dir);
    const loaded = await loadProject(dir);
    if (!loaded.project) {
      if (format === 'json') out(io, JSON.stringify({ project: null, diagnostics: loaded.diagnostics }, null, 2));
      else err(io, renderDiagnostics(loaded.diagnostics.filter(isError), diagnosticBase(io.cwd, dir)));
      err(io, `error: the project in ${args.positionals[0] ?? '.'} is not valid: its certificates cannot be checked`);
      err(io, `hint: run 't2t validate ${args.positionals[0] ?? '.'}' and fix the errors first`);
      return 1;
    }
    if (bool(args.values, 'self-signed')) await generateMissing(loaded.project, io, diagnosticBase(io.cwd, dir));
    const report = await checkProjectCertificates(loaded.project, io.env, new Date(), { git: true });
    if (format === 'json') out(io, JSON.stringify(toJson(loaded.project.name, report), null, 2));
    else out(io, renderText(loaded.project.name, report, io, new Date()));
    return report.errors > 0 ? 1 : 0;
  },
};

/** `--self-signed`: every password first (a missing one fails before any file is written), then
 *  the files. */
async function generateMissing(project: Project, io: CliIO, base: string): Promise<void> {
  const missing = missingCertificates(project);
  if (missing.length === 0) {
    err(io, 'every certificate file of spec.certificates exists: none generated');
    return;
  }
  const unset = missing.map((ref) => ref.passwordFromEnv).filter((v): v is string => v !== undefined && io.env[v] === undefined);
  if (unset.length) {
    const vars = [...new Set(unset)];
    throw new UserError(
      `the self-signed certificates need their PFX passwords: ${vars.join(', ')} ${vars.length === 1 ? 'is' : 'are'} not set`,
      'certs.passwordMissing',
      `set ${vars.join(' and ')} to passwords of your choosing (apply reads the same variables), then run again`,
    );
  }
  const passwords = new Map<CertificateRef, string>();
  for (const ref of missing) passwords.set(ref, await resolvePfxPassword(ref, project.dir, io.env));
  for (const file of writeSelfSignedCertificates(project, missing, (ref) => passwords.get(ref)!)) {
    // named as it opens from the working directory (base: see diagnosticBase), like validate's paths
    err(io, `created ${displayFile(file, base)}: a self-signed certificate, for rehearsals only (real tenants need one from a public CA)`);
  }
}

export default command;

function toJson(project: string, r: ProjectCertificatesReport) {
  return {
    project,
    certificates: r.certificates.map((c) => ({
      name: c.name,
      file: c.file,
      purposes: c.purposes,
      ...(c.info
        ? {
            subject: c.info.subject,
            sans: c.info.sans,
            issuer: c.info.issuer,
            selfSigned: c.info.selfSigned,
            notBefore: c.info.notBefore.toISOString(),
            notAfter: c.info.notAfter.toISOString(),
            keyType: c.info.keyType,
            keyBits: c.info.keyBits ?? null,
            thumbprintSha1: c.info.thumbprintSha1,
            thumbprintSha256: c.info.thumbprintSha256,
            // the CA certificates bundled with it that issued it, its issuer first
            chain: issuingChain(c.info).map((ca) => ({ subject: ca.subject, issuer: ca.issuer, notBefore: ca.notBefore.toISOString(), notAfter: ca.notAfter.toISOString() })),
          }
        : {}),
      diagnostics: c.diagnostics.map((d) => ({ severity: d.severity, code: d.code, message: d.message, ...(d.hint ? { hint: d.hint } : {}) })),
    })),
    dkimRecords: r.dkimRecords.map((d) => ({ name: d.name, type: d.type, value: d.value, strings: d.strings })),
    errors: r.errors,
    warnings: r.warnings,
  };
}

function renderText(project: string, r: ProjectCertificatesReport, io: CliIO, now: Date): string {
  const c = colours(io);
  if (r.certificates.length === 0) return `${project}: no certificates to check (none in spec.certificates or the tenants' auth)`;
  const status = (cert: CertificateReport) => {
    const e = cert.diagnostics.filter((d) => d.severity === 'error').length;
    const w = cert.diagnostics.length - e;
    if (e) return c.red(plural(e, 'error') + (w ? `, ${plural(w, 'warning')}` : ''));
    return w ? c.yellow(plural(w, 'warning')) : c.green('ok');
  };
  const rows = r.certificates.map((cert) => [
    cert.name,
    cert.purposes.join('+'),
    cert.info?.subject ?? '-',
    cert.info ? `${cert.info.notAfter.toISOString().slice(0, 10)} (${Math.ceil((cert.info.notAfter.getTime() - now.getTime()) / DAY)} d)` : '-',
    cert.info ? `${cert.info.keyType.toUpperCase()} ${cert.info.keyBits ?? ''}`.trim() : '-',
    cert.info?.thumbprintSha1 ?? '-',
    status(cert),
  ]);
  const header = ['NAME', 'USE', 'SUBJECT', 'EXPIRES', 'KEY', 'THUMBPRINT (SHA-1)', 'STATUS'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => visible(row[i]!).length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell + ' '.repeat(widths[i]! - visible(cell).length))).join('  ');
  const lines = [`Certificates of ${project}`, '', c.bold(line(header)), ...rows.map(line)];

  const findings = r.certificates.flatMap((cert) => cert.diagnostics);
  if (findings.length) {
    lines.push('');
    for (const d of findings) {
      lines.push(`${d.severity === 'error' ? c.red('error') : c.yellow('warning')}: ${d.message} [${d.code}]`);
      if (d.hint) lines.push(`  hint: ${d.hint}`);
    }
  }
  if (r.dkimRecords.length) {
    lines.push('', 'DKIM records to publish (DNS TXT, one record each; the quoted strings are one value):');
    for (const d of r.dkimRecords) lines.push(`  ${d.text}`);
  }
  lines.push('', `${plural(r.certificates.length, 'certificate')}: ${plural(r.errors, 'error')}, ${plural(r.warnings, 'warning')}`);
  return lines.join('\n');
}

/** Length without colour codes. */
function visible(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\u001b\[\d+m/g, '');
}
