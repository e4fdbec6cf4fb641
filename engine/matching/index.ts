// Matching: wave members -> source users -> target objects (issue 4, "matching").
export { normAddress, smtpOf, userAddresses, primarySmtp, userAttribute, localPart, domainOf } from './normalize.js';
export { mapDomain } from './map-domain.js';
export { indexTenant, contactTag, CONTACT_TAG_PREFIX, type TenantIndex } from './tenant-index.js';
export {
  expandWaveMembers,
  excludedUserKeys,
  type ExpandedWave,
  type WaveMember,
  type UnresolvedAddress,
  type SourceTenantIndex,
} from './expand-members.js';
export { matchUser, guestKey, ruleName, type MatchResult, type MatchStatus, type MatchOptions } from './match-user.js';
