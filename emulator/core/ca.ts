// The emulator's local CA and its server certificate. Keys come from node:crypto (fast native RSA),
// certificates from node-forge. Everything is kept in one key directory (--data DIR, else
// $T2T_HOME/emulator) and reused when present, so a client that trusted the CA once keeps trusting it.
import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';

export interface TlsMaterial {
  caFile: string;
  caPem: string;
  cert: string;
  key: string;
  /** PEM private key that signs access tokens (kept with the CA so tokens survive a restart). */
  signingKey: string;
}

export function defaultKeyDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.T2T_HOME || join(homedir(), '.t2t'), 'emulator');
}

function newRsaKey(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

function writePrivate(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, file);
}

function serial(): string {
  // Positive serial: clear the top bit.
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f;
  return b.toString('hex');
}

function createCa(): { certPem: string; keyPem: string } {
  const k = newRsaKey();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(k.publicPem);
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - 86_400_000);
  cert.validity.notAfter = new Date(Date.now() + 10 * 365 * 86_400_000);
  const attrs = [{ name: 'commonName', value: 't2t emulator local CA' }, { name: 'organizationName', value: 't2t' }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(k.privatePem), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: k.privatePem };
}

function createServerCert(caCertPem: string, caKeyPem: string): { certPem: string; keyPem: string } {
  const k = newRsaKey();
  const ca = forge.pki.certificateFromPem(caCertPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(k.publicPem);
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - 86_400_000);
  cert.validity.notAfter = new Date(Date.now() + 365 * 86_400_000);
  cert.setSubject([{ name: 'commonName', value: '127.0.0.1' }]);
  cert.setIssuer(ca.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(caKeyPem), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: k.privatePem };
}

/** A stored server certificate is reused while it is valid for a week more and signed by this CA. */
function usable(certPem: string, caPem: string): boolean {
  try {
    const c = new X509Certificate(certPem);
    return c.verify(new X509Certificate(caPem).publicKey) && Date.parse(c.validTo) > Date.now() + 7 * 86_400_000;
  } catch {
    return false;
  }
}

export function loadOrCreateTls(keyDir: string): TlsMaterial {
  mkdirSync(keyDir, { recursive: true });
  const caFile = join(keyDir, 'ca.pem');
  const caKeyFile = join(keyDir, 'ca-key.pem');
  let caPem: string;
  let caKey: string;
  if (existsSync(caFile) && existsSync(caKeyFile)) {
    caPem = readFileSync(caFile, 'utf8');
    caKey = readFileSync(caKeyFile, 'utf8');
  } else {
    const ca = createCa();
    caPem = ca.certPem;
    caKey = ca.keyPem;
    writePrivate(caKeyFile, caKey);
    writeFileSync(caFile, caPem);
  }
  const certFile = join(keyDir, 'server.pem');
  const keyFile = join(keyDir, 'server-key.pem');
  let cert: string;
  let key: string;
  if (existsSync(certFile) && existsSync(keyFile) && usable(readFileSync(certFile, 'utf8'), caPem)) {
    cert = readFileSync(certFile, 'utf8');
    key = readFileSync(keyFile, 'utf8');
  } else {
    const s = createServerCert(caPem, caKey);
    cert = s.certPem;
    key = s.keyPem;
    writePrivate(keyFile, key);
    writeFileSync(certFile, cert);
  }
  const signingFile = join(keyDir, 'token-signing-key.pem');
  let signingKey: string;
  if (existsSync(signingFile)) {
    signingKey = readFileSync(signingFile, 'utf8');
  } else {
    signingKey = newRsaKey().privatePem;
    writePrivate(signingFile, signingKey);
  }
  return { caFile, caPem, cert, key, signingKey };
}
