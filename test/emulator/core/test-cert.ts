// A self-signed certificate for an app registration, as an admin would upload it (test helper).
import { createHash, generateKeyPairSync, X509Certificate } from 'node:crypto';
import forge from 'node-forge';

export interface TestCert {
  certPem: string;
  keyPem: string;
  thumbprintSha256: string;
  thumbprintSha1: string;
}

export function makeAppCertificate(cn = 't2t test app'): TestCert {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.now() - 3_600_000);
  cert.validity.notAfter = new Date(Date.now() + 365 * 86_400_000);
  cert.setSubject([{ name: 'commonName', value: cn }]);
  cert.setIssuer([{ name: 'commonName', value: cn }]);
  cert.sign(forge.pki.privateKeyFromPem(keyPem), forge.md.sha256.create());
  const certPem = forge.pki.certificateToPem(cert);
  const raw = new X509Certificate(certPem).raw;
  return {
    certPem,
    keyPem,
    thumbprintSha256: createHash('sha256').update(raw).digest('hex'),
    thumbprintSha1: createHash('sha1').update(raw).digest('hex'),
  };
}
