// Builds the per-user context the resource kinds read: the matched pair, their recipients, the
// marker and the addresses changes are described with. References only, no copies.
import type { Profile, Project, Wave } from '../manifest/model.js';
import type { InventoryUser } from '../inventory/model.js';
import type { MatchResult } from '../matching/match-user.js';
import { localPart, normAddress, primarySmtp } from '../matching/normalize.js';
import type { TenantIndex } from '../matching/tenant-index.js';
import { mapAttributes } from '../resources/target-user/attributes.js';
import { guestTarget } from '../resources/change.js';
import type { UserContext, UserRef } from '../resources/types.js';

export function buildUserContext(
  project: Project,
  wave: Wave,
  profile: Profile,
  match: MatchResult,
  sourceIndex: TenantIndex,
  targetName: string,
  targetIndex: TenantIndex,
): UserContext {
  const source = match.source;
  const target: InventoryUser | undefined = match.target;
  const attributes = mapAttributes(project.attributes, project.domains, source);
  const mappedUpn = normAddress(attributes['userPrincipalName'] ?? source.userPrincipalName);
  const member = target && target.userType === 'Member';
  const sourceAddress = primarySmtp(source);
  const targetAddress = member ? normAddress(target.userPrincipalName) : mappedUpn;
  // a B2B guest to create, or created and not converted yet, that this plan does not convert (at
  // synced the conversion comes before every other step on the user): see UserRef.targetShown
  const guest = guestTarget(profile, target) && (wave.phase === 'discovered' || wave.phase === 'prepared');
  const ref: UserRef = {
    wave: wave.name,
    sourceTenant: match.sourceTenant,
    targetTenant: targetName,
    sourceUserId: source.id,
    sourceAddress,
    targetUserId: target?.id ?? null,
    targetAddress,
    targetMail: member && target.mail ? normAddress(target.mail) : normAddress(attributes['mail'] ?? mappedUpn),
    targetShown: guest ? `guest ${sourceAddress}` : targetAddress,
    displayName: source.displayName ?? localPart(source.userPrincipalName),
  };
  // one literal, no temporary spreads: this runs once per user of a 100,000-user plan
  return {
    ref,
    wave,
    profile,
    source,
    target,
    marker: target?.marker,
    sourceIndex,
    targetIndex,
    sourceMailbox: sourceIndex.recipientByUserId.get(source.id),
    targetRecipient: target ? targetIndex.recipientByUserId.get(target.id) : undefined,
    content: sourceIndex.tenant.content.get(source.id),
    targetContact: targetIndex.contactBySourceUser.get(source.id),
    sourceContact: sourceIndex.contactBySourceUser.get(source.id),
    attributes,
  } as UserContext;
}
