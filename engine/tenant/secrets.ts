// Secrets are never in manifests: they are resolved at run time from the environment or a file
// (relative to the project directory). Values never appear in messages; only the variable or file
// name does, so a user knows what to set without the output leaking what was set.
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { createHash, createPrivateKey } from 'node:crypto';
import forge from 'node-forge';
import type { SecretRef, Tenant } from '../manifest/model.js';
import { UserError } from '../errors.js';
import { openPkcs12 } from '../certs/open-pkcs12.js';
import { isSecretKey, redactString } from '../state/redact.js';

export interface SecretContext {
  /** Absolute project directory: file references are relative to it. */
  readonly projectDir: string;
  readonly env: NodeJS.ProcessEnv;
  /** The tenant's manifest name, for messages. */
  readonly tenant: Pick<Tenant, 'name' | 'position' | 'credentialPosition'>;
  /** Manifest key the secret belongs to, e.g. spec.tenants.contoso.auth.clientSecret */
  readonly key: string;
}

/** What msal-node's `auth.clientCertificate` takes. */
export interface CertificateCredential {
  readonly thumbprintSha256: string; // hex of SHA-256 over the certificate's DER
  readonly privateKey: string; // PKCS#8 PEM
  readonly x5c: string; // the certificate chain as PEM (leaf first)
}

export interface CertificateConfig {
  readonly pfxFile: string;
  readonly passwordFromEnv?: string;
  readonly passwordFile?: string;
}

/** Read a secret from the environment or a file. A missing variable or unreadable file is a UserError. */
export function resolveSecret(ref: SecretRef, ctx: SecretContext): string {
  if ('fromEnv' in ref) return fromEnv(ref.fromEnv, ctx);
  return fromFile(ref.file, ctx).toString('utf8').replace(/\r?\n$/, '');
}

function fromEnv(name: string, ctx: SecretContext): string {
  const value = ctx.env[name];
  if (value === undefined || value === '') {
    throw new UserError(
      `tenant '${ctx.tenant.name}': ${ctx.key} reads environment variable ${name}, which is ${value === '' ? 'empty' : 'not set'}`,
      'tenant.secretMissing',
      `export ${name}=… (or point ${ctx.key} at a file with { file: PATH })`,
      ctx.tenant.credentialPosition ?? ctx.tenant.position,
    );
  }
  return value;
}

function fromFile(file: string, ctx: SecretContext): Buffer {
  const path = isAbsolute(file) ? file : resolve(ctx.projectDir, file);
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(
      `tenant '${ctx.tenant.name}': ${ctx.key} names file '${file}', which cannot be read (${code === 'ENOENT' ? 'no such file' : code ?? 'unreadable'})`,
      'tenant.secretFileUnreadable',
      `create ${file} relative to the project directory, or fix the path in ${ctx.key}`,
      ctx.tenant.credentialPosition ?? ctx.tenant.position,
    );
  }
}

/**
 * Read a PFX (PKCS#12) and produce msal-node's certificate credential. The password comes from
 * `passwordFromEnv` or `passwordFile` (none: an unprotected PFX).
 */
