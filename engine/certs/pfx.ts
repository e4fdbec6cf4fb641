// Reading a PFX (PKCS#12): node-forge decrypts the container; node:crypto's X509Certificate reads
// the certificates (it also understands EC keys, which forge does not). The private key is kept
// as a KeyObject, which prints as {} and serialises to nothing, so it cannot leak into a log or a
// plan by accident; privateKeyPem() is the one explicit way out (for msal-node).
import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { createRequire } from 'node:module';
import type Forge from 'node-forge';
import { UserError } from '../errors.js';
import { openPkcs12 } from './open-pkcs12.js';

/** Where a certificate comes from: the manifest's `certificates` entry or a tenant's auth certificate. */
export interface PfxSource {
  /** How the user knows it: "rewrite-tls", "tenant contoso". */
  readonly name: string;
  readonly pfxFile: string; // relative to the project directory
  readonly passwordFromEnv?: string;
  readonly passwordFile?: string;
}

export interface CertificateInfo {
  readonly name: string;
  readonly file: string;
  readonly subject: string; // "CN=mail.fabrikam.com, O=Fabrikam"
  readonly commonName?: string;
  readonly sans: readonly string[]; // DNS names, lower case
  readonly issuer: string;
  readonly selfSigned: boolean;
  readonly serialNumber: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly keyType: string; // rsa | ec | ed25519 | rsa-pss ...
  /** RSA modulus size, or the EC curve size. */
  readonly keyBits?: number;
  readonly curve?: string;
  readonly thumbprintSha1: string; // upper-case hex, as Windows shows it
  readonly thumbprintSha256: string;
  /** The leaf, then the rest of the chain found in the PFX. */
  readonly chain: readonly X509Certificate[];
  /** Undefined when the PFX holds no private key. */
  readonly privateKey?: KeyObject;
  readonly keyMatches: boolean;
}

