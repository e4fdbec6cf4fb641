// A content hash of a project's manifests and the files they reference, so a saved plan can tell
// that what it was made from has changed since (docs/decisions.md: saved plans are hashed).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * sha256 over the given files (relative to dir), in sorted order, each as its path and bytes.
 * A missing file hashes as missing rather than throwing: its absence is a change too.
 * Returns "sha256:<hex>".
 */
export function manifestHash(dir: string, files: readonly string[]): string {
  const hash = createHash('sha256');
  for (const file of [...new Set(files)].sort()) {
    const path = file.replace(/\\/g, '/');
    hash.update(`${path}\0`);
    try {
      const bytes = readFileSync(resolve(dir, file));
      hash.update(`${bytes.length}\0`);
      hash.update(bytes);
    } catch {
      hash.update('missing\0');
    }
  }
  return `sha256:${hash.digest('hex')}`;
}
