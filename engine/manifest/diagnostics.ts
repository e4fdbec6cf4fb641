// Manifest diagnostics are data (STYLE.md, after eemeli/yaml): a code from a closed union, a
// position and a source excerpt. Rules push them; nothing throws. Every code is in docs/errors.md.
import { isAbsolute, relative, sep } from 'node:path';

export const DIAGNOSTIC_CODES = [
  // reading
  'directory-not-found',
  'yaml-syntax',
  'duplicate-key',
  'empty-file',
  // documents
  'unknown-kind',
  'bad-api-version',
  'no-project',
  'duplicate-project',
  'several-projects',
  // schema
  'unknown-key',
  'missing-key',
  'wrong-type',
  'bad-value',
  'bad-guid',
  'bad-date',
  'bad-cron',
  'secret-literal',
  // semantic
  'tenant-roles',
  'tenant-auth',
  'endpoint-cloud',
  'attribute-source',
  'unknown-attribute',
  'unknown-template-field',
  'unknown-profile',
  'unlicensed-profile',
  'unknown-certificate',
  'map-domain-without-domains',
  'guest-without-domains',
  'guest-invite-member-profile',
  'email-rewrite-not-configured',
  'duplicate-wave',
  'duplicate-domain',
  'duplicate-member',
  'member-in-two-waves',
  'group-in-two-waves',
  'missing-file',
  'path-outside-project',
  'missing-certificate-file',
  'bad-csv',
] as const;

/** A closed union: every code is explained in docs/errors.md. */
export type DiagnosticCode = (typeof DIAGNOSTIC_CODES)[number];

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly severity: Severity;
  readonly message: string;
  /** Relative to the project directory, '/'-separated; '.' for the directory itself. */
  readonly file: string;
  /** 1-based; 0 when the diagnostic concerns a whole file or directory. */
  readonly line: number;
  readonly col: number;
  readonly hint?: string;
  /** The source line at `line`, secrets masked. */
  readonly excerpt?: string;
}

export function isError(d: Diagnostic): boolean {
  return d.severity === 'error';
}

export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return a.line - b.line || a.col - b.col || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);
}

export function sortDiagnostics(ds: readonly Diagnostic[]): Diagnostic[] {
  return [...ds].sort(compareDiagnostics);
}

/**
 * What to put before a diagnostic's file (relative to the project directory) so that its path
 * opens from where the command runs, as compilers print theirs (editors and CI annotations resolve
 * paths from there): the project directory relative to `cwd`, or absolute when it is not below
 * `cwd`; '' when it is `cwd`.
 */
export function diagnosticBase(cwd: string, projectDir: string): string {
  const rel = relative(cwd, projectDir);
  if (rel === '') return '';
  const shown = rel.startsWith('..') || isAbsolute(rel) ? projectDir : rel;
  return shown.split(sep).join('/');
}

/** A file relative to the project directory, as it opens from the working directory (`base`: see
 *  diagnosticBase). An absolute one opens as it is (a members CSV was one, before CSVs outside the
 *  project were refused: path-outside-project). */
export function displayFile(file: string, base = ''): string {
  return base === '' || isAbsolute(file) ? file : file === '.' ? base : `${base}/${file}`;
}

/**
 * `FILE:LINE:COL: severity: message [code]`, then the source line and a caret under the column,
 * then the hint (like eemeli/yaml's prettifyError). `base`: see diagnosticBase.
 */
export function renderDiagnostic(d: Diagnostic, base = ''): string {
  const file = displayFile(d.file, base);
  const where = d.line > 0 ? `${file}:${d.line}:${d.col}` : file;
  const lines = [`${where}: ${d.severity}: ${d.message} [${d.code}]`];
  if (d.excerpt !== undefined && d.line > 0) {
    const gutter = String(d.line);
    const text = d.excerpt.replace(/\t/g, ' ');
    lines.push(`  ${gutter} | ${text}`);
    lines.push(`  ${' '.repeat(gutter.length)} | ${' '.repeat(Math.max(0, d.col - 1))}^`);
  }
  if (d.hint) lines.push(`  hint: ${d.hint}`);
  return lines.join('\n');
}

/** Diagnostics of one code in one file printed one by one before the rest are only counted: a CSV
 *  of thousands of bad lines is a screenful, not thousands of them (JSON output lists them all). */
export const SHOWN_PER_FILE_AND_CODE = 10;

/** Diagnostics in order, as text shows them: each, or, past SHOWN_PER_FILE_AND_CODE of one code in
 *  one file, a note counting the rest at the end of the file's diagnostics. */
export type Shown = { readonly diagnostic: Diagnostic } | { readonly note: string; readonly severity: Severity };

export function shownDiagnostics(ds: readonly Diagnostic[], base = '', listAll = "'t2t validate --output json' lists them all"): Shown[] {
  const out: Shown[] = [];
  const seen = new Map<string, number>();
  let file: string | undefined;
  const notes = () => {
    for (const [key, n] of seen) {
      if (n <= SHOWN_PER_FILE_AND_CODE) continue;
      const [severity, code] = key.split(' ') as [Severity, string];
      const more = n - SHOWN_PER_FILE_AND_CODE;
      out.push({ note: `${displayFile(file!, base)}: ${more} more ${severity}${more === 1 ? '' : 's'} [${code}] like these (${listAll})`, severity });
    }
    seen.clear();
  };
  for (const d of sortDiagnostics(ds)) {
    if (d.file !== file) {
      notes();
      file = d.file;
    }
    const key = `${d.severity} ${d.code}`;
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    if (n <= SHOWN_PER_FILE_AND_CODE) out.push({ diagnostic: d });
  }
  notes();
  return out;
}

export function renderDiagnostics(ds: readonly Diagnostic[], base = ''): string {
  return shownDiagnostics(ds, base)
    .map((s) => ('note' in s ? s.note : renderDiagnostic(s.diagnostic, base)))
    .join('\n');
}
