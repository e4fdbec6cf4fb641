// Every resource kind, in evaluation order. Adding a kind: one folder, one line here, one row in
// phase-table.ts.
import { contentSync } from './content-sync/index.js';
import { groupMembership } from './group-membership/index.js';
import { guestConversion } from './guest-conversion/index.js';
import { guestInvitation } from './guest-invitation/index.js';
import { license } from './license/index.js';
import { mailUser } from './mail-user/index.js';
import { marker } from './marker/index.js';
import { notification } from './notification/index.js';
import { rewriteMembership } from './rewrite-membership/index.js';
import { serviceAccountCleanup } from './service-account-cleanup/index.js';
import { sourceContact } from './source-contact/index.js';
import { sourceForwarding } from './source-forwarding/index.js';
import { sourceVisibility } from './source-visibility/index.js';
import { targetContact } from './target-contact/index.js';
import { targetForwarding } from './target-forwarding/index.js';
import { targetUser } from './target-user/index.js';
import { targetVisibility } from './target-visibility/index.js';
import type { ResourceKind, ResourceName } from './types.js';
import { x500Addresses } from './x500-addresses/index.js';

export const RESOURCE_KINDS: readonly ResourceKind[] = [
  targetUser,
  guestInvitation,
  guestConversion,
  mailUser,
  targetVisibility,
  targetContact,
  groupMembership,
  rewriteMembership,
  license,
  targetForwarding,
  contentSync,
  x500Addresses,
  sourceVisibility,
  sourceForwarding,
  sourceContact,
  notification,
  serviceAccountCleanup,
  marker,
];

export const RESOURCE_BY_NAME: ReadonlyMap<ResourceName, ResourceKind> = new Map(RESOURCE_KINDS.map((k) => [k.key, k]));
