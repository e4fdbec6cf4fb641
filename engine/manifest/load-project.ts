// Load a project directory: find the manifests, parse them with positions, check each document
// against its schema (pass one), then the semantic rules (pass two), and build the immutable
// Project model when nothing is wrong. Diagnostics are collected, never thrown.
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, posix, resolve } from 'node:path';
import { didYouMean } from '../util/suggest.js';
import { buildProject } from './build-model.js';
import { parseMemberCsv } from './csv-members.js';
import { isError, sortDiagnostics, type Diagnostic, type DiagnosticCode, type Severity } from './diagnostics.js';
import type { Project } from './model.js';
import { parseManifestFile, type ManifestDoc } from './parse-documents.js';
import { PROJECT_RULES } from './project-rules.js';
import type { RawDocument, RawProjectSpec, RawWaveSpec } from './raw-types.js';
import { at, toDiagnostic, where, type MemberRef, type ProjectDoc, type RuleContext, type WaveDoc } from './rule-context.js';
import { checkSchema, KINDS, type ManifestKind } from './schema-check.js';
import { findManifestFiles, lineLocation, outsideProject, sourceFile, toPosix, type Location, type SourceFile } from './source-files.js';
import { WAVE_RULES } from './wave-rules.js';

export interface LoadResult {
  /** Only when there is no error (warnings allowed). */
  project?: Project;
  /** Sorted by file, line, column. */
  diagnostics: Diagnostic[];
  /** Files holding t2t documents, relative to the directory, sorted. */
  files: string[];
  /** YAML files that hold no t2t document (an emulator config, CI files): skipped. */
  ignoredFiles: string[];
}

