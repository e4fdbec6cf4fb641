// What the semantic rules (pass two) see: the schema-valid documents, where things are, and a
// place to push diagnostics. Rules are small functions; none throws.
import type { Node } from 'yaml';
import { isScalar, Scalar } from 'yaml';
import type { Diagnostic, DiagnosticCode, Severity } from './diagnostics.js';
import type { ManifestDoc } from './parse-documents.js';
import type { RawDocument, RawProjectSpec, RawWaveSpec } from './raw-types.js';
import { nodeAt, nodeLocation, offsetLocation, type Location, type PathSegment } from './source-files.js';

export interface ProjectDoc {
  readonly doc: ManifestDoc;
  readonly raw: RawDocument<RawProjectSpec>;
}

export interface MemberRef {
  /** Trimmed, lower-cased. */
  readonly address: string;
  readonly loc: Location;
}

export interface WaveDoc {
  readonly doc: ManifestDoc;
  readonly raw: RawDocument<RawWaveSpec>;
  /** Listed under members.users. */
  readonly users: readonly MemberRef[];
  /** Read from members.csv (empty when it is missing or unreadable). */
  readonly csvUsers: readonly MemberRef[];
}

export interface RuleContext {
  /** Absolute project directory. */
  readonly dir: string;
  readonly project?: ProjectDoc;
  readonly waves: readonly WaveDoc[];
  report(code: DiagnosticCode, message: string, loc: Location, options?: { severity?: Severity; hint?: string }): void;
}

export type Rule = (ctx: RuleContext) => void;

/** Location of the value (or, with 'key', the key) at path in a document. */
export function at(doc: ManifestDoc, path: readonly PathSegment[], which: 'key' | 'value' = 'value'): Location {
  const found = nodeAt(doc.doc.contents, path);
  const node: Node | undefined = which === 'key' && found.complete ? (found.key ?? found.node) : found.node;
  return nodeLocation(doc.file, node, doc.doc.contents?.range?.[0] ?? 0);
}

/** Location of a character inside a single-line string scalar (for template placeholders). */
export function atChar(doc: ManifestDoc, path: readonly PathSegment[], index: number): Location {
  const { node, complete } = nodeAt(doc.doc.contents, path);
  if (!complete || !isScalar(node) || !node.range) return at(doc, path);
  const quoted = node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE;
  if (!quoted && node.type !== Scalar.PLAIN) return at(doc, path);
  return offsetLocation(doc.file, node.range[0] + (quoted ? 1 : 0) + index);
}

export function toDiagnostic(code: DiagnosticCode, message: string, loc: Location, options: { severity?: Severity; hint?: string } = {}): Diagnostic {
  return { code, severity: options.severity ?? 'error', message, ...loc, ...(options.hint ? { hint: options.hint } : {}) };
}

export function where(loc: Location): string {
  return `${loc.file}:${loc.line}:${loc.col}`;
}
