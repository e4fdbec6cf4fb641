// Finding the manifest files of a project and turning offsets / YAML paths into file:line:col
// with a source excerpt.
import { readdir, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep, win32 } from 'node:path';
import { isMap, isPair, isScalar, isSeq, type LineCounter, type Node, type Pair } from 'yaml';
import { maskLine, type Span } from './mask-secrets.js';

export interface SourceFile {
  /** Relative to the project directory, '/'-separated. */
  readonly path: string;
  readonly text: string;
  readonly lines: readonly string[];
  readonly lineCounter?: LineCounter;
  /** Where the parsed YAML holds secret values (mask-secrets.ts): masked in every excerpt. Found
   *  when the first excerpt is made: most files never need one. */
  readonly secrets?: () => readonly Span[];
}

export interface Location {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly excerpt?: string;
}

const MANIFEST = /\.ya?ml$/i;

/** Every *.yaml / *.yml under dir, recursively, skipping dot-entries and node_modules; sorted.
 *  Symbolic links are followed (a project.yaml or a wave linked from elsewhere is part of the
 *  project), each directory walked once (a link back up the tree ends there); a link to nothing
 *  is skipped. */
export async function findManifestFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walked = new Set<string>();
  async function walk(current: string): Promise<void> {
    const real = await realpath(current);
    if (walked.has(real)) return;
    walked.add(real);
    const entries = await readdir(current, { withFileTypes: true });
    for (const e of entries) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const full = join(current, e.name);
      let kind: 'directory' | 'file' | undefined = e.isDirectory() ? 'directory' : e.isFile() ? 'file' : undefined;
      if (e.isSymbolicLink()) {
        const target = await stat(full).catch(() => undefined);
        kind = target?.isDirectory() ? 'directory' : target?.isFile() ? 'file' : undefined;
      }
      if (kind === 'directory') await walk(full);
      else if (kind === 'file' && MANIFEST.test(e.name)) found.push(toPosix(relative(dir, full)));
    }
  }
  await walk(dir);
  return found.sort();
}

/** Why a path a manifest names lies outside the project directory, or undefined when it is inside:
 *  an absolute path (on this machine only), or one that climbs out with '..'. Backslashes count as
 *  separators, as a manifest written on Windows means them. */
export function outsideProject(dir: string, path: string): string | undefined {
  if (isAbsolute(path) || win32.isAbsolute(path)) return 'is an absolute path';
  const rel = relative(dir, resolve(dir, path.replace(/\\/g, '/')));
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return 'is outside the project directory';
  return undefined;
}

export function toPosix(p: string): string {
  return sep === '/' ? p : p.split(sep).join('/');
}

export function sourceFile(path: string, text: string, lineCounter?: LineCounter, findSecrets?: () => readonly Span[]): SourceFile {
  let found: readonly Span[] | undefined;
  const secrets = findSecrets && (() => (found ??= findSecrets()));
  return { path, text, lines: text.split(/\r?\n/), lineCounter, ...(secrets ? { secrets } : {}) };
}

/** The one place excerpts are made: the source line, its secrets masked whatever the diagnostic. */
export function lineLocation(file: SourceFile, line: number, col: number): Location {
  const text = file.lines[line - 1];
  if (text === undefined) return { file: file.path, line, col };
  const start = file.lineCounter?.lineStarts[line - 1] ?? 0;
  return { file: file.path, line, col, excerpt: maskLine(text, start, file.secrets?.()) };
}

export function offsetLocation(file: SourceFile, offset: number): Location {
  if (!file.lineCounter) return { file: file.path, line: 1, col: 1 };
  const { line, col } = file.lineCounter.linePos(offset);
  return lineLocation(file, line, col);
}

export type PathSegment = string | number;

/**
 * The YAML node at `path` (or the deepest existing ancestor), and the key node of the last pair
 * walked through. `which: 'key'` points at the key (unknown keys, duplicates), 'value' at the value.
 */
export function nodeAt(root: unknown, path: readonly PathSegment[]): { node?: Node; key?: Node; complete: boolean } {
  let node = root as Node | undefined;
  let key: Node | undefined;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p: Pair) => keyText(p.key) === String(seg));
      if (!pair) return { node, key, complete: false };
      key = pair.key as Node;
      node = (pair.value ?? undefined) as Node | undefined;
      if (!node) return { node: key, key, complete: false };
    } else if (isSeq(node)) {
      const item = node.items[Number(seg)];
      if (!item) return { node, key, complete: false };
      node = isPair(item) ? ((item.value ?? item.key) as Node) : (item as Node);
      key = undefined;
    } else {
      return { node, key, complete: false };
    }
  }
  return { node, key, complete: true };
}

export function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}

export function nodeLocation(file: SourceFile, node: Node | undefined, fallbackOffset = 0): Location {
  const offset = node?.range?.[0] ?? fallbackOffset;
  return offsetLocation(file, offset);
}