export async function loadProject(dir: string): Promise<LoadResult> {
  const abs = resolve(dir);
  const diagnostics: Diagnostic[] = [];
  const push = (d: Diagnostic) => diagnostics.push(d);
  const report = (code: DiagnosticCode, message: string, loc: Location, options?: { severity?: Severity; hint?: string }) => push(toDiagnostic(code, message, loc, options));
  const dirLoc: Location = { file: '.', line: 0, col: 0 };

  if (!existsSync(abs) || !statSync(abs).isDirectory()) {
    if (existsSync(abs)) {
      // `t2t plan projects/x/project.yaml`: the project is the directory that holds the file
      report('directory-not-found', `${dir} is a file, not a project directory`, dirLoc, { hint: `pass the directory that holds project.yaml: ${dirname(dir) || '.'}` });
    } else {
      report('directory-not-found', `project directory ${dir} does not exist`, dirLoc, { hint: 'pass the directory that holds project.yaml, e.g. examples/contoso-fabrikam' });
    }
    return { diagnostics, files: [], ignoredFiles: [] };
  }

  const paths = await findManifestFiles(abs);
  const docs: ManifestDoc[] = [];
  const files: string[] = [];
  const ignoredFiles: string[] = [];
  let broken = false;
  // read at once, parsed in order: a project of 20 waves is 20 files, and reading them one after
  // the other waited on each
  // without a byte-order mark (Windows editors write one): yaml counts it as a character, so every
  // column of line 1 was one too far and the excerpt carried it
  const texts = await Promise.all(paths.map(async (path) => withoutBom(await readFile(resolve(abs, path), 'utf8'))));
  for (const [i, path] of paths.entries()) {
    const parsed = parseManifestFile(path, texts[i]!, push);
    broken ||= parsed.broken;
    if (parsed.empty) {
      report('empty-file', `${path} is empty: it holds no YAML document and is ignored`, { file: path, line: 0, col: 0 }, { severity: 'warning', hint: 'delete the file, or add a Project or Wave document' });
    }
    if (parsed.foreign) ignoredFiles.push(path);
    if (parsed.docs.length > 0 || parsed.broken) files.push(path);
    docs.push(...parsed.docs);
  }

  // Project documents in several directories, none in DIR itself: DIR is a parent of projects (the
  // repository's root, projects/), and checking every file under it would bury that in errors of
  // unrelated files. (A project with another one nested in it is a duplicate-project, below.)
  const projectDirs = [...new Set(docs.filter((d) => d.value.kind === 'Project').map((d) => posix.dirname(d.start.file)))].sort();
  if (projectDirs.length > 1 && !projectDirs.includes('.')) {
    const shown = projectDirs.slice(0, 5).join(', ') + (projectDirs.length > 5 ? `, and ${projectDirs.length - 5} more` : '');
    diagnostics.length = 0; // what the files of those projects hold is theirs to report
    report('several-projects', `${dir} holds ${projectDirs.length} projects, not one: ${shown}`, dirLoc, {
      hint: `pass one project directory, e.g. t2t validate ${posix.join(toPosix(dir), projectDirs[0]!)}`,
    });
    return { diagnostics, files, ignoredFiles };
  }

  // Pass one: kind, then the schema of that kind.
  const byKind: Record<ManifestKind, ManifestDoc[]> = { Project: [], Wave: [] };
  const valid = new Set<ManifestDoc>();
  let unknownKind = false;
  for (const doc of docs) {
    const kind = doc.value.kind;
    if (typeof kind !== 'string' || !(KINDS as readonly string[]).includes(kind)) {
      unknownKind = true;
      if (kind === undefined) {
        report('unknown-kind', 'the document has no kind', doc.start, { hint: 'add kind: Project or kind: Wave' });
      } else {
        report('unknown-kind', `unknown kind '${String(kind)}'${didYouMean(String(kind), KINDS)}`, at(doc, ['kind']), { hint: 'kind is Project or Wave' });
      }
      continue;
    }
    byKind[kind as ManifestKind].push(doc);
    const problems = checkSchema(doc, kind as ManifestKind);
    diagnostics.push(...problems);
    if (problems.length === 0) valid.add(doc);
  }

  // Exactly one Project. A broken document or one of unknown kind may be the Project: then the
  // missing Project is a consequence, not a second problem to report.
  const projects = byKind.Project;
  if (projects.length === 0 && !broken && !unknownKind) {
    // a project.yaml that is some other YAML (a list, a mapping without apiVersion and kind) is
    // skipped like any foreign file, but it is where the user meant the Project to be: say so there
    const meant = ignoredFiles.find((f) => f === 'project.yaml' || f === 'project.yml');
    if (meant) {
      report('no-project', `${meant} holds no t2t manifest: no YAML document in it is a mapping with apiVersion and kind`, { file: meant, line: 1, col: 1 }, {
        hint: 'begin it with apiVersion: t2t.dev/v1 and kind: Project, then metadata and spec (see examples/contoso-fabrikam/project.yaml)',
      });
    } else {
      report('no-project', `no Project document in ${dir} (searched ${paths.length} YAML file${paths.length === 1 ? '' : 's'})`, dirLoc, {
        hint: 'create project.yaml with apiVersion: t2t.dev/v1 and kind: Project (see examples/contoso-fabrikam/project.yaml)',
      });
    }
  }
  for (const extra of projects.slice(1)) {
    report('duplicate-project', `a second Project document (the first is at ${where(projects[0]!.start)}): a project has exactly one`, extra.start, { hint: 'one directory per project: move the other project to its own directory' });
  }
  const projectDoc = projects.length === 1 && valid.has(projects[0]!) ? projects[0]! : undefined;
  const project: ProjectDoc | undefined = projectDoc ? { doc: projectDoc, raw: projectDoc.value as unknown as RawDocument<RawProjectSpec> } : undefined;

  // Waves with their members (the CSV is read here so rules stay synchronous).
  const waves: WaveDoc[] = [];
  const waveDocs = byKind.Wave.filter((d) => valid.has(d));
  // every CSV read at once (diagnostics are sorted afterwards, so the order they are made in does
  // not matter)
  const csvUsersOf = await Promise.all(waveDocs.map((doc) => readCsvMembers(abs, doc, (doc.value as unknown as RawDocument<RawWaveSpec>).spec.members.csv, report)));
  for (const [i, doc] of waveDocs.entries()) {
    const raw = doc.value as unknown as RawDocument<RawWaveSpec>;
    const users: MemberRef[] = (raw.spec.members.users ?? []).map((u, k) => ({ address: u.trim().toLowerCase(), loc: at(doc, ['spec', 'members', 'users', k]) }));
    waves.push({ doc, raw, users, csvUsers: csvUsersOf[i]! });
  }

  // Pass two: semantic rules.
  const ctx: RuleContext = { dir: abs, ...(project ? { project } : {}), waves, report };
  for (const rule of [...PROJECT_RULES, ...WAVE_RULES]) rule(ctx);

  const sorted = sortDiagnostics(diagnostics);
  const ok = !sorted.some(isError) && project !== undefined && !broken;
  return {
    ...(ok ? { project: buildProject(abs, files, project!, waves) } : {}),
    diagnostics: sorted,
    files,
    ignoredFiles,
  };
}

