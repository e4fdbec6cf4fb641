// Where the mail sync keeps its delta positions: on the target folder that receives a source
// folder's copies, as a named extended property (PATCH …/folders/{id} with
// singleValueExtendedProperties; read back with $expand when the target folders are listed).
//
// The migration marker cannot hold them: an open extension on a user holds 2 KB, and a real
// mailbox's positions (one per folder, a few hundred bytes each) pass that at a handful of
// folders. A folder without a position is read from the start again and its deletions are not
// seen, so keeping them in the marker meant a delta sync that reread most folders and propagated
// no deletion. On the folders there is room for one per folder, and a position stays with the
// copies it describes.
//
// Positions belong to a set, named in the watermark (positionsSet) and in every stored value: a
// folder's value is used only when its set is the watermark's. A sync that starts over (no
// watermark, another source) makes a new set, so positions a target folder kept from an earlier
// sync are never taken for this one's.
import { randomBytes } from 'node:crypto';
import type { FolderNode, MailTransport } from './mail-types.js';
import { isUnavailable, statusOf, type SyncRun } from './sync-context.js';

/** PS_PUBLIC_STRINGS-style named property in t2t's own namespace. */
export const POSITIONS_PROPERTY_ID = 'String {7d1f6b8e-3c2a-4e55-9b0f-5a6c2d4e8f10} Name t2tDeltaPositions';

/** Asks a folder listing for the positions property. */
export const POSITIONS_EXPAND = `$expand=${encodeURIComponent(`singleValueExtendedProperties($filter=id eq '${POSITIONS_PROPERTY_ID}')`)}`;

/** The positions property of a listed folder, if it has one. */
export function positionsOf(raw: { singleValueExtendedProperties?: { id: string; value: string }[] }): string | undefined {
  const want = POSITIONS_PROPERTY_ID.toLowerCase();
  return raw.singleValueExtendedProperties?.find((p) => p.id.toLowerCase().replace(/\s+/g, ' ') === want)?.value;
}

/** The target's folder tree listed with the positions it keeps, or without them when the service
 *  refuses the $expand (400): then `positions` is false and the marker keeps them. */
export async function listWithPositions(list: (positions: boolean) => Promise<FolderNode[]>): Promise<{ tree: FolderNode[]; positions: boolean }> {
  try {
    return { tree: await list(true), positions: true };
  } catch (e) {
    if (statusOf(e) !== 400) throw e;
    return { tree: await list(false), positions: false };
  }
}

interface StoredPositions {
  set: string;
  links: Record<string, string>;
  /** When they were written (ISO 8601): every copy they cover was made before. */
  at?: string;
}

function parse(value: string | undefined): StoredPositions | undefined {
  if (!value) return undefined;
  try {
    const v = JSON.parse(value) as Partial<StoredPositions>;
    if (typeof v.set !== 'string' || !v.links || typeof v.links !== 'object') return undefined;
    return {
      set: v.set,
      links: Object.fromEntries(Object.entries(v.links).filter(([, l]) => typeof l === 'string')) as Record<string, string>,
      ...(typeof v.at === 'string' ? { at: v.at } : {}),
    };
  } catch {
    return undefined; // not ours, or damaged: as if absent (the folder is read from the start)
  }
}

/** Source folder key -> the target folder that keeps its position in `set` (the watermark's): where
 *  the previous syncs put that source folder's copies, whatever the two folders are named now. */
export function keptTargets(set: string | undefined, targetTree: readonly FolderNode[]): Map<string, string> {
  const kept = new Map<string, string>();
  if (set === undefined) return kept;
  for (const f of targetTree) {
    const stored = parse(f.positions);
    if (stored?.set === set) for (const key of Object.keys(stored.links)) kept.set(key, f.id);
  }
  return kept;
}

export function newPositionsSet(): string {
  return randomBytes(9).toString('base64url');
}

/** The delta positions of one mailbox sync, kept on its target folders. */
export class FolderPositions {
  /** The positions kept here rather than in the marker (every live source folder's key). */
  readonly keys: Set<string>;
  /** The positions last read or written on each target folder (set and links, without the time):
   *  unchanged ones are not written again. */
  private readonly onFolder = new Map<string, string>();
  /** When each target folder's positions of this set were written, as read when the sync began (ms). */
  private readonly writtenAt = new Map<string, number>();

  private constructor(
    private readonly t: MailTransport & Required<Pick<MailTransport, 'writePositions'>>,
    private readonly run: SyncRun,
    readonly set: string,
    /** Source folder key -> the target folder that keeps its position. */
    private readonly targetOf: Map<string, string>,
  ) {
    this.keys = new Set(targetOf.keys());
  }

  /**
   * Take the positions the target folders keep into `run.links` (over the marker's) and keep them
   * there from now on; undefined when the transport cannot (the marker keeps them, as before).
   * `keyOf` maps each source folder to its target folder (source folder key -> target folder id).
   */
  static open(run: SyncRun, t: MailTransport, targetTree: FolderNode[], keyOf: Map<string, string>): FolderPositions | undefined {
    if (!t.writePositions || !t.positionsReadable?.()) return undefined;
    const previous = run.o.watermark?.positionsSet;
    const store = new FolderPositions(t as MailTransport & Required<Pick<MailTransport, 'writePositions'>>, run, previous ?? newPositionsSet(), keyOf);
    const wanted = new Map<string, string[]>();
    for (const [key, target] of keyOf) wanted.set(target, [...(wanted.get(target) ?? []), key]);
    for (const f of targetTree) {
      const stored = parse(f.positions);
      if (stored) store.onFolder.set(f.id, JSON.stringify({ set: stored.set, links: stored.links }));
      if (!stored || stored.set !== previous) continue;
      if (stored.at !== undefined && !Number.isNaN(Date.parse(stored.at))) store.writtenAt.set(f.id, Date.parse(stored.at));
      for (const key of wanted.get(f.id) ?? []) if (stored.links[key] !== undefined) run.links[key] = stored.links[key]!;
    }
    return store;
  }

  /** When the positions a target folder kept when this run began were written (by an earlier run
   *  of this sync, perhaps one that did not complete: after the watermark's times): the copies
   *  made there up to those positions were made before it. */
  savedAt(targetFolderId: string): number | undefined {
    return this.writtenAt.get(targetFolderId);
  }

  /** Write the positions that changed since the last flush, one PATCH per target folder. A target
   *  that refuses the property hands the positions back to the marker (with a warning). */
  async flush(links: Readonly<Record<string, string>>): Promise<void> {
    const byTarget = new Map<string, Record<string, string>>();
    for (const key of this.keys) {
      const link = links[key];
      const target = this.targetOf.get(key);
      if (link === undefined || target === undefined) continue;
      byTarget.set(target, { ...(byTarget.get(target) ?? {}), [key]: link });
    }
    for (const [target, kept] of byTarget) {
      const unchanged = JSON.stringify({ set: this.set, links: kept });
      if (this.onFolder.get(target) === unchanged) continue;
      try {
        await this.t.writePositions(target, JSON.stringify({ set: this.set, links: kept, at: new Date().toISOString() }));
      } catch (e) {
        // a folder deleted in the target meanwhile: nothing to keep there (its copies went with it)
        if (statusOf(e) === 404) continue;
        if (!isUnavailable(e)) throw e;
        this.keys.clear();
        this.run.warn(
          `the target mailbox refused to keep the sync's delta positions on its folders (${statusOf(e)}); they are kept in the migration marker, which holds only a few (the other folders are read again from the start by each sync)`,
        );
        return;
      }
      this.onFolder.set(target, unchanged);
    }
  }
}
