// What the manifests declared at one commit, read straight from git objects (no checkout): the
// files under the project directory with their blob ids, and every Wave document parsed with the
// `yaml` package. Deliberately lenient: history must show old commits even when they would not
// validate today, so a broken file is reported on the declaration instead of failing.
import { parseAllDocuments } from 'yaml';
import { parseMemberCsv } from '../manifest/csv-members.js';
import type { SimpleGit } from 'simple-git';

export interface WaveDeclaration {
  name: string;
  /** Relative to the project directory. */
  file: string;
  phase?: string;
  paused: boolean;
  emailRewrite: string;
  /** `total`: distinct addresses listed (explicit and CSV); groups are expanded only at discovery. */
  members: { users: number; groups: number; csvUsers: number; total: number; csv?: string };
  cutoverAt?: string;
  deltaSync?: string;
}

export interface Snapshot {
  /** Project-relative path -> blob id. */
  files: Map<string, string>;
  waves: Map<string, WaveDeclaration>;
  /** Addresses (lower case) listed by each wave, explicit and from its CSV. */
  members: Map<string, Set<string>>;
  projectName?: string;
  /** The file holding the Project document. */
  projectFile?: string;
  /** Files that did not parse at this commit. */
  broken: string[];
}

export const EMPTY_SNAPSHOT: Snapshot = { files: new Map(), waves: new Map(), members: new Map(), broken: [] };

/** Reads snapshots, caching trees by commit and parsed files by blob id (most blobs are shared
 *  between neighbouring commits). */
export class SnapshotReader {
  private readonly trees = new Map<string, Promise<Snapshot>>();
  private readonly blobs = new Map<string, Promise<string>>();

  constructor(
    private readonly git: SimpleGit,
    /** The project directory relative to the repository root; '' for the root. */
    private readonly projectPath: string,
  ) {}

  at(commit: string): Promise<Snapshot> {
    let s = this.trees.get(commit);
    if (!s) {
      s = this.read(commit);
      this.trees.set(commit, s);
    }
    return s;
  }

  private blob(id: string): Promise<string> {
    let b = this.blobs.get(id);
    if (!b) {
      b = this.git.raw(['cat-file', 'blob', id]);
      this.blobs.set(id, b);
    }
    return b;
  }

  private async read(commit: string): Promise<Snapshot> {
    const args = ['ls-tree', '-r', '-z', '--full-tree', commit];
    if (this.projectPath) args.push('--', this.projectPath);
    const listing = await this.git.raw(args);
    const files = new Map<string, string>();
    const prefix = this.projectPath ? this.projectPath + '/' : '';
    for (const entry of listing.split('\0')) {
      const tab = entry.indexOf('\t');
      if (tab < 0) continue;
      const [, type, id] = entry.slice(0, tab).split(' ');
      const path = entry.slice(tab + 1);
      if (type !== 'blob' || !id || !path.startsWith(prefix)) continue;
      const rel = path.slice(prefix.length);
      if (rel.split('/').some((seg) => seg.startsWith('.'))) continue; // dot-directories hold no manifests
      files.set(rel, id);
    }
    const snapshot: Snapshot = { files, waves: new Map(), members: new Map(), broken: [] };
    const csvOf = new Map<string, string>();
    for (const [file, id] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (!/\.ya?ml$/i.test(file)) continue;
      const text = await this.blob(id);
      let docs: unknown[];
      try {
        const parsed = parseAllDocuments(text);
        if (!Array.isArray(parsed)) {
          docs = [];
        } else {
          if (parsed.some((d) => d.errors.length > 0)) snapshot.broken.push(file);
          docs = parsed.filter((d) => d.errors.length === 0).map((d) => d.toJS() as unknown);
        }
      } catch {
        snapshot.broken.push(file);
        continue;
      }
      for (const doc of docs) {
        if (!isObject(doc)) continue;
        const name = isObject(doc.metadata) && typeof doc.metadata.name === 'string' ? doc.metadata.name : undefined;
        if (doc.kind === 'Project' && name) {
          snapshot.projectName = name;
          snapshot.projectFile = file;
        }
        if (doc.kind !== 'Wave' || !name || snapshot.waves.has(name)) continue;
        const spec = isObject(doc.spec) ? doc.spec : {};
        const members = isObject(spec.members) ? spec.members : {};
        const schedule = isObject(spec.schedule) ? spec.schedule : {};
        const users = strings(members.users).map((u) => u.trim().toLowerCase());
        const decl: WaveDeclaration = {
          name,
          file,
          ...(typeof spec.phase === 'string' ? { phase: spec.phase } : {}),
          paused: spec.paused === true,
          emailRewrite: typeof spec.emailRewrite === 'string' ? spec.emailRewrite : 'none',
          members: { users: users.length, groups: strings(members.groups).length, csvUsers: 0, total: 0, ...(typeof members.csv === 'string' ? { csv: members.csv } : {}) },
          ...(schedule.cutoverAt !== undefined ? { cutoverAt: dateText(schedule.cutoverAt) } : {}),
          ...(typeof schedule.deltaSync === 'string' ? { deltaSync: schedule.deltaSync } : {}),
        };
        snapshot.waves.set(name, decl);
        snapshot.members.set(name, new Set(users));
        if (typeof members.csv === 'string') csvOf.set(name, members.csv.replace(/^\.\//, ''));
      }
    }
    for (const [wave, csv] of csvOf) {
      const id = files.get(csv);
      if (!id) continue;
      const addresses = parseMemberCsv(await this.blob(id)).members.map((m) => m.address);
      const set = snapshot.members.get(wave)!;
      for (const a of addresses) set.add(a);
      snapshot.waves.get(wave)!.members.csvUsers = addresses.length;
    }
    for (const [wave, set] of snapshot.members) snapshot.waves.get(wave)!.members.total = set.size;
    return snapshot;
  }
}

/** Total distinct addresses a wave lists (groups are expanded only at discovery). */
export function memberCount(snapshot: Snapshot, wave: string): number {
  return snapshot.members.get(wave)?.size ?? 0;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function dateText(v: unknown): string {
  return v instanceof Date ? v.toISOString() : String(v);
}
