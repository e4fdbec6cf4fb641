// license: from the first sync on, the target user holds one SKU of its profile: the first listed
// SKU with a free unit (list the cheapest first). Units this plan already gives to earlier users
// count as taken, so a plan never over-assigns. No free unit: the user is Blocked (NoFreeLicense).
import { change, levelFor, targetIdentity } from '../change.js';
import type { ResourceKind, UserRef } from '../types.js';
import type { LicensePick } from './license-pool.js';

export interface LicenseDesired {
  readonly ref: UserRef;
  /** The profile's SKUs, in order. */
  readonly skus: readonly string[];
  /** The SKU this plan assigns (plan mode, none assigned yet). */
  readonly pick?: LicensePick;
  readonly blocked?: { readonly reason: string; readonly message: string };
  readonly usageLocation: string | null;
}

export interface LicenseActual {
  readonly ref: UserRef;
  /** Profile SKUs the user holds (part numbers). */
  readonly assigned: readonly { skuId: string; skuPartNumber: string }[];
  /** Of those, the ones t2t assigned (all of them for a user t2t created; for an adopted user,
   *  those its marker records): the only ones a rollback removes. */
  readonly byT2t: readonly { skuId: string; skuPartNumber: string }[];
}

/** The profile's SKU part numbers in upper case, per profile list (the same array every user). */
const wantedCache = new WeakMap<readonly string[], ReadonlySet<string>>();
function wantedSkus(skus: readonly string[]): ReadonlySet<string> {
  let w = wantedCache.get(skus);
  if (!w) wantedCache.set(skus, (w = new Set(skus.map((s) => s.toUpperCase()))));
  return w;
}

export const license: ResourceKind<LicenseDesired, LicenseActual> = {
  key: 'license',
  desired(ctx, user, phase) {
    const skus = user.profile.license?.skus;
    if (levelFor('license', user, phase) === null || !skus || skus.length === 0) return undefined;
    const base = { ref: user.ref, skus, usageLocation: user.target?.usageLocation ?? user.source.usageLocation };
    if (ctx.mode === 'observe') return base;
    const wanted = wantedSkus(skus);
    for (const id of user.target?.assignedSkuIds ?? []) {
      const s = user.targetIndex.skuById.get(id);
      if (s && wanted.has(s.skuPartNumber.toUpperCase())) return base; // already holds one
    }
    const pick = ctx.licenses.allocate(skus);
    if (pick) return { ...base, pick };
    return {
      ...base,
      blocked: { reason: 'NoFreeLicense', message: `no free units of ${skus.join(' or ')} in ${user.ref.targetTenant}` },
    };
  },
  actual(_ctx, user) {
    const skus = user.profile.license?.skus;
    if (!user.target || !skus) return undefined;
    if (user.target.assignedSkuIds.length === 0) return undefined;
    const wanted = wantedSkus(skus);
    const assigned: { skuId: string; skuPartNumber: string }[] = [];
    for (const id of user.target.assignedSkuIds) {
      const s = user.targetIndex.skuById.get(id);
      if (s && wanted.has(s.skuPartNumber.toUpperCase())) assigned.push({ skuId: s.skuId, skuPartNumber: s.skuPartNumber });
    }
    if (assigned.length === 0) return undefined;
    const marker = user.marker;
    const mine = marker?.licensesAssigned;
    const byT2t = marker?.createdByT2t === true ? assigned : mine?.length ? assigned.filter((s) => mine.some((id) => id.toLowerCase() === s.skuId.toLowerCase())) : [];
    return { ref: user.ref, assigned, byT2t };
  },
  diff(d, a) {
    if (d && !a) {
      if (!d.pick) return []; // observe mode, or blocked: no change can be planned
      return [
        change({
          resource: 'license',
          op: 'license.assign',
          action: 'create',
          reversibility: 'reversible',
          tenant: d.ref.targetTenant,
          summary: `assign licence ${d.pick.skuPartNumber} to ${d.ref.targetShown}`,
          params: { identity: targetIdentity(d.ref), skuId: d.pick.skuId, skuPartNumber: d.pick.skuPartNumber, usageLocation: d.usageLocation },
          inverseOp: 'license.remove',
        }),
      ];
    }
    // only what t2t assigned is removed: an adopted user keeps its own licences (and mailbox)
    if (!d && a && a.byT2t.length) {
      return [
        change({
          resource: 'license',
          op: 'license.remove',
          action: 'delete',
          // the mailbox and OneDrive go with the licence after Microsoft's grace period
          reversibility: 'compensable',
          tenant: a.ref.targetTenant,
          summary: `remove licence ${a.byT2t.map((s) => s.skuPartNumber).join(', ')} from ${a.ref.targetShown}`,
          params: { identity: targetIdentity(a.ref), skuIds: a.byT2t.map((s) => s.skuId) },
          inverseOp: 'license.assign',
        }),
      ];
    }
    return [];
  },
  satisfied(_d, a) {
    return a !== undefined;
  },
  blocked(d) {
    return d.blocked;
  },
  describe(a) {
    return `licence ${a.assigned.map((s) => s.skuPartNumber).join(', ')} of ${a.ref.targetAddress}`;
  },
};
