// The migration scope of a source tenant: the users that are members of some wave, by address
// (UPN, mail or any smtp proxy address, from the manifest or the wave's CSV) or through a source
// group (display name or mail), nested groups included. Content sizes are read for these only.
import type { Project } from '../manifest/model.js';
import type { InventoryUser } from '../inventory/model.js';
import { groupClosure } from '../matching/group-closure.js';
import type { CachedGroup } from './group-record.js';
import { userAddresses } from './user-properties.js';

export interface WaveScope {
  /** Source user ids in some wave. */
  readonly userIds: Set<string>;
  /** Addresses and group names of the manifests this tenant resolved (lower case). */
  readonly resolved: Set<string>;
}

export function waveAddresses(project: Project): Set<string> {
  const out = new Set<string>();
  for (const w of project.waves) for (const a of [...w.members.users, ...w.members.csvUsers]) out.add(a.trim().toLowerCase());
  return out;
}

export function waveGroupNames(project: Project): Set<string> {
  const out = new Set<string>();
  for (const w of project.waves) for (const g of w.members.groups) out.add(g.trim().toLowerCase());
  return out;
}

export function resolveWaveScope(project: Project, users: Iterable<InventoryUser>, groups: Iterable<CachedGroup>): WaveScope {
  const addresses = waveAddresses(project);
  const groupNames = waveGroupNames(project);
  const userIds = new Set<string>();
  const resolved = new Set<string>();
  if (addresses.size) {
    for (const u of users) {
      for (const a of userAddresses(u)) {
        if (addresses.has(a)) {
          userIds.add(u.id);
          resolved.add(a);
        }
      }
    }
  }
  if (groupNames.size) {
    const byId = new Map<string, CachedGroup>();
    const start: CachedGroup[] = [];
    for (const g of groups) {
      byId.set(g.id, g);
      const names = [g.displayName.toLowerCase(), g.mail?.toLowerCase()].filter((n): n is string => !!n);
      const hit = names.find((n) => groupNames.has(n));
      if (hit) {
        start.push(g);
        resolved.add(hit);
      }
    }
    for (const g of groupClosure(start, (id) => byId.get(id))) for (const id of g.memberIds) userIds.add(id);
  }
  return { userIds, resolved };
}
