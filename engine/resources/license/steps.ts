// Steps of license: assign one SKU of the profile (usage location first), remove t2t's SKUs.
// The planner picks the SKU; when that SKU has no free unit any more (someone else took it since
// discovery), subscribedSkus is read again and the next SKU of the profile with a free unit is
// used; none left: the user is Blocked (NoFreeLicense).
import { BlockedError, getUser, need, readEventually, str, strings, targetUserId, type GraphUser } from '../../apply/step-kit.js';
import type { StepContext, StepMap } from '../../apply/step-types.js';
import { mergeMarker } from '../../apply/marker-store.js';
import type { MarkerData } from '../../inventory/marker-codec.js';

interface Sku {
  skuId: string;
  skuPartNumber: string;
  consumedUnits: number;
  prepaidUnits: { enabled: number };
}

const NO_UNITS = /(available|enough|sufficient) licen[cs]es|does not have any available|CountViolation|quota/i;

async function assign(ctx: StepContext) {
  const id = await targetUserId(ctx);
  ctx.user.recipient = undefined; // a licence turns the mail user into a mailbox
  const profileSkus = ctx.profile?.license?.skus ?? [need(ctx, 'skuPartNumber')];
  const skus = (await ctx.tenant.graph.get<{ value: Sku[] }>('/subscribedSkus')).value ?? [];
  const byPart = new Map(skus.map((s) => [s.skuPartNumber.toUpperCase(), s]));
  const wantedIds = new Set(profileSkus.map((p) => byPart.get(p.toUpperCase())?.skuId.toLowerCase()).filter(Boolean));
  wantedIds.add(need(ctx, 'skuId').toLowerCase());
  const user = (await readEventually(ctx, () => getUser(ctx, id))) as GraphUser | undefined;
  const held = (user?.assignedLicenses ?? []).find((l) => wantedIds.has(l.skuId.toLowerCase()));
  if (held) return { note: `already holds ${skus.find((s) => s.skuId.toLowerCase() === held.skuId.toLowerCase())?.skuPartNumber ?? held.skuId}` };
  if (user && !user.usageLocation) {
    const location = str(ctx.change.params, 'usageLocation');
    if (!location) {
      throw new BlockedError('NoUsageLocation', `${ctx.change.user}: the target user has no usageLocation, which a licence needs`, 'map usageLocation in spec.attributes (for example { target: usageLocation, value: US })');
    }
    await ctx.tenant.graph.patch(`/users/${encodeURIComponent(id)}`, { usageLocation: location });
  }
  // the planner's pick first, then the profile's order
  const order = [need(ctx, 'skuPartNumber'), ...profileSkus.filter((p) => p.toUpperCase() !== need(ctx, 'skuPartNumber').toUpperCase())];
  let fresh = skus;
  for (let i = 0; i < order.length; i++) {
    const sku = new Map(fresh.map((s) => [s.skuPartNumber.toUpperCase(), s])).get(order[i]!.toUpperCase());
    if (!sku) continue;
    if (i > 0 && sku.prepaidUnits.enabled - sku.consumedUnits <= 0) continue;
    try {
      await ctx.tenant.graph.post(
        `/users/${encodeURIComponent(id)}/assignLicense`,
        { addLicenses: [{ skuId: sku.skuId, disabledPlans: [] }], removeLicenses: [] },
        { safe: true, object: `licence ${sku.skuPartNumber} of ${ctx.change.user}` },
      );
      // recorded, so that a rollback removes only what t2t assigned; a crash before the record
      // leaves the licence unrecorded: kept by a rollback, never removed by mistake
      await mergeMarker(ctx, id, (m) => {
        const had = skuIdsOf(m);
        return had.includes(sku.skuId.toLowerCase()) ? undefined : { licensesAssigned: [...had, sku.skuId.toLowerCase()] };
      });
      return { note: `assigned ${sku.skuPartNumber}` };
    } catch (e) {
      if (!NO_UNITS.test((e as Error).message)) throw e;
      ctx.log('license.noUnits', { sku: sku.skuPartNumber });
      fresh = (await ctx.tenant.graph.get<{ value: Sku[] }>('/subscribedSkus')).value ?? [];
    }
  }
  throw new BlockedError(
    'NoFreeLicense',
    `no free units of ${profileSkus.join(' or ')} in ${ctx.tenant.name}`,
    "buy more units, free some, or list another SKU in the profile's license.skus",
  );
}

async function remove(ctx: StepContext) {
  const id = await targetUserId(ctx);
  ctx.user.recipient = undefined;
  const remove = strings(ctx.change.params, 'skuIds').map((s) => s.toLowerCase());
  const user = await getUser(ctx, id);
  const held = (user?.assignedLicenses ?? []).map((l) => l.skuId.toLowerCase()).filter((s) => remove.includes(s));
  if (!held.length) return { note: 'no such licence held' };
  await ctx.tenant.graph.post(`/users/${encodeURIComponent(id)}/assignLicense`, { addLicenses: [], removeLicenses: held }, { safe: true });
  // no longer t2t's: a licence assigned again by hand later is the tenant's own
  await mergeMarker(ctx, id, (m) => {
    const had = skuIdsOf(m);
    if (!had.some((s) => held.includes(s))) return undefined;
    const left = had.filter((s) => !held.includes(s));
    return { licensesAssigned: left.length ? left : null };
  });
  return { note: `removed ${held.length} licence${held.length === 1 ? '' : 's'}` };
}

/** The SKU ids the marker records t2t assigned, lower case. */
function skuIdsOf(marker: MarkerData | undefined): string[] {
  const v = marker?.['licensesAssigned'];
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string').map((s) => s.toLowerCase()) : [];
}

export const licenseSteps: StepMap = { 'license.assign': assign, 'license.remove': remove };
