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

/** Per user, the wave and user are hashed once; each change then hashes only its own part. */
export function userIdSeed(wave: string, user: string): number {
  return cyrb53(`${wave}\u0000${user}`, 7) % 0x7fffffff;
}

export function changeIdFromSeed(seed: number, resource: string, op: string, key = ''): string {
  const s = `${resource}\u0000${op}\u0000${key}`;
  return cyrb53(s, seed).toString(16).padStart(14, '0') + cyrb53(s, seed ^ 0x5bd1e995).toString(16).padStart(14, '0');
}

export function changeId(wave: string, user: string, resource: string, op: string, key = ''): string {
  return changeIdFromSeed(userIdSeed(wave, user), resource, op, key);
}
