// Certificate binding checks (issue 5): is this certificate usable for what the project binds it
// to? Pure: (certificate, now, domains, purpose) -> diagnostics. Errors block; warnings inform.
import { issuingChain, type CertificateInfo } from './pfx.js';

/** tls and dkim: the email rewrite bindings; auth: a tenant app's sign-in certificate; other: unreferenced. */
export type CertificatePurpose = 'tls' | 'dkim' | 'auth' | 'other';

export type CertCheckCode =
  | 'cert-expired'
  | 'cert-not-yet-valid'
  | 'cert-expiring'
  | 'cert-chain-expired'
  | 'cert-chain-expiring'
  | 'cert-weak-key'
  | 'cert-dkim-key-size'
  | 'cert-dkim-key-type'
  | 'cert-domain-not-covered'
  | 'cert-no-private-key'
  | 'cert-key-mismatch';

export interface CertDiagnostic {
  readonly code: CertCheckCode | 'cert-unreadable' | 'cert-in-git' | 'cert-not-ignored';
  readonly severity: 'error' | 'warning';
  readonly certificate: string; // its name in the manifest
  readonly message: string;
  readonly hint?: string;
}

export interface CheckOptions {
  now: Date;
  /** Domains a TLS certificate must cover (the project's target domains). */
  domains: readonly string[];
  purpose: CertificatePurpose;
  /** Warn when the certificate expires within this many days. Default 30. */
  expiryWarningDays?: number;
}

const DAY = 86_400_000;

export function checkCertificate(cert: CertificateInfo, options: CheckOptions): CertDiagnostic[] {
  const out: CertDiagnostic[] = [];
  const add = (severity: CertDiagnostic['severity'], code: CertCheckCode, message: string, hint?: string) =>
    out.push({ code, severity, certificate: cert.name, message: `certificate '${cert.name}' (${cert.file}): ${message}`, ...(hint ? { hint } : {}) });
  const { now } = options;
  const warnDays = options.expiryWarningDays ?? 30;

  if (cert.notAfter.getTime() <= now.getTime()) {
    add('error', 'cert-expired', `expired on ${iso(cert.notAfter)}`, 'renew the certificate and replace the PFX');
  } else if (cert.notBefore.getTime() > now.getTime()) {
    add('error', 'cert-not-yet-valid', `not valid before ${iso(cert.notBefore)}`, 'check the issue date of the certificate and the clock of this machine');
  } else if (cert.notAfter.getTime() - now.getTime() <= warnDays * DAY) {
    const days = Math.ceil((cert.notAfter.getTime() - now.getTime()) / DAY);
    add('warning', 'cert-expiring', `expires in ${days} day${days === 1 ? '' : 's'} (${iso(cert.notAfter)})`, 'renew it before it expires');
  }

  // The CA certificates bundled with it, which a TLS server sends after it: one that expired, or
  // that expires before the certificate itself, ends the chain's validity first. An error for a
  // TLS binding only: DKIM publishes the key alone, and a sign-in certificate is known to Entra ID
  // by its own key, so for them the chain is a warning. (A CA certificate that outlives the
  // certificate is its renewal's business.)
  for (const ca of issuingChain(cert)) {
    if (ca.notAfter.getTime() >= cert.notAfter.getTime()) continue;
    const what = `the ${ca.selfSigned ? 'root' : 'intermediate'} CA certificate ${ca.subject} in its chain`;
    const hint = "export the PFX again with the CA's current (renewed) certificate in its chain, or renew the certificate";
    if (ca.notAfter.getTime() <= now.getTime()) {
      add(options.purpose === 'tls' ? 'error' : 'warning', 'cert-chain-expired', `${what} expired on ${iso(ca.notAfter)}: clients that check the chain refuse the certificate`, hint);
    } else {
      const days = Math.ceil((ca.notAfter.getTime() - now.getTime()) / DAY);
      const when = days <= warnDays ? `expires in ${days} day${days === 1 ? '' : 's'} (${iso(ca.notAfter)})` : `expires on ${iso(ca.notAfter)}`;
      add('warning', 'cert-chain-expiring', `${what} ${when}, before the certificate itself (${iso(cert.notAfter)}): the chain is valid until then only`, hint);
    }
  }

  if (cert.keyType === 'rsa' || cert.keyType === 'rsa-pss') {
    const bits = cert.keyBits ?? 0;
    if (options.purpose === 'dkim') {
      if (bits < 1024) add('error', 'cert-weak-key', `RSA key of ${bits} bits is too small for DKIM (1024 at least, 2048 recommended)`, 'issue a 2048-bit RSA key');
      else if (bits < 2048) add('warning', 'cert-dkim-key-size', `RSA key of ${bits} bits: receivers accept it, but 2048 bits are recommended for DKIM`, 'issue a 2048-bit RSA key');
    } else if (bits < 2048) {
      add('error', 'cert-weak-key', `RSA key of ${bits} bits is too small (2048 at least)`, 'issue a certificate with a 2048-bit or larger RSA key');
    }
  } else if (options.purpose === 'dkim') {
    add('error', 'cert-dkim-key-type', `DKIM needs an RSA key (k=rsa), this certificate has a ${cert.keyType} key`, 'issue a 2048-bit RSA key');
  }

  if (options.purpose === 'tls') {
    for (const domain of options.domains) {
      if (!cert.sans.some((san) => sanCovers(san, domain))) {
        const wildcardOnly = cert.sans.includes(`*.${domain.toLowerCase()}`);
        add(
          'error',
          'cert-domain-not-covered',
          `does not cover the target domain ${domain} (subject alternative names: ${cert.sans.length ? cert.sans.join(', ') : 'none'})`,
          wildcardOnly ? `a wildcard *.${domain} does not cover ${domain} itself: add ${domain} as a subject alternative name` : `issue a certificate with ${domain} among its subject alternative names`,
        );
      }
    }
  }

  if (!cert.privateKey) {
    add('error', 'cert-no-private-key', 'the PFX holds no private key', 'export the certificate together with its private key');
  } else if (!cert.keyMatches) {
    add('error', 'cert-key-mismatch', 'the private key in the PFX does not belong to the certificate', 'export the certificate together with its own private key');
  }
  return out;
}

/** RFC 6125 matching: exact (case-insensitive), or a wildcard as the whole left-most label that
 *  stands for exactly one label: *.fabrikam.com covers mail.fabrikam.com, not fabrikam.com nor
 *  a.b.fabrikam.com. */
export function sanCovers(san: string, domain: string): boolean {
  const s = san.toLowerCase().replace(/\.$/, '');
  const d = domain.toLowerCase().replace(/\.$/, '');
  if (s === d) return true;
  if (!s.startsWith('*.')) return false;
  const suffix = s.slice(1); // ".fabrikam.com"
  if (suffix.split('.').length < 3) return false; // "*.com" covers nothing
  return d.endsWith(suffix) && d.length > suffix.length && !d.slice(0, -suffix.length).includes('.');
}

function iso(d: Date): string {
  return d.toISOString().replace('.000Z', 'Z');
}
