// Steps of targetUser: create a member (POST /users), create a guest (POST /invitations without
// sending the invitation), update the mapped attributes, delete (prune only). A member create is
// planned only when discovery (run just before apply) found no such user, so it posts at once; the
// UPN is unique, so a user that exists after all (replication lag, a lost answer) answers "already
// exists" and is looked up and adopted, and after a failure whose outcome is unknown it looks
// before trying again: a user is never created twice.
import { TenantError } from '../../errors.js';
import { markerKnownAbsent, mergeMarker, readMarker } from '../../apply/marker-store.js';
import {
  getUser, isAlreadyExists, isDryRunId, isUncertain, need, randomPassword, readEventually, sleep, str, targetUserId, type GraphUser,
} from '../../apply/step-kit.js';
import type { StepContext, StepMap } from '../../apply/step-types.js';
import type { JsonObject } from '../types.js';

/** Properties POST/PATCH /users accept from the attribute mapping (addresses handled apart). */
const NOT_PATCHABLE = new Set(['id', 'proxyAddresses', 'userType', 'createdDateTime', 'assignedLicenses']);

function attributeBody(params: JsonObject, skip: readonly string[] = []): Record<string, unknown> {
  const a = (params['attributes'] ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(a)) {
    if (v === null || v === undefined || NOT_PATCHABLE.has(k) || skip.includes(k)) continue;
    out[k] = v;
  }
  return out;
}

