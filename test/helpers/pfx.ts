// Certificates generated at test run time (no private keys committed): see engine/certs/generate.ts.
import forge from 'node-forge';
import { generatePfx, generateSelfSigned, toPfx, type GenerateOptions } from '../../engine/certs/generate.js';

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
