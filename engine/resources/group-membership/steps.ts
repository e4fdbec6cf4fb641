// Steps of groupMembership (and rewriteMembership, which shares them): create a mapped group once
// (found by display name first), add the user to it, remove it. Adding a member that is already
// one is adopted (Graph answers 400 "already exist"); removing one that is gone is done.
import { TenantError } from '../../errors.js';
import type { TenantClient } from '../../tenant/client.js';
import { isAlreadyExists, isDryRunId, isGuid, isNotFound, isUncertain, need, readEventually, sleep, str, targetUserId } from '../../apply/step-kit.js';
import type { StepContext, StepMap } from '../../apply/step-types.js';

interface Group {
  id: string;
  displayName: string;
}

const groupKey = (tenant: string, name: string) => `${tenant}|${name.toLowerCase()}`;

async function findGroup(client: TenantClient, name: string): Promise<Group | undefined> {
  const page = await client.graph.get<{ value: Group[] }>(`/groups?$filter=displayName eq '${name.replace(/'/g, "''")}'&$select=id,displayName`);
  return (page.value ?? []).find((g) => g.displayName.toLowerCase() === name.toLowerCase());
}

/** A mailNickname Graph accepts, from a display name. */
export function nickname(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '').slice(0, 56) || 'group';
}

async function createGroup(ctx: StepContext) {
  const name = need(ctx, 'displayName');
  const key = groupKey(ctx.tenant.name, name);
  let g = await findGroup(ctx.tenant, name);
  let note = `adopted existing group ${name}`;
  for (let attempt = 1; !g; attempt++) {
    try {
      g = await ctx.tenant.graph.post<Group>(
        '/groups',
        { displayName: name, mailNickname: nickname(name), mailEnabled: ctx.change.params['mailEnabled'] === true, securityEnabled: ctx.change.params['securityEnabled'] !== false },
        { object: `group ${name}` },
      );
      note = `created group ${name}`;
    } catch (e) {
      if (!isUncertain(e) || attempt >= 3) throw e;
      g = await readEventually(ctx, () => findGroup(ctx.tenant, name));
      if (!g) await sleep(200 * attempt, ctx.signal);
    }
  }
  ctx.run.groups.set(key, g.id);
  return { note };
}

async function groupId(ctx: StepContext): Promise<string> {
  const known = str(ctx.change.params, 'groupId');
  if (known) return known;
  const name = need(ctx, 'groupName');
  const key = groupKey(ctx.tenant.name, name);
  const cached = ctx.run.groups.get(key);
  if (cached) return cached;
  const g = await readEventually(ctx, () => findGroup(ctx.tenant, name));
  if (!g) {
    throw new TenantError(`tenant '${ctx.tenant.name}': group ${name} does not exist`, 'apply.groupMissing', { tenant: ctx.tenant.name, object: `group ${name}`, status: 404, retryable: true }, 'run apply again; with create: false the group must be created by an administrator');
  }
  ctx.run.groups.set(key, g.id);
  return g.id;
}

async function memberId(ctx: StepContext): Promise<string> {
  const m = need(ctx, 'member');
  // the source side names the source user id; the target side the target user (id or UPN)
  if (ctx.tenant.tenant.role === 'source' || isGuid(m) || isDryRunId(m)) return m;
  return targetUserId(ctx, m);
}

async function addMember(ctx: StepContext) {
  const gid = await groupId(ctx);
  const mid = await memberId(ctx);
  try {
    await ctx.tenant.graph.post(
      `/groups/${encodeURIComponent(gid)}/members/$ref`,
      { '@odata.id': `${ctx.tenant.endpoints.graphBase}/v1.0/directoryObjects/${mid}` },
      { safe: true, object: `group ${str(ctx.change.params, 'groupName') ?? gid}` },
    );
  } catch (e) {
    if (isAlreadyExists(e)) return { note: 'already a member' };
    throw e;
  }
  return { note: `added to ${str(ctx.change.params, 'groupName') ?? gid}` };
}

async function removeMember(ctx: StepContext) {
  let gid: string;
  try {
    gid = await groupId(ctx);
  } catch (e) {
    if ((e as { code?: string }).code === 'apply.groupMissing') return { note: 'group gone: not a member' };
    throw e;
  }
  const mid = await memberId(ctx);
  try {
    await ctx.tenant.graph.delete(`/groups/${encodeURIComponent(gid)}/members/${encodeURIComponent(mid)}/$ref`, { object: `membership in ${str(ctx.change.params, 'groupName') ?? gid}` });
  } catch (e) {
    if (isNotFound(e)) return { note: 'already not a member' };
    throw e;
  }
  return { note: `removed from ${str(ctx.change.params, 'groupName') ?? gid}` };
}

async function deleteGroup(ctx: StepContext) {
  const name = need(ctx, 'displayName');
  const g = await findGroup(ctx.tenant, name);
  if (!g) return { note: 'already deleted' };
  await ctx.tenant.graph.delete(`/groups/${encodeURIComponent(g.id)}`, { object: `group ${name}` });
  ctx.run.groups.delete(groupKey(ctx.tenant.name, name));
  return { note: `deleted group ${name}` };
}

export const groupMembershipSteps: StepMap = {
  'group.create': createGroup,
  'group.delete': deleteGroup,
  'groupMembership.add': addMember,
  'groupMembership.remove': removeMember,
};