/** The password of a PFX, from the environment or a file (relative to the project directory). */
export async function resolvePfxPassword(source: PfxSource, projectDir: string, env: NodeJS.ProcessEnv): Promise<string> {
  if (source.passwordFromEnv) {
    const value = env[source.passwordFromEnv];
    if (value === undefined) {
      throw new UserError(
        `the password of certificate '${source.name}' (${source.pfxFile}) is not set: environment variable ${source.passwordFromEnv} is missing`,
        'certs.passwordMissing',
        `set ${source.passwordFromEnv} to the PFX password`,
      );
    }
    return value;
  }
  if (source.passwordFile) {
    const path = isAbsolute(source.passwordFile) ? source.passwordFile : join(projectDir, source.passwordFile);
    try {
      return (await readFile(path, 'utf8')).replace(/\r?\n$/, '');
    } catch (e) {
      throw new UserError(`cannot read the password file ${source.passwordFile} of certificate '${source.name}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 'certs.passwordFile', 'check passwordFile (a path relative to the project directory)', undefined, { cause: e });
    }
  }
  return '';
}

/** Reads and decrypts the PFX of `source`. Errors name the certificate and where its password
 *  comes from, never the password. */
export async function loadCertificate(source: PfxSource, projectDir: string, env: NodeJS.ProcessEnv): Promise<CertificateInfo> {
  const path = isAbsolute(source.pfxFile) ? source.pfxFile : join(projectDir, source.pfxFile);
  let der: Buffer;
  try {
    der = await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new UserError(
        `cannot read certificate '${source.name}': ${source.pfxFile} does not exist`,
        'certs.missingFile',
        "check pfxFile (a path relative to the project directory); for a rehearsal, 't2t certs --self-signed' creates the missing certificates of spec.certificates",
        undefined,
        { cause: e },
      );
    }
    throw new UserError(`cannot read certificate '${source.name}': ${source.pfxFile}: ${code ?? (e as Error).message}`, 'certs.missingFile', 'check pfxFile (a path relative to the project directory)', undefined, { cause: e });
  }
  const password = await resolvePfxPassword(source, projectDir, env);
  return readPfx(der, password, source);
}

// node-forge is loaded on first use: most commands (plan, validate) never open a PFX, and
// loading it costs every start-up.
let forgeModule: typeof Forge | undefined;
function loadForge(): typeof Forge {
  return (forgeModule ??= createRequire(import.meta.url)('node-forge') as typeof Forge);
}

export function readPfx(der: Buffer, password: string, source: Pick<PfxSource, 'name' | 'pfxFile' | 'passwordFromEnv' | 'passwordFile'>): CertificateInfo {
  const label = `certificate '${source.name}' (${source.pfxFile})`;
  const forge = loadForge();
  let asn1: Forge.asn1.Asn1;
  try {
    asn1 = forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary')));
  } catch (e) {
    throw new UserError(`${label} is not a PFX (PKCS#12) file`, 'certs.notPfx', 'export the certificate with its private key as .pfx / .p12', undefined, { cause: e });
  }
  let p12: Forge.pkcs12.Pkcs12Pfx;
  try {
    p12 = openPkcs12(forge, asn1, password);
  } catch (e) {
    const message = (e as Error).message ?? '';
    if (/invalid password|mac could not be verified|decrypt/i.test(message) || message === '') {
      const where = source.passwordFromEnv ? `environment variable ${source.passwordFromEnv}` : source.passwordFile ? `password file ${source.passwordFile}` : undefined;
      if (!where) {
        throw new UserError(
          `${label} is protected by a password, and the manifest names none`,
          'certs.wrongPassword',
          'name where its password comes from: passwordFromEnv: VARIABLE (or passwordFile: PATH) beside its pfxFile',
        );
      }
      throw new UserError(`wrong password for ${label}: the PFX could not be decrypted with the password from ${where}`, 'certs.wrongPassword', `check ${where}`);
    }
    throw new UserError(`${label} could not be read as PKCS#12: ${message}`, 'certs.notPfx', 'export the certificate with its private key as .pfx / .p12', undefined, { cause: e });
  }

  const certs: X509Certificate[] = [];
  for (const bag of p12.getBags({ bagType: forge.pki.oids.certBag! })[forge.pki.oids.certBag!] ?? []) {
    const certAsn1 = bag.cert ? forge.pki.certificateToAsn1(bag.cert) : bag.asn1; // asn1: a non-RSA certificate forge could not parse
    if (certAsn1) certs.push(new X509Certificate(Buffer.from(forge.asn1.toDer(certAsn1).getBytes(), 'binary')));
  }
  if (certs.length === 0) throw new UserError(`${label} holds no certificate`, 'certs.noCertificate', 'export the certificate with its private key as .pfx / .p12');

  let privateKey: KeyObject | undefined;
  const keyBags = [
    ...(p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag! })[forge.pki.oids.pkcs8ShroudedKeyBag!] ?? []),
    ...(p12.getBags({ bagType: forge.pki.oids.keyBag! })[forge.pki.oids.keyBag!] ?? []),
  ];
  for (const bag of keyBags) {
    const keyInfo = bag.key ? forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(bag.key)) : bag.asn1;
    if (!keyInfo) continue;
    try {
      privateKey = createPrivateKey({ key: Buffer.from(forge.asn1.toDer(keyInfo).getBytes(), 'binary'), format: 'der', type: 'pkcs8' });
      break;
    } catch {
      // not a key node:crypto understands: reported as "no private key"
    }
  }

  // The leaf: the certificate of the private key, else the one that issued no other.
  const leaf =
    (privateKey && certs.find((c) => c.checkPrivateKey(privateKey!))) ??
    certs.find((c) => !certs.some((o) => o !== c && o.checkIssued(c))) ??
    certs[0]!;
  const chain = [leaf, ...orderChain(leaf, certs.filter((c) => c !== leaf))];
  const details = leaf.publicKey.asymmetricKeyDetails ?? {};
  const keyType = leaf.publicKey.asymmetricKeyType ?? 'unknown';
  const curve = details.namedCurve;
  const subject = dn(leaf.subject);
  const cn = /(?:^|\n)CN=([^\n]*)/.exec(leaf.subject)?.[1];
  return {
    name: source.name,
    file: source.pfxFile,
    subject,
    ...(cn ? { commonName: cn } : {}),
    sans: dnsNames(leaf.subjectAltName),
    issuer: dn(leaf.issuer),
    selfSigned: leaf.subject === leaf.issuer && leaf.verify(leaf.publicKey),
    serialNumber: leaf.serialNumber.toUpperCase(),
    notBefore: new Date(leaf.validFrom),
    notAfter: new Date(leaf.validTo),
    keyType,
    ...(details.modulusLength ? { keyBits: details.modulusLength } : curve ? { keyBits: curveBits(curve) } : {}),
    ...(curve ? { curve } : {}),
    thumbprintSha1: leaf.fingerprint.replace(/:/g, '').toUpperCase(),
    thumbprintSha256: leaf.fingerprint256.replace(/:/g, '').toUpperCase(),
    chain,
    ...(privateKey ? { privateKey } : {}),
    keyMatches: privateKey !== undefined && leaf.checkPrivateKey(privateKey),
  };
}

