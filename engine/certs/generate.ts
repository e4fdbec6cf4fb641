// Self-signed certificates as PFX (PKCS#12), for the demo and for tests: nothing with a private
// key is ever committed, it is generated at run time. Keys come from node:crypto (forge's
// JavaScript RSA key generation takes seconds); node-forge builds the X.509 and the PKCS#12.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface GenerateOptions {
  /** Subject common name; also the first SAN when `sans` is not given. */
  cn: string;
  /** DNS subject alternative names (wildcards allowed). Default: [cn]. */
  sans?: readonly string[];
  /** Validity in days from notBefore. Default 365. */
  days?: number;
  /** Default: five minutes ago (tolerates clock skew between machines). Put it further in the
   *  past, with a short `days`, for an expired certificate. */
  notBefore?: Date;
  /** RSA modulus size. Default 2048. */
  keyBits?: number;
  /** PFX password; '' for none. */
  password: string;
}

export interface GeneratedCertificate {
  certificatePem: string;
  privateKeyPem: string; // PKCS#8
}

/** A self-signed RSA certificate (sha256WithRSA) and its key, as PEM. */
/** A random 16-byte serial as forge takes it (hex). The first byte is 0x40 to 0x7f: positive with
 *  no sign byte, and never 0x00, which DER forbids as padding (an odd-length hex serial made forge
 *  prepend one, and OpenSSL then refused about one certificate in a hundred: "illegal padding"). */
export function serialNumberHex(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x3f) | 0x40;
  return bytes.toString('hex');
}

export function generateSelfSigned(options: Omit<GenerateOptions, 'password'>): GeneratedCertificate {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: options.keyBits ?? 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  cert.serialNumber = serialNumberHex();
  const notBefore = options.notBefore ?? new Date(Date.now() - 5 * 60_000);
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = new Date(notBefore.getTime() + (options.days ?? 365) * 86_400_000);
  const attrs = [{ name: 'commonName', value: options.cn }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  const sans = options.sans ?? [options.cn];
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
    ...(sans.length ? [{ name: 'subjectAltName', altNames: sans.map((value) => ({ type: 2, value })) }] : []),
  ]);
  cert.sign(forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  return { certificatePem: forge.pki.certificateToPem(cert), privateKeyPem: privateKey };
}

/** A PFX holding `privateKeyPem` and the certificates (leaf first), encrypted with `password`. */
export function toPfx(input: { privateKeyPem: string; certificatePems: readonly string[]; password: string; friendlyName?: string }): Buffer {
  const key = forge.pki.privateKeyFromPem(input.privateKeyPem);
  const certs = input.certificatePems.map((p) => forge.pki.certificateFromPem(p));
  // 3DES: the PKCS#12 encryption every Windows and OpenSSL version imports
  const asn1 = forge.pkcs12.toPkcs12Asn1(key, certs, input.password, {
    algorithm: '3des',
    ...(input.friendlyName ? { friendlyName: input.friendlyName } : {}),
  });
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}

/** A self-signed certificate with its key, as a password-protected PFX. */
export function generatePfx(options: GenerateOptions): Buffer {
  const { certificatePem, privateKeyPem } = generateSelfSigned(options);
  return toPfx({ privateKeyPem, certificatePems: [certificatePem], password: options.password, friendlyName: options.cn });
}
