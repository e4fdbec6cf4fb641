// What the tenants show about one migrated user, read through the emulator's Graph and Exchange
// APIs (never through t2t), so apply tests check effects, not t2t's opinion of them.
import type { RunningEmulator } from '../helpers/emulator.js';
import { exchangeInvoke, rawRequest } from '../helpers/graph.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
export type Obj = Record<string, any>;

/** Reads retried on the faults a test may inject (5xx, 429). */
async function retried<T extends { status: number }>(send: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    const r = await send();
    if ((r.status < 500 && r.status !== 429) || i >= 10) return r;
    await new Promise((res) => setTimeout(res, 50));
  }
}

export async function graphGet(emu: RunningEmulator, tenant: string, path: string): Promise<Obj | undefined> {
  const r = await retried(() => rawRequest(emu, tenant, 'GET', path));
  if (r.status === 404) return undefined;
  if (r.status !== 200) throw new Error(`GET ${path} in ${tenant}: ${r.status} ${r.text}`);
  return r.body as Obj;
}

export async function cmdlet(emu: RunningEmulator, tenant: string, name: string, params: Obj = {}): Promise<Obj[]> {
  const r = await retried(() => exchangeInvoke(emu, tenant, name, params));
  if (r.status === 404) return [];
  if (r.status !== 200) throw new Error(`${name} in ${tenant}: ${r.status} ${JSON.stringify(r.body)}`);
  return (r.body.value ?? []) as Obj[];
}

export async function userByUpn(emu: RunningEmulator, tenant: string, upn: string): Promise<Obj | undefined> {
  return graphGet(emu, tenant, `/v1.0/users/${encodeURIComponent(upn)}?$select=id,userPrincipalName,mail,displayName,jobTitle,companyName,usageLocation,userType,assignedLicenses,proxyAddresses`);
}

export async function usersWith(emu: RunningEmulator, tenant: string, filter: string): Promise<Obj[]> {
  const r = await graphGet(emu, tenant, `/v1.0/users?$filter=${encodeURIComponent(filter)}&$select=id,userPrincipalName,mail,userType`);
  return (r?.value ?? []) as Obj[];
}

export async function marker(emu: RunningEmulator, tenant: string, userId: string): Promise<Obj | undefined> {
  return graphGet(emu, tenant, `/v1.0/users/${userId}/extensions/dev.t2t.migration`);
}

export async function recipient(emu: RunningEmulator, tenant: string, identity: string): Promise<Obj | undefined> {
  return (await cmdlet(emu, tenant, 'Get-Recipient', { Identity: identity }))[0];
}

export async function contactsTagged(emu: RunningEmulator, tenant: string, tag: string): Promise<Obj[]> {
  return cmdlet(emu, tenant, 'Get-MailContact', { Filter: `CustomAttribute15 -eq '${tag}'`, ResultSize: 'Unlimited' });
}

export async function contactsTo(emu: RunningEmulator, tenant: string, address: string): Promise<Obj[]> {
  const all = await cmdlet(emu, tenant, 'Get-MailContact', { ResultSize: 'Unlimited' });
  return all.filter((c) => String(c.ExternalEmailAddress ?? '').toLowerCase() === `smtp:${address.toLowerCase()}`);
}

export async function groupMembers(emu: RunningEmulator, tenant: string, name: string): Promise<string[] | undefined> {
  const g = await graphGet(emu, tenant, `/v1.0/groups?$filter=${encodeURIComponent(`displayName eq '${name}'`)}`);
  const groups = (g?.value ?? []) as Obj[];
  if (groups.length > 1) throw new Error(`${groups.length} groups named ${name} in ${tenant}`);
  if (!groups.length) return undefined;
  const m = await graphGet(emu, tenant, `/v1.0/groups/${groups[0]!.id}/members?$select=id`);
  return ((m?.value ?? []) as Obj[]).map((x) => x.id as string);
}

export async function sentMail(emu: RunningEmulator, tenant: string): Promise<Obj[]> {
  return ((await graphGet(emu, null as unknown as string, `/_emulator/tenants/${tenant}.onmicrosoft.com/sentMail`))?.value ?? []) as Obj[];
}

export async function sentInvitations(emu: RunningEmulator, tenant: string): Promise<Obj[]> {
  return ((await graphGet(emu, null as unknown as string, `/_emulator/tenants/${tenant}/sent-invitations`))?.value ?? []) as Obj[];
}

/** Everything a cutover touches for one member user, in both tenants. */
export async function userView(emu: RunningEmulator, source: string, target: string) {
  const s = (await userByUpn(emu, 'contoso', source))!;
  const t = await userByUpn(emu, 'fabrikam', target);
  const tag = `t2t:${s.id}`;
  const targetContacts = await contactsTagged(emu, 'fabrikam', tag);
  const sourceContacts = await contactsTagged(emu, 'contoso', tag);
  return {
    source: s,
    target: t,
    marker: t ? await marker(emu, 'fabrikam', t.id) : undefined,
    targetRecipient: t ? await recipient(emu, 'fabrikam', t.id) : undefined,
    sourceMailbox: (await cmdlet(emu, 'contoso', 'Get-Mailbox', { Identity: s.id }))[0]!,
    targetContacts,
    sourceContacts,
  };
}
