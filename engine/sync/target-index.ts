// Which target item is the copy of a source item, read from the target itself (no id map is
// stored anywhere): a copy carries what the import preserves, the internet message id when the
// API shows it, else the item's creation time. Each target item is claimed by at most one
// source item, so two source items that share a key map to two copies (a multiset match).
// When both sides show an internet message id, it decides: a copy with another message id is
// never claimed by creation time, so two items created in the same instant with the same size
// (e.g. after a crash and a rerun) are told apart. Creation time and size remain the fallback
// for a service that does not return the message id.
import type { SourceItem, TargetItem } from './mail-types.js';

export function itemKeys(i: { messageId?: string; createdDateTime?: string }): string[] {
  const keys: string[] = [];
  if (i.messageId) keys.push(`m:${i.messageId.toLowerCase()}`);
  if (i.createdDateTime) keys.push(`c:${new Date(i.createdDateTime).toISOString()}`);
  return keys;
}

/** Both show an internet message id, and they differ: not the same message. */
function otherMessage(s: { messageId?: string }, t: { messageId?: string }): boolean {
  return !!s.messageId && !!t.messageId && s.messageId.toLowerCase() !== t.messageId.toLowerCase();
}

export class TargetIndex {
  private readonly byKey = new Map<string, TargetItem[]>();
  private readonly claimed = new Set<string>();
  private readonly items: TargetItem[] = [];

  constructor(items: readonly TargetItem[]) {
    for (const t of items) this.add(t);
  }

  get size(): number {
    return this.items.length;
  }

  private add(t: TargetItem): void {
    this.items.push(t);
    for (const k of itemKeys(t)) {
      const list = this.byKey.get(k);
      if (list) list.push(t);
      else this.byKey.set(k, [t]);
    }
  }

  /** The unclaimed copy of `s`, now claimed; a candidate of the same size is preferred. */
  claim(s: SourceItem): TargetItem | undefined {
    for (const k of itemKeys(s)) {
      const candidates = (this.byKey.get(k) ?? []).filter((t) => !this.claimed.has(t.id) && !otherMessage(s, t));
      if (candidates.length === 0) continue;
      // Keys can collide (two items created in the same instant): prefer the copy that also has
      // the source's size and version time, as a fresh full-fidelity copy does.
      const sameSize = (t: TargetItem) => s.size !== undefined && t.size === s.size;
      const pick =
        candidates.find((t) => sameSize(t) && t.lastModifiedDateTime === s.lastModifiedDateTime) ?? candidates.find(sameSize) ?? candidates[0]!;
      this.claimed.add(pick.id);
      return pick;
    }
    return undefined;
  }

  /** Items read from the target again (after a write the service failed, which may have been
   *  carried out): those not known yet join the index, unclaimed. */
  learn(items: readonly TargetItem[]): void {
    const known = new Set(this.items.map((t) => t.id));
    for (const t of items) if (!known.has(t.id)) this.add(t);
  }

  /** A copy made during this run: known, and already claimed by its source. */
  addClaimed(t: TargetItem): void {
    this.add(t);
    this.claimed.add(t.id);
  }

  /** Replace a claimed copy's version (after an update). */
  replace(oldId: string, t: TargetItem): void {
    const i = this.items.findIndex((x) => x.id === oldId);
    if (i >= 0) this.items.splice(i, 1);
    for (const list of this.byKey.values()) {
      const j = list.findIndex((x) => x.id === oldId);
      if (j >= 0) list.splice(j, 1);
    }
    this.addClaimed(t);
  }

  unclaimed(): TargetItem[] {
    return this.items.filter((t) => !this.claimed.has(t.id));
  }
}
