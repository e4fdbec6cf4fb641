// Minimal JWT (JWS compact) signing and verification with node:crypto: RS256 for the tokens the
// emulator issues, RS256/PS256 for the client assertions msal-node signs with a certificate.
import { constants, createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

export interface Jwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signingInput: string;
  signature: Buffer;
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

export function decodeJwt(token: string): Jwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    const payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (!header || typeof header !== 'object' || !payload || typeof payload !== 'object') return undefined;
    return { header, payload, signingInput: `${parts[0]}.${parts[1]}`, signature: Buffer.from(parts[2]!, 'base64url') };
  } catch {
    return undefined;
  }
}

export function verifyJwtSignature(jwt: Jwt, key: KeyObject): boolean {
  const input = Buffer.from(jwt.signingInput);
  try {
    switch (jwt.header.alg) {
      case 'RS256':
        return verify('sha256', input, key, jwt.signature);
      case 'PS256':
        return verify('sha256', input, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO }, jwt.signature);
      default:
        return false;
    }
  } catch {
    return false;
  }
}

export class TokenSigner {
  readonly kid: string;
  private key: KeyObject;
  readonly publicKey: KeyObject;

  constructor(privatePem: string) {
    this.key = createPrivateKey(privatePem);
    this.publicKey = createPublicKey(this.key);
    const der = this.publicKey.export({ type: 'spki', format: 'der' });
    this.kid = createHash('sha256').update(der).digest('base64url').slice(0, 27);
  }

  sign(payload: Record<string, unknown>): string {
    const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', kid: this.kid, x5t: this.kid }));
    const body = b64url(JSON.stringify(payload));
    const sig = sign('sha256', Buffer.from(`${header}.${body}`), this.key);
    return `${header}.${body}.${sig.toString('base64url')}`;
  }

  /** The JWKS entry clients would use to check the emulator's tokens. */
  jwk(): Record<string, unknown> {
    const j = this.publicKey.export({ format: 'jwk' }) as { n: string; e: string };
    return { kty: 'RSA', use: 'sig', kid: this.kid, x5t: this.kid, n: j.n, e: j.e, alg: 'RS256' };
  }
}
