// Multi-document YAML with source positions. Syntax errors and duplicate keys become
// diagnostics; a document with such an error is not validated further (its shape is unreliable).
import { LineCounter, parseAllDocuments, isMap, visit, type Alias, type Document, type Node } from 'yaml';
import type { Diagnostic } from './diagnostics.js';
import { secretSpans } from './mask-secrets.js';
import { nodeLocation, offsetLocation, sourceFile, type Location, type SourceFile } from './source-files.js';

export interface ManifestDoc {
  readonly file: SourceFile;
  /** 0-based index of the document in its file. */
  readonly index: number;
  readonly doc: Document.Parsed;
  /** The plain value (toJS). */
  readonly value: Record<string, unknown>;
  /** Where the document's content starts. */
  readonly start: Location;
}

export interface ParsedFile {
  readonly file: SourceFile;
  /** Documents that parsed cleanly and look like t2t manifests. */
  readonly docs: ManifestDoc[];
  /** True when some document had a syntax error. */
  readonly broken: boolean;
  /** True when the file has documents but none is a t2t manifest (e.g. an emulator config). */
  readonly foreign: boolean;
  readonly empty: boolean;
}

const MANIFEST_KEYS = ['apiVersion', 'kind', 'metadata', 'spec'];

export function parseManifestFile(path: string, text: string, push: (d: Diagnostic) => void): ParsedFile {
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const all = Array.isArray(parsed) ? parsed : [];
  const file = sourceFile(path, text, lineCounter, () => secretSpans(all));
  const docs: ManifestDoc[] = [];
  let broken = false;
  let nonEmpty = 0;
  all.forEach((doc, index) => {
    let syntaxReported = false;
    for (const e of doc.errors) {
      broken = true;
      // After the first syntax error the parser's view is off: further ones are mostly echoes.
      if (e.code !== 'DUPLICATE_KEY' && syntaxReported) continue;
      syntaxReported ||= e.code !== 'DUPLICATE_KEY';
      const duplicate = e.code === 'DUPLICATE_KEY';
      // an error at the end of the input (an unclosed '[' or quote) is placed past the last character:
      // after a final newline that is a line that does not exist, with an empty excerpt; show it
      // just after the last text instead
      const loc = offsetLocation(file, duplicate ? e.pos[0] : Math.min(e.pos[0], contentEnd(text)));
      const message = duplicate ? `duplicate key '${duplicateKeyName(text, e.pos)}': keys of a map must be unique` : `YAML syntax error: ${cleanYamlMessage(e.message)}`;
      push({
        code: duplicate ? 'duplicate-key' : 'yaml-syntax',
        severity: 'error',
        message,
        ...loc,
        hint: duplicate ? 'remove or rename one of the two entries (tenant, profile and certificate names must be unique)' : 'fix the YAML at this position; a YAML-aware editor shows the structure',
      });
    }
    if (doc.errors.length > 0) return;
    if (doc.contents === null || (doc.contents as Node & { value?: unknown }).value === null) return; // empty document (e.g. a trailing ---)
    nonEmpty += 1;
    let value: unknown;
    try {
      value = doc.toJS();
    } catch {
      // an alias the parser accepts but that cannot be expanded: toJS throws
      broken = true;
      push(aliasDiagnostic(file, doc));
      return;
    }
    // Not a mapping, or a mapping without any manifest key: some other YAML (an emulator config, CI).
    if (!isMap(doc.contents) || !isPlainObject(value)) return;
    if (!MANIFEST_KEYS.some((k) => k in value)) return; // a YAML document that is not a t2t manifest
    docs.push({ file, index, doc, value, start: nodeLocation(file, doc.contents as Node) });
  });
  return { file, docs, broken, empty: nonEmpty === 0 && !broken, foreign: nonEmpty > 0 && docs.length === 0 && !broken };
}

/** Why a document's aliases cannot be expanded: one names no anchor before it in its document (an
 *  anchor does not reach across '---'), or they expand too far (yaml's guard against an alias bomb). */
function aliasDiagnostic(file: SourceFile, doc: Document.Parsed): Diagnostic {
  const aliases: Alias[] = [];
  visit(doc, { Alias: (_key, node) => void aliases.push(node) });
  const unresolved = aliases.find((a) => a.resolve(doc) === undefined);
  const alias = unresolved ?? aliases[0];
  const loc = alias ? nodeLocation(file, alias as unknown as Node) : nodeLocation(file, doc.contents as Node);
  return unresolved
    ? {
        code: 'yaml-syntax',
        severity: 'error',
        message: `YAML syntax error: alias *${unresolved.source} names no anchor &${unresolved.source} before it in this document`,
        ...loc,
        hint: `define &${unresolved.source} earlier in the same document (an anchor does not reach across '---'), or write the value out`,
      }
    : {
        code: 'yaml-syntax',
        severity: 'error',
        message: 'YAML syntax error: the aliases of this document expand too far (more than 100 copies)',
        ...loc,
        hint: 'write the values out, or use fewer aliases',
      };
}

/** The offset just after the last character that is not whitespace (0 for a blank text). */
function contentEnd(text: string): number {
  let end = text.length;
  while (end > 0 && /\s/.test(text[end - 1]!)) end -= 1;
  return end;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function duplicateKeyName(text: string, pos: [number, number]): string {
  const rest = text.slice(pos[0]);
  const m = /^("([^"]*)"|'([^']*)'|[^:\n]+?)\s*:/.exec(rest);
  return (m?.[2] ?? m?.[3] ?? m?.[1] ?? rest.split('\n')[0] ?? '').trim();
}

function cleanYamlMessage(message: string): string {
  const first = message.split('\n')[0] ?? message;
  return first.replace(/ at line \d+, column \d+:?$/, '').replace(/\.$/, '');
}
