// An order-independent, incrementally updatable digest of a collection: the sum (mod 2^256) of
// sha256(key, canonical JSON) over its records. Adding, replacing or removing one record costs
// one hash, so a delta that changes ten users never re-hashes a hundred thousand.
import { createHash } from 'node:crypto';

const MOD = 1n << 256n;

/** JSON with object keys sorted at every level: the same data always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

export function recordHash(key: string, record: unknown): bigint {
  return BigInt('0x' + createHash('sha256').update(key).update('\0').update(canonicalJson(record)).digest('hex'));
}

export class Digest {
  private value: bigint;
  constructor(hex?: string) {
    this.value = hex && /^[0-9a-f]{64}$/.test(hex) ? BigInt('0x' + hex) : 0n;
  }
  add(key: string, record: unknown): void {
    this.value = (this.value + recordHash(key, record)) % MOD;
  }
  remove(key: string, record: unknown): void {
    this.value = (this.value - recordHash(key, record) + MOD) % MOD;
  }
  /** Replace `before` (if any) by `after` (if any) under one key. */
  replace(key: string, before: unknown, after: unknown): void {
    if (before !== undefined) this.remove(key, before);
    if (after !== undefined) this.add(key, after);
  }
  hex(): string {
    return this.value.toString(16).padStart(64, '0');
  }
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
