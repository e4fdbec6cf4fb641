// Shared setup for the content suites: licensed users (so Exchange provisions their mailbox)
// created through the emulator's Graph API with the real Graph client, as against a real tenant.
import type { Client } from '@microsoft/microsoft-graph-client';

export const SPE_E3 = '05e9a617-0261-4cee-bb44-138d3ef5d965';

export interface TestUser {
  id: string;
  userPrincipalName: string;
}

/** Create a user; with `license`, give it SPE_E3 (mailbox, archive-capable, OneDrive). */
export async function createUser(client: Client, upn: string, license = true): Promise<TestUser> {
  const nick = upn.split('@')[0]!;
  const u = (await client.api('/users').post({
    accountEnabled: true,
    displayName: nick,
    mailNickname: nick,
    userPrincipalName: upn,
    usageLocation: 'US',
    passwordProfile: { password: 'Test-Passw0rd!', forceChangePasswordNextSignIn: false },
  })) as TestUser;
  if (license) await client.api(`/users/${u.id}/assignLicense`).post({ addLicenses: [{ skuId: SPE_E3, disabledPlans: [] }], removeLicenses: [] });
  return u;
}

/** Run a promise that must fail with a Graph error; returns its statusCode and code. */
export async function graphFailure(p: Promise<unknown>): Promise<{ statusCode: number; code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    const err = e as { statusCode?: number; code?: string; message?: string };
    return { statusCode: err.statusCode ?? 0, code: err.code ?? '', message: err.message ?? '' };
  }
  throw new Error('expected the Graph call to fail');
}