export function resolveCertificate(cert: CertificateConfig, ctx: SecretContext): CertificateCredential {
  const password =
    cert.passwordFromEnv !== undefined
      ? fromEnv(cert.passwordFromEnv, { ...ctx, key: `${ctx.key}.passwordFromEnv` })
      : cert.passwordFile !== undefined
        ? resolveSecret({ file: cert.passwordFile }, { ...ctx, key: `${ctx.key}.passwordFile` })
        : '';
  const der = fromFile(cert.pfxFile, { ...ctx, key: `${ctx.key}.pfxFile` });
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    p12 = openPkcs12(forge, forge.asn1.fromDer(der.toString('binary')), password, true);
  } catch (e) {
    const wrongPassword = /MAC could not be verified|Invalid password/i.test((e as Error).message);
    throw new UserError(
      `tenant '${ctx.tenant.name}': cannot open certificate '${cert.pfxFile}' (${wrongPassword ? 'wrong password' : 'not a PKCS#12/PFX file'})`,
      'tenant.certificateUnreadable',
      wrongPassword
        ? `check the password in ${cert.passwordFromEnv ? `environment variable ${cert.passwordFromEnv}` : cert.passwordFile ? `file ${cert.passwordFile}` : `${ctx.key}.passwordFromEnv (none is set)`}`
        : `export the app's certificate with its private key as a .pfx to ${cert.pfxFile}`,
      ctx.tenant.credentialPosition ?? ctx.tenant.position,
    );
  }
  const keyBags = [
    ...(p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag! })[forge.pki.oids.pkcs8ShroudedKeyBag!] ?? []),
    ...(p12.getBags({ bagType: forge.pki.oids.keyBag! })[forge.pki.oids.keyBag!] ?? []),
  ];
  const certs = (p12.getBags({ bagType: forge.pki.oids.certBag! })[forge.pki.oids.certBag!] ?? [])
    .map((b) => b.cert)
    .filter((c): c is forge.pki.Certificate => Boolean(c));
  const key = keyBags.find((b) => b.key)?.key as forge.pki.rsa.PrivateKey | undefined;
  if (!key || certs.length === 0) {
    throw new UserError(
      `tenant '${ctx.tenant.name}': certificate '${cert.pfxFile}' holds no ${key ? 'certificate' : 'private key'}`,
      'tenant.certificateIncomplete',
      'export the certificate together with its private key (PFX with key)',
      ctx.tenant.credentialPosition ?? ctx.tenant.position,
    );
  }
  // The leaf is the certificate whose public key matches the private key; the rest is the chain.
  const leaf = certs.find((c) => (c.publicKey as forge.pki.rsa.PublicKey).n?.equals(key.n)) ?? certs[0]!;
  const chain = [leaf, ...certs.filter((c) => c !== leaf)];
  const leafDer = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(leaf)).getBytes(), 'binary');
  const pkcs8 = createPrivateKey(forge.pki.privateKeyToPem(key)).export({ type: 'pkcs8', format: 'pem' }).toString();
  return {
    thumbprintSha256: createHash('sha256').update(leafDer).digest('hex').toUpperCase(),
    privateKey: pkcs8,
    x5c: chain.map((c) => forge.pki.certificateToPem(c)).join(''),
  };
}

/**
 * Replace every occurrence of the given secret values in a text (for messages built from remote
 * errors), also as they travel in a request: a client secret goes form-encoded to the token
 * endpoint (client_secret=p%40ss), so a service or proxy echoing the request holds it encoded.
 * Tokens (JWTs) and private keys are masked whatever the list holds (engine/state redactString):
 * an access token never is in it, and an error that echoes the Authorization header holds one.
 */
export function redact(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const s of secrets) {
    if (!s || s.length < 4) continue;
    const forms = new Set([s, encodeURIComponent(s), new URLSearchParams({ s }).toString().slice(2), JSON.stringify(s).slice(1, -1)]);
    for (const form of [...forms].sort((a, b) => b.length - a.length)) out = out.split(form).join('***');
  }
  return redactString(out);
}

/**
 * The secret values a request body carries (a new user's passwordProfile.password, a cmdlet's
 * -Password), so that an error answer echoing the request can be masked like the credentials.
 */
export function secretsInBody(body: unknown, depth = 0): string[] {
  if (depth > 8 || typeof body !== 'object' || body === null || Buffer.isBuffer(body) || body instanceof Uint8Array) return [];
  if (Array.isArray(body)) return body.flatMap((v) => secretsInBody(v, depth + 1));
  const found: string[] = [];
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    if (isSecretKey(k) && typeof v === 'string') found.push(v);
    else found.push(...secretsInBody(v, depth + 1));
  }
  return found;
}