/** The PEM of the private key, for msal-node's clientCertificate. Handle with care. */
export function privateKeyPem(cert: CertificateInfo): string | undefined {
  return cert.privateKey?.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** The public key as base64 DER SubjectPublicKeyInfo (the DKIM p= value). */
export function publicKeyBase64(cert: CertificateInfo): string {
  return cert.chain[0]!.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
}

/** A CA certificate of a PFX's chain, as the checks and `t2t certs --output json` describe it. */
export interface ChainCertificate {
  readonly subject: string; // "CN=Fabrikam Issuing CA, O=Fabrikam"
  readonly issuer: string;
  /** Its own issuer: a root bundled with the chain (else an intermediate). */
  readonly selfSigned: boolean;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/** The CA certificates of the PFX that issued the leaf, the leaf's issuer first: what a TLS server
 *  sends after the leaf, and what a client checks the dates of. A certificate of the PFX that
 *  issued none of them (an unrelated extra) is not part of it. */
export function issuingChain(cert: Pick<CertificateInfo, 'chain'>): ChainCertificate[] {
  const out: ChainCertificate[] = [];
  const chain = cert.chain;
  for (let i = 1; i < chain.length && chain[i - 1]!.checkIssued(chain[i]!); i++) {
    const c = chain[i]!;
    out.push({ subject: dn(c.subject), issuer: dn(c.issuer), selfSigned: c.subject === c.issuer, notBefore: new Date(c.validFrom), notAfter: new Date(c.validTo) });
  }
  return out;
}

/** When the certificate stops being usable with its chain: the leaf's notAfter, or the earlier one
 *  of a CA certificate of its issuing chain (named then). */
export function chainExpiry(cert: Pick<CertificateInfo, 'chain' | 'notAfter'>): { readonly notAfter: Date; readonly expiresFirst?: ChainCertificate } {
  let first: ChainCertificate | undefined;
  for (const ca of issuingChain(cert)) if (ca.notAfter.getTime() < (first ?? cert).notAfter.getTime()) first = ca;
  return first ? { notAfter: first.notAfter, expiresFirst: first } : { notAfter: cert.notAfter };
}

function orderChain(leaf: X509Certificate, rest: X509Certificate[]): X509Certificate[] {
  const ordered: X509Certificate[] = [];
  let current = leaf;
  const pool = [...rest];
  for (;;) {
    const i = pool.findIndex((c) => current.checkIssued(c));
    if (i < 0) break;
    current = pool.splice(i, 1)[0]!;
    ordered.push(current);
  }
  return [...ordered, ...pool]; // unrelated extras last
}

function dn(multiline: string): string {
  return multiline.split('\n').filter(Boolean).join(', ');
}

/** "DNS:a.com, DNS:*.b.com, IP Address:1.2.3.4" -> ["a.com", "*.b.com"] */
function dnsNames(subjectAltName: string | undefined): string[] {
  if (!subjectAltName) return [];
  return subjectAltName
    .split(/,\s*/)
    .filter((s) => s.startsWith('DNS:'))
    .map((s) => s.slice(4).replace(/^"|"$/g, '').trim().toLowerCase());
}

function curveBits(curve: string): number | undefined {
  const m = /(\d{3})/.exec(curve);
  return m ? Number(m[1]) : undefined;
}
