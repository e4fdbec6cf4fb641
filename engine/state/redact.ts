// The one redaction helper every log writer uses (DESIGN.md principle 7: secrets never reach logs,
// plans, state or errors). Masks values under secret-sounding keys, and JWTs and PEM private keys
// wherever they appear inside strings (an Authorization header pasted into an error message, a
// token echoed in a URL).

export const REDACTED = '[REDACTED]';

const SECRET_KEY = /secret|password|passwd|token|assertion|authorization|private[-_]?key|pfx/i;
// header.payload.signature, base64url; the header of every JWT starts with {" -> eyJ
const JWT = /eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
const PEM_PRIVATE_KEY = /-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY-----[\s\S]*?(?:-----END \1PRIVATE KEY-----|$)/g;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

export function redactString(s: string): string {
  return s.replace(JWT, '[REDACTED-JWT]').replace(PEM_PRIVATE_KEY, '[REDACTED-PRIVATE-KEY]');
}

/** A deep copy of `value` with secrets masked. Errors become plain objects; cycles are cut. */
export function redact<T>(value: T): T {
  return walk(value, new WeakSet()) as T;
}

function walk(value: unknown, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactString(value);
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  try {
    if (Buffer.isBuffer(value) || value instanceof Uint8Array) return `[binary ${value.byteLength} bytes]`;
    if (value instanceof Date) return value;
    if (Array.isArray(value)) return value.map((v) => walk(v, seen));
    if (value instanceof Map) return walk(Object.fromEntries(value), seen);
    const source: Record<string, unknown> =
      value instanceof Error
        ? { name: value.name, message: value.message, ...(value as unknown as Record<string, unknown>) }
        : (value as Record<string, unknown>);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(source)) {
      out[k] = isSecretKey(k) && v !== null && v !== undefined && v !== '' ? REDACTED : walk(v, seen);
    }
    return out;
  } finally {
    seen.delete(value);
  }
}
