// Stable change ids: the same wave, user, resource and op (and key) give the same id on every
// machine and every run, so a saved plan, the journal and history can refer to a change.
// Two seeded 53-bit string hashes (cyrb53): fast enough for a million changes, and 106 bits make
// a collision within one plan practically impossible. Not a security boundary.

function cyrb53(s: string, seed: number): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

export function stableId(...parts: string[]): string {
  const s = parts.join('\u0000');
  return cyrb53(s, 1).toString(16).padStart(14, '0') + cyrb53(s, 2).toString(16).padStart(14, '0');
}

/** murmur3's 32-bit finaliser: a bijection, so distinct inputs stay distinct. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

type Lanes = readonly [number, number, number, number];

function lanes(s: string): Lanes {
  const a = cyrb53(s, 1);
  const b = cyrb53(s, 2);
  return [a >>> 0, Math.floor(a / 4294967296), b >>> 0, Math.floor(b / 4294967296)];
}

/** resource -> op -> key -> lanes: nested maps look the parts up as they are (no joined string
 *  to build and hash per change). */
const suffixCache = new Map<string, Map<string, Map<string, Lanes>>>();

function suffixLanes(resource: string, op: string, key: string): Lanes {
  let byOp = suffixCache.get(resource);
  if (!byOp) suffixCache.set(resource, (byOp = new Map()));
  let byKey = byOp.get(op);
  if (!byKey) byOp.set(op, (byKey = new Map()));
  let s = byKey.get(key);
  if (!s) byKey.set(key, (s = lanes(`${resource}\u0000${op}\u0000${key}`)));
  return s;
}

/** Per user, the wave and user are hashed once; the (resource, op, key) part has few distinct
 *  values and is cached; the id mixes both lane by lane (about 106 bits of hash). */
export function userIdSeed(wave: string, user: string): Lanes {
  return lanes(`${wave}\u0000${user}`);
}

// The id is 8 + 8 + 7 + 6 lower-case hex digits of the four mixed lanes (the last two lanes lose
// their leading digits). Written into one scratch buffer and read back as a single string: one
// allocation per id instead of a dozen (Number#toString(16), padStart, slice, concatenation).
const ID_LENGTH = 29;
const idBuffer = Buffer.alloc(ID_LENGTH);
const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');

function putHex(n: number, offset: number, digits: number): void {
  for (let k = digits - 1; k >= 0; k--) {
    idBuffer[offset + k] = HEX_DIGITS[n & 15]!;
    n >>>= 4;
  }
}

export function changeIdFromSeed(seed: Lanes, resource: string, op: string, key = ''): string {
  const s = suffixLanes(resource, op, key);
  putHex(fmix32(seed[0] ^ s[0]), 0, 8);
  putHex(fmix32(seed[1] ^ s[1] ^ 0x9e3779b9), 8, 8);
  putHex(fmix32(seed[2] ^ s[2]), 16, 7);
  putHex(fmix32(seed[3] ^ s[3] ^ 0x7f4a7c15), 23, 6);
  return idBuffer.toString('latin1', 0, ID_LENGTH);
}

export function changeId(wave: string, user: string, resource: string, op: string, key = ''): string {
  return changeIdFromSeed(userIdSeed(wave, user), resource, op, key);
}
