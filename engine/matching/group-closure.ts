// A group and the groups nested in it at any depth: a wave (or spec.safety.exclude) that names a
// group means every user in it, directly or through its nested groups. Each group is visited once
// (membership cycles exist in real tenants); a nested group the inventory does not hold is skipped.

export interface NestingGroup {
  readonly id: string;
  /** Groups that are direct members (ids); absent when the group has none. */
  readonly nestedGroupIds?: readonly string[];
}

/** `start` and every group nested in it, each once, `start` first. */
export function* groupClosure<G extends NestingGroup>(start: Iterable<G>, byId: (id: string) => G | undefined): Generator<G> {
  const seen = new Set<string>();
  const queue = [...start].reverse();
  while (queue.length) {
    const g = queue.pop()!;
    if (seen.has(g.id)) continue;
    seen.add(g.id);
    yield g;
    const nested = g.nestedGroupIds;
    if (!nested) continue;
    for (let i = nested.length - 1; i >= 0; i--) {
      const n = byId(nested[i]!);
      if (n && !seen.has(n.id)) queue.push(n);
    }
  }
}
