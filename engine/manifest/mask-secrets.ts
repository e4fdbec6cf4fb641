// Secrets never reach a diagnostic's excerpt (DESIGN.md principle 7). Every excerpt is made by
// lineLocation (source-files.ts), which masks it here, whatever the diagnostic: each value under
// a secret-like key becomes ***. A key is secret-like when it names secret material (secret,
// password, token, key, ...) or is one letter or two away from such a name (clientSecrett,
// pasword), and everything under it is masked too (`clientSecret: { value: *** }`,
// `clientSecret: [***]`), except a reference (fromEnv, file, passwordFromEnv, pfxFile...), which
// names where the secret lives. When in doubt, mask.
import { isAlias, isMap, isPair, isScalar, isSeq, parseDocument, type Document, type Pair } from 'yaml';
import { isSecretKey as isLoggedSecretKey } from '../state/redact.js';

export const MASK = '***';

/** Offsets [start, end) of secret text, in the file's text or in one line. */
export type Span = readonly [start: number, end: number];

// The variable or path a secret is read from: fromEnv, file, passwordFromEnv, pfxFile, caFile.
const REFERENCE_KEY = /(?:fromenv|file)$/i;
const SECRET_KEY = /secret|passw|pwd|token|credential|assertion|authori[sz]ation|private|key|pfx|pem|cert(?:ificate)?data/;
// Misspelled, they are still secrets: each may be this many edits away inside a key.
const NEAR_MISS: readonly (readonly [word: string, edits: number])[] = [
  ['secret', 1],
  ['password', 2],
  ['passwd', 1],
  ['token', 1],
  ['credential', 2],
  ['private', 1],
];

// Keys repeat (every wave file has the same few): each is judged once.
const judged = new Map<string, boolean>();

/** True when a value under this key may be secret (misspellings of secret names included). */
export function isSecretKeyName(key: string): boolean {
  let secret = judged.get(key);
  if (secret === undefined) {
    const k = key.toLowerCase().replace(/[^a-z]/g, '');
    secret = !REFERENCE_KEY.test(key) && (SECRET_KEY.test(k) || isLoggedSecretKey(key) || NEAR_MISS.some(([word, edits]) => nearSubstring(k, word, edits)));
    if (judged.size < 10_000) judged.set(key, secret);
  }
  return secret;
}

/** Some substring of `text` is at most `edits` edits from `word`. */
function nearSubstring(text: string, word: string, edits: number): boolean {
  for (let len = word.length - edits; len <= word.length + edits; len++) {
    for (let i = 0; i + len <= text.length; i++) if (typoDistance(text.slice(i, i + len), word) <= edits) return true;
  }
  return false;
}

/** Edits (insert, delete, replace, swap two neighbours) from a to b: secert is one from secret. */
function typoDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** The secret spans of parsed YAML documents (also of a document with errors: what it parsed). */
export function secretSpans(docs: readonly Document[]): Span[] {
  const spans: Span[] = [];
  for (const doc of docs) collect(doc.contents, false, spans, doc);
  return spans;
}

function collect(node: unknown, secret: boolean, spans: Span[], doc: Document, aliased: Set<unknown> = new Set()): void {
  if (isScalar(node)) {
    if (secret && node.range && node.range[1] > node.range[0]) spans.push([node.range[0], node.range[1]]);
  } else if (isMap(node)) {
    for (const pair of node.items) collectPair(pair, secret, spans, doc, aliased);
  } else if (isSeq(node)) {
    for (const item of node.items) isPair(item) ? collectPair(item, secret, spans, doc, aliased) : collect(item, secret, spans, doc, aliased);
  } else if (secret && isAlias(node)) {
    // `clientSecret: *s`: the secret is written where the anchor is (`note: &s s3cr3t`), and an
    // excerpt of that line must not show it either (each anchor followed once: aliases may loop)
    const source = node.resolve(doc);
    if (source && !aliased.has(source)) {
      aliased.add(source);
      collect(source, true, spans, doc, aliased);
    }
  }
}

function collectPair(pair: Pair, secret: boolean, spans: Span[], doc: Document, aliased: Set<unknown>): void {
  const name = isScalar(pair.key) ? String(pair.key.value) : undefined;
  const value = pair.value;
  const empty = value === null || value === undefined || (isScalar(value) && value.value === null);
  // `clientSecret: { s3cr3t }` is a key without a value: under a secret, such a key is the secret.
  if (secret && empty) collect(pair.key, true, spans, doc, aliased);
  else if (!isScalar(pair.key)) collect(pair.key, secret, spans, doc, aliased);
  const reference = name !== undefined && REFERENCE_KEY.test(name) && isScalar(value);
  collect(value, !reference && (secret || (name !== undefined && isSecretKeyName(name))), spans, doc, aliased);
}

// A `key:` in a line read on its own (quoted, or plain up to the colon).
const KEY = /(?:"[^"]*"|'[^']*'|[^\s"'{}[\],:#][^{}[\],:#]*?)\s*:(?=\s|$)/g;

/**
 * One source line with its secrets masked: the file's secret spans (lineStart is the line's
 * offset in the file), plus what the line shows on its own, parsed as YAML (a file whose
 * structure was lost to a syntax error, a CSV file).
 */
export function maskLine(line: string, lineStart = 0, fileSpans: readonly Span[] = []): string {
  const spans: Span[] = [];
  for (const [s, e] of fileSpans) {
    const start = Math.max(s, lineStart) - lineStart;
    const end = Math.min(e, lineStart + line.length) - lineStart;
    if (end > start) spans.push([start, end]);
  }
  spans.push(...lineSpans(line));
  return applySpans(line, spans);
}

function lineSpans(line: string): Span[] {
  // Only a line with a secret-like key of its own is parsed (excerpts of 100,000 CSV lines stay cheap).
  const secretKey = [...line.matchAll(KEY)].find((m) => isSecretKeyName(m[0].slice(0, -1).trim().replace(/^["']|["']$/g, '')));
  if (!secretKey) return [];
  const doc = parseDocument(line, { prettyErrors: false, uniqueKeys: false });
  if (doc.errors.length === 0) return secretSpans([doc]);
  // Not YAML on its own (`clientSecret: { value: s3cr3t` continued below): mask all after the key.
  const after = secretKey.index + secretKey[0].length;
  const start = after + (line.length - after - line.slice(after).trimStart().length);
  return start < line.length ? [[start, line.length]] : [];
}

function applySpans(line: string, spans: Span[]): string {
  if (spans.length === 0) return line;
  const sorted = [...spans].sort((a, b) => a[0] - b[0]);
  let out = '';
  let at = 0;
  for (const [start, end] of sorted) {
    if (end <= at) continue;
    out += line.slice(at, Math.max(at, start)) + (start >= at ? MASK : '');
    at = end;
  }
  return out + line.slice(at);
}
