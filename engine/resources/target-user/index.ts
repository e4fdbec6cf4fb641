// targetUser: the target user object (member created, guest created, or matched and adopted),
// written with the mapped attributes. Deleted only when spec.prune and only if t2t created it.
import type { InventoryUser } from '../../inventory/model.js';
import { normAddress, userAttribute } from '../../matching/normalize.js';
import { change, levelFor } from '../change.js';
import type { JsonObject, ResourceChange, ResourceKind, UserRef } from '../types.js';
import { mapAttributes } from './attributes.js';

export interface TargetUserDesired {
  readonly ref: UserRef;
  readonly createAs: 'member' | 'guest';
  readonly attributes: Readonly<Record<string, string | null>>;
  readonly usageLocation: string | null;
}

export interface TargetUserActual {
  readonly ref: UserRef;
  readonly user: InventoryUser;
  readonly createdByT2t: boolean;
}

/** Addresses compare case-insensitively; everything else exactly. */
const ADDRESS_ATTRIBUTES = new Set(['userPrincipalName', 'mail']);

function same(name: string, a: string | null, b: string | null): boolean {
  if (a === null || b === null) return a === b;
  return ADDRESS_ATTRIBUTES.has(name) ? normAddress(a) === normAddress(b) : a === b;
}

/** The attributes to write and their current values; null when every attribute already holds
 *  (the common case: nothing is allocated for it). */
function diffAttributes(d: TargetUserDesired, u: InventoryUser): { set: JsonObject; previous: JsonObject } | null {
  let set: JsonObject | null = null;
  let previous: JsonObject | null = null;
  const attrs = d.attributes;
  // for-in, not Object.keys: no array per call (twice per user of a plan); attrs is a plain
  // object from mapAttributes, with nothing enumerable inherited
  for (const name in attrs) {
    // a guest keeps its #EXT# UPN and its mail until conversion; mailNickname is set at creation only
    if (d.createAs === 'guest' && ADDRESS_ATTRIBUTES.has(name)) continue;
    if (name === 'mailNickname') continue;
    const value = attrs[name]!;
    const current = userAttribute(u, name);
    if (value === null || same(name, value, current)) continue;
    set ??= {};
    previous ??= {};
    set[name] = value;
    previous[name] = current;
  }
  return set && previous ? { set, previous } : null;
}

export const targetUser: ResourceKind<TargetUserDesired, TargetUserActual> = {
  key: 'targetUser',
  desired(ctx, user, phase) {
    if (levelFor('targetUser', user, phase) === null) return undefined;
    return {
      ref: user.ref,
      createAs: user.profile.createAs,
      attributes: user.attributes ?? mapAttributes(ctx.project.attributes, ctx.project.domains, user.source),
      usageLocation: user.source.usageLocation,
    };
  },
  actual(_ctx, user) {
    if (!user.target) return undefined;
    return { ref: user.ref, user: user.target, createdByT2t: user.marker?.createdByT2t === true };
  },
  diff(d, a): ResourceChange[] {
    if (d && !a) {
      const attributes: JsonObject = {};
      for (const [k, v] of Object.entries(d.attributes)) if (v !== null) attributes[k] = v;
      const marker: JsonObject = {
        createdByT2t: true,
        sourceTenant: d.ref.sourceTenant,
        sourceUserId: d.ref.sourceUserId,
        wave: d.ref.wave,
      };
      if (d.createAs === 'guest') {
        return [
          change({
            resource: 'targetUser',
            op: 'targetUser.createGuest',
            action: 'create',
            reversibility: 'reversible',
            tenant: d.ref.targetTenant,
            summary: `create guest for ${d.ref.sourceAddress} (no invitation sent)`,
            params: {
              attributes,
              invitedUserDisplayName: d.ref.displayName,
              invitedUserEmailAddress: d.ref.sourceAddress,
              marker,
              sendInvitationMessage: false,
              usageLocation: d.usageLocation,
            },
            inverseOp: 'targetUser.delete',
          }),
        ];
      }
      return [
        change({
          resource: 'targetUser',
          op: 'targetUser.create',
          action: 'create',
          reversibility: 'reversible',
          tenant: d.ref.targetTenant,
          summary: `create user ${d.attributes['userPrincipalName']}`,
          params: {
            accountEnabled: true,
            attributes,
            displayName: d.attributes['displayName'] ?? d.ref.displayName,
            mailNickname: d.attributes['mailNickname']!,
            marker,
            usageLocation: d.usageLocation,
            userPrincipalName: d.attributes['userPrincipalName']!,
          },
          inverseOp: 'targetUser.delete',
        }),
      ];
    }
    if (d && a) {
      const diff = diffAttributes(d, a.user);
      if (!diff) return [];
      const { set, previous } = diff;
      const names = Object.keys(set);
      return [
        change({
          resource: 'targetUser',
          op: 'targetUser.update',
          action: 'update',
          reversibility: 'reversible',
          tenant: d.ref.targetTenant,
          summary: `update user ${a.user.userPrincipalName} (${names.join(', ')})`,
          params: { previous, set, userId: a.user.id, userPrincipalName: a.user.userPrincipalName },
          inverseOp: 'targetUser.update',
        }),
      ];
    }
    if (!d && a && a.createdByT2t) {
      return [
        change({
          resource: 'targetUser',
          op: 'targetUser.delete',
          action: 'delete',
          reversibility: 'one-way',
          tenant: a.ref.targetTenant,
          summary: `delete user ${a.user.userPrincipalName}`,
          params: { userId: a.user.id, userPrincipalName: a.user.userPrincipalName },
          inverseOp: null,
        }),
      ];
    }
    return [];
  },
  satisfied(d, a) {
    return a !== undefined && diffAttributes(d, a.user) === null;
  },
  describe(a) {
    return `target user ${a.user.userPrincipalName}${a.createdByT2t ? '' : ' (adopted, not created by t2t: never deleted)'}`;
  },
};
