// Certificates generated at test run time (no private keys committed): see engine/certs/generate.ts.
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
