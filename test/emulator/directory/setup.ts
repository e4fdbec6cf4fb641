// Shared by the directory suites: create users through the real Graph client.
import type { Client } from '@microsoft/microsoft-graph-client';

export interface CreatedUser {
  id: string;
  userPrincipalName: string;
}

export async function createUser(c: Client, upn: string, extra: Record<string, unknown> = {}): Promise<CreatedUser> {
  const nick = upn.split('@')[0]!;
  return (await c.api('/users').post({
    accountEnabled: true,
    displayName: nick,
    mailNickname: nick,
    userPrincipalName: upn,
    passwordProfile: { password: 'P@ssw0rd-test', forceChangePasswordNextSignIn: false },
    ...extra,
  })) as CreatedUser;
}

/** Follow @odata.nextLink to the end and return every value. */
export async function allPages<T = Record<string, unknown>>(c: Client, first: { value: T[]; '@odata.nextLink'?: string }): Promise<T[]> {
  const out = [...first.value];
  let next = first['@odata.nextLink'];
  while (next) {
    const page = (await c.api(next).get()) as { value: T[]; '@odata.nextLink'?: string };
    out.push(...page.value);
    next = page['@odata.nextLink'];
  }
  return out;
}