/** The marker fields a create stamps at once, so the user is recognised as t2t's even after a crash. */
function createMarker(ctx: StepContext, adopted: boolean): Record<string, unknown> {
  const m = (ctx.change.params['marker'] ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = { sourceTenant: m['sourceTenant'], sourceUserId: m['sourceUserId'], wave: m['wave'] ?? ctx.change.wave };
  if (!adopted && m['createdByT2t'] === true) out['createdByT2t'] = true;
  return out;
}

/** Refuse to adopt a user that carries another source user's marker. */
async function checkNotForeign(ctx: StepContext, u: GraphUser): Promise<void> {
  const m = await readMarker(ctx, u.id);
  const mine = (ctx.change.params['marker'] ?? {}) as Record<string, unknown>;
  if (m?.sourceUserId && m.sourceUserId !== mine['sourceUserId']) {
    throw new TenantError(
      `tenant '${ctx.tenant.name}': ${u.userPrincipalName} already exists and carries the marker of another source user (${m.sourceTenant}:${m.sourceUserId})`,
      'apply.markerConflict',
      { tenant: ctx.tenant.name, object: `user ${u.userPrincipalName}` },
      'change the attribute mapping of userPrincipalName, or remove the other migration marker',
    );
  }
}

async function createMember(ctx: StepContext) {
  const p = ctx.change.params;
  const upn = need(ctx, 'userPrincipalName');
  let user: GraphUser | undefined;
  let adopted = false;
  for (let attempt = 1; !user; attempt++) {
    const body: Record<string, unknown> = {
      ...attributeBody(p, ['userPrincipalName', 'mailNickname', 'displayName']),
      accountEnabled: p['accountEnabled'] !== false,
      displayName: need(ctx, 'displayName'),
      mailNickname: need(ctx, 'mailNickname'),
      userPrincipalName: upn,
      passwordProfile: { forceChangePasswordNextSignIn: true, password: randomPassword() },
    };
    if (str(p, 'usageLocation') && body['usageLocation'] === undefined) body['usageLocation'] = p['usageLocation'];
    try {
      user = await ctx.tenant.graph.post<GraphUser>('/users', body, { object: `user ${upn}` });
    } catch (e) {
      if (!isAlreadyExists(e) && !(isUncertain(e) && attempt < 3)) throw e;
      // created by an attempt whose answer was lost, or by a read that missed it: find it
      user = await readEventually(ctx, () => getUser(ctx, upn));
      if (!user && isAlreadyExists(e)) throw e;
      if (user) adopted = isAlreadyExists(e) && attempt === 1;
      else await sleep(200 * attempt, ctx.signal);
    }
  }
  if (adopted) await checkNotForeign(ctx, user);
  // created by this attempt or an earlier attempt of this step, seconds ago: it has no marker yet
  else markerKnownAbsent(ctx);
  ctx.user.targetUserId = user.id;
  if (isDryRunId(user.id)) ctx.user.dryRunUser = { ...user };
  await mergeMarker(ctx, user.id, createMarker(ctx, adopted));
  return { note: adopted ? `adopted existing user ${user.userPrincipalName}` : `created user ${upn}` };
}

async function findGuest(ctx: StepContext, address: string): Promise<GraphUser | undefined> {
  const page = await ctx.tenant.graph.get<{ value: GraphUser[] }>(
    `/users?$filter=mail eq '${address.replace(/'/g, "''")}'&$select=id,userPrincipalName,mail,userType`,
  );
  return page.value?.[0];
}

async function createGuest(ctx: StepContext) {
  const p = ctx.change.params;
  const address = need(ctx, 'invitedUserEmailAddress');
  let user = isDryRunId(ctx.user.targetUserId) ? undefined : await findGuest(ctx, address);
  const adopted = !!user;
  if (!user) {
    // POST /invitations answers with the existing guest for an address already invited: safe to repeat
    const r = await ctx.tenant.graph.post<{ invitedUser?: { id: string } }>(
      '/invitations',
      {
        invitedUserEmailAddress: address,
        invitedUserDisplayName: str(p, 'invitedUserDisplayName') ?? address,
        inviteRedirectUrl: ctx.profile?.guestInvite?.redirectUrl ?? 'https://myapplications.microsoft.com',
        invitedUserType: 'Guest',
        sendInvitationMessage: false,
      },
      { safe: true, object: `invitation of ${address}` },
    );
    const id = r.invitedUser?.id;
    if (!id) throw new TenantError(`tenant '${ctx.tenant.name}': the invitation of ${address} returned no user`, 'apply.invitationNoUser', { tenant: ctx.tenant.name, object: address }, 'run apply again: it looks the guest up by its address before inviting again');
    user = { id, userPrincipalName: address };
  } else {
    await checkNotForeign(ctx, user);
  }
  ctx.user.targetUserId = user.id;
  // a guest keeps its #EXT# UPN and mail until conversion; the other mapped attributes now
  const set = attributeBody(p, ['userPrincipalName', 'mail', 'mailNickname']);
  if (str(p, 'usageLocation') && set['usageLocation'] === undefined) set['usageLocation'] = p['usageLocation'];
  await patchDiffering(ctx, user.id, set);
  await mergeMarker(ctx, user.id, createMarker(ctx, adopted));
  return { note: adopted ? `adopted existing guest ${address}` : `created guest for ${address} (no invitation sent)` };
}

/** PATCH only the properties whose current value differs (check, then act). */
async function patchDiffering(ctx: StepContext, userId: string, set: Record<string, unknown>): Promise<string[]> {
  const names = Object.keys(set);
  if (!names.length) return [];
  const current = isDryRunId(userId) ? undefined : await readEventually(ctx, () => getUser(ctx, userId, ['id', ...names].join(',')));
  const body: Record<string, unknown> = {};
  for (const n of names) {
    const have = current?.[n];
    const want = set[n];
    const equal = typeof have === 'string' && typeof want === 'string' && (n === 'userPrincipalName' || n === 'mail') ? have.toLowerCase() === want.toLowerCase() : have === want;
    if (!equal) body[n] = want;
  }
  if (Object.keys(body).length) await ctx.tenant.graph.patch(`/users/${encodeURIComponent(userId)}`, body, { object: `user ${userId}` });
  return Object.keys(body);
}

async function update(ctx: StepContext) {
  const id = await targetUserId(ctx, str(ctx.change.params, 'userId'));
  const changed = await patchDiffering(ctx, id, (ctx.change.params['set'] ?? {}) as Record<string, unknown>);
  return { note: changed.length ? `updated ${changed.join(', ')}` : 'attributes already as desired' };
}

async function remove(ctx: StepContext) {
  const id = need(ctx, 'userId');
  const u = await getUser(ctx, id, 'id');
  if (!u) return { note: 'already deleted' };
  await ctx.tenant.graph.delete(`/users/${encodeURIComponent(id)}`, { object: `user ${str(ctx.change.params, 'userPrincipalName') ?? id}` });
  return { note: 'deleted' };
}

export const targetUserSteps: StepMap = {
  'targetUser.create': createMember,
  'targetUser.createGuest': createGuest,
  'targetUser.update': update,
  'targetUser.delete': remove,
};