async function readCsvMembers(dir: string, doc: ManifestDoc, csv: string | undefined, report: RuleContext['report']): Promise<MemberRef[]> {
  if (csv === undefined) return [];
  const outside = outsideProject(dir, csv);
  if (outside) {
    // outside the project, git does not version the CSV with the manifests that name it (the
    // working-tree check and the history do not see it change), and another clone may not have it
    report('path-outside-project', `spec.members.csv '${csv}' ${outside}: a members CSV must be inside the project, versioned with its manifests`, at(doc, ['spec', 'members', 'csv']), {
      hint: 'move the CSV into the project directory and give spec.members.csv its path relative to it, e.g. waves/wave-02.csv',
    });
    return [];
  }
  const full = resolve(dir, csv);
  if (!existsSync(full) || !statSync(full).isFile()) {
    report('missing-file', `members csv '${csv}' does not exist`, at(doc, ['spec', 'members', 'csv']), { hint: 'paths are relative to the project directory, e.g. waves/wave-02.csv' });
    return [];
  }
  const text = withoutBom(await readFile(full, 'utf8'));
  // split into lines for excerpts only when a diagnostic needs one
  let file: SourceFile | undefined;
  // (lines as parseMemberCsv counts them: a lone CR ends one too)
  const fileOf = () => (file ??= sourceFile(csv.replace(/\\/g, '/').replace(/^\.\//, ''), text.replace(/\r(?!\n)/g, '\n')));
  const { members, problems } = parseMemberCsv(text);
  for (const p of problems) {
    report('bad-csv', p.message, lineLocation(fileOf(), p.line, p.col), { hint: 'a members CSV has one address a line and an optional header line `user`' });
  }
  return members.map((m) => new CsvMemberRef(m.address, fileOf, m.line, m.col));
}

function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** A member read from a CSV: its location (a source excerpt, secrets masked) is made only when a
 *  diagnostic names it, not for each of 100,000 lines. */
class CsvMemberRef implements MemberRef {
  constructor(
    readonly address: string,
    private readonly file: () => SourceFile,
    private readonly line: number,
    private readonly col: number,
  ) {}
  get loc(): Location {
    return lineLocation(this.file(), this.line, this.col);
  }
}

/** Files whose content determines what t2t would do: the manifests and the files they reference,
 *  relative to the project directory as git names them (`./waves/a.csv` is waves/a.csv: the
 *  working-tree check compares these with git's paths). */
export function manifestInputs(project: Project): string[] {
  const files = new Set(project.files);
  const add = (path: string) => files.add(posix.normalize(path.replace(/\\/g, '/')));
  for (const w of project.waves) if (w.members.csv) add(w.members.csv);
  for (const p of Object.values(project.profiles)) {
    if (p.notification) add(p.notification.bodyFile);
    if (p.guestInvite?.messageFile) add(p.guestInvite.messageFile);
  }
  return [...files].sort();
}
