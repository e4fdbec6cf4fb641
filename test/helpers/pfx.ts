// Certificates generated at test run time (no private keys committed): see engine/certs/generate.ts.
import { generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';
import { generatePfx, generateSelfSigned, serialNumberHex, toPfx, type GenerateOptions } from '../../engine/certs/generate.js';

export function makePfx(options: GenerateOptions): Buffer {
  return generatePfx(options);
}

/** A PFX whose private key does not belong to its certificate. */
export function makeMismatchedPfx(options: GenerateOptions): Buffer {
  const a = generateSelfSigned(options);
  const b = generateSelfSigned(options);
  return toPfx({ privateKeyPem: b.privateKeyPem, certificatePems: [a.certificatePem], password: options.password });
}

/**
 * A PFX as OpenSSL 3 writes it by default and Windows with AES256-SHA256: the key encrypted with
 * PBES2 (AES-256, PBKDF2), whose password is its UTF-8 bytes, and a MAC whose password is its
 * BMPString (UTF-16) form, as every PKCS#12 MAC's is. The two differ for a password that is not
 * ASCII. (node-forge writes both from one string, so the MAC is recomputed here.)
 */
export function makePbes2Pfx(options: GenerateOptions): Buffer {
  const { privateKeyPem, certificatePem } = generateSelfSigned(options);
  const utf8 = Buffer.from(options.password, 'utf8').toString('binary');
  const { asn1, pki, pkcs12, md, hmac, random, util } = forge;
  const pfx = pkcs12.toPkcs12Asn1(pki.privateKeyFromPem(privateKeyPem), [pki.certificateFromPem(certificatePem)], utf8, { algorithm: 'aes256', useMac: false });
  // PFX: version, authSafe ContentInfo { contentType data, [0] { OCTET STRING authSafe } }
  const authSafe = ((pfx.value as forge.asn1.Asn1[])[1]!.value as forge.asn1.Asn1[])[1]!.value as forge.asn1.Asn1[];
  const data = authSafe[0]!.value as string;
  const salt = util.createBuffer(random.getBytesSync(8));
  const count = 2048;
  const key = pkcs12.generateKey(options.password, salt, 3, count, 20);
  const mac = hmac.create();
  mac.start(md.sha1.create(), key);
  mac.update(data);
  const seq = (v: forge.asn1.Asn1[]) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, v);
  const macData = seq([
    seq([seq([asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(pki.oids['sha1']!).getBytes()), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, '')]), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, mac.getMac().getBytes())]),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, salt.getBytes()),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(count).getBytes()),
  ]);
  (pfx.value as forge.asn1.Asn1[]).push(macData);
  return Buffer.from(asn1.toDer(pfx).getBytes(), 'binary');
}

export interface ChainSpec {
  cn: string;
  notBefore?: Date;
  /** Validity in days from notBefore. Default 365. */
  days?: number;
}

interface Issued {
  certificatePem: string;
  privateKeyPem: string;
  cn: string;
}

/** One RSA key pair per role, made once: a chain needs three, and a test makes several chains. */
const keysByRole = new Map<'root' | 'intermediate' | 'leaf', { privateKeyPem: string; publicKeyPem: string }>();
function rsaKeys(role: 'root' | 'intermediate' | 'leaf'): { privateKeyPem: string; publicKeyPem: string } {
  let keys = keysByRole.get(role);
  if (!keys) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
    keysByRole.set(role, (keys = { privateKeyPem: privateKey, publicKeyPem: publicKey }));
  }
  return keys;
}

/** A certificate for `spec`, signed by `issuer` (itself when undefined: a root). */
function issue(spec: ChainSpec, ca: boolean, issuer: Issued | undefined, sans?: readonly string[]): Issued {
  const keys = rsaKeys(!ca ? 'leaf' : issuer ? 'intermediate' : 'root');
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicKeyPem);
  cert.serialNumber = serialNumberHex();
  const notBefore = spec.notBefore ?? new Date(Date.now() - 5 * 60_000);
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = new Date(notBefore.getTime() + (spec.days ?? 365) * 86_400_000);
  cert.setSubject([{ name: 'commonName', value: spec.cn }]);
  cert.setIssuer([{ name: 'commonName', value: issuer?.cn ?? spec.cn }]);
  cert.setExtensions(
    ca
      ? [{ name: 'basicConstraints', cA: true }, { name: 'keyUsage', keyCertSign: true, cRLSign: true }]
      : [{ name: 'basicConstraints', cA: false }, { name: 'keyUsage', digitalSignature: true, keyEncipherment: true }, { name: 'subjectAltName', altNames: (sans ?? [spec.cn]).map((value) => ({ type: 2, value })) }],
  );
  cert.sign(forge.pki.privateKeyFromPem(issuer?.privateKeyPem ?? keys.privateKeyPem) as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  return { certificatePem: forge.pki.certificateToPem(cert), privateKeyPem: keys.privateKeyPem, cn: spec.cn };
}

/** A PFX as a public CA's certificate is exported: the leaf and its key, then the intermediate CA
 *  that issued it, then (with `root`) the root CA that issued the intermediate. */
export function makeChainPfx(o: { leaf: ChainSpec & { sans?: readonly string[] }; intermediate: ChainSpec; root?: ChainSpec; password: string }): Buffer {
  const root = issue(o.root ?? { cn: 'Test Root CA', days: 3650, notBefore: new Date(Date.now() - 1000 * 86_400_000) }, true, undefined);
  const intermediate = issue(o.intermediate, true, root);
  const leaf = issue(o.leaf, false, intermediate, o.leaf.sans);
  return toPfx({ privateKeyPem: leaf.privateKeyPem, certificatePems: [leaf.certificatePem, intermediate.certificatePem, ...(o.root ? [root.certificatePem] : [])], password: o.password });
}
