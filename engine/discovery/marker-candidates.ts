// Which target users a delta discovery re-reads the marker of. A marker is written by apply,
// which does not always change the user object itself, so the users delta alone cannot tell.
// Candidates: users added or changed in this run, users that had a marker (it may have changed or
// gone), and users that can pair with a wave member of a source tenant: by a mapped address
// (UPN, mail, smtp proxies with the project's domain mapping) or by a matching rule's value.
// The cost is proportional to the migration scope, not to the size of the target tenant.
import type { Project } from '../manifest/model.js';
import type { InventoryUser } from '../inventory/model.js';
import { userAddresses } from './user-properties.js';

export function userValue(u: InventoryUser, name: string): string | null {
  switch (name) {
    case 'id':
    case 'userPrincipalName':
    case 'mail':
    case 'displayName':
    case 'usageLocation':
    case 'externalUserState':
    case 'userType':
      return (u[name] as string | null) ?? null;
    default:
      return u.attributes[name] ?? null;
  }
}

export function mapDomain(address: string, project: Project): string {
  const at = address.lastIndexOf('@');
  if (at < 0) return address;
  const domain = address.slice(at + 1).toLowerCase();
  const m = project.domains.find((d) => d.source === domain);
  return m ? `${address.slice(0, at)}@${m.target}` : address;
}

export function markerCandidates(
  project: Project,
  targetUsers: Iterable<InventoryUser>,
  changed: Iterable<string>,
  waveMembers: Iterable<InventoryUser>,
): Set<string> {
  const out = new Set<string>(changed);
  const addresses = new Set<string>();
  const ruleValues = project.matching.map(() => new Set<string>());
  for (const s of waveMembers) {
    for (const a of userAddresses(s)) {
      addresses.add(mapDomain(a, project).toLowerCase());
      addresses.add(a);
    }
    project.matching.forEach((rule, i) => {
      if (rule.source === 'proxyAddresses') return; // covered by the addresses above
      const v = userValue(s, rule.source);
      if (v) ruleValues[i]!.add((rule.mapDomain ? mapDomain(v, project) : v).toLowerCase());
    });
  }
  for (const t of targetUsers) {
    if (t.marker) {
      out.add(t.id);
      continue;
    }
    if (userAddresses(t).some((a) => addresses.has(a))) {
      out.add(t.id);
      continue;
    }
    for (let i = 0; i < project.matching.length; i++) {
      const v = userValue(t, project.matching[i]!.target);
      if (v && ruleValues[i]!.has(v.toLowerCase())) {
        out.add(t.id);
        break;
      }
    }
  }
  return out;
}
