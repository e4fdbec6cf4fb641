// B2B guests: POST /invitations creates (or finds) the guest user; POST /beta/users/{id}/
// convertExternalToInternalMemberUser turns it into a member. Invitation e-mails are not sent
// anywhere: they are recorded and readable at GET /_emulator/tenants/{tenant}/sent-invitations.
import { GraphError, badRequest, json, type EmuRequest, type EmuResponse, type Route } from '../core/http-types.js';
import { addUser, getUser, ownerOfAddress, updateUser, type DirUser } from '../store/directory-state.js';
import type { TenantState } from '../store/tenant-state.js';
import { bodyObject } from './odata.js';
import { blankUser, checkUpn, duplicateValue, userOr404 } from './users.js';

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** alice@contoso.com -> alice_contoso.com#EXT#@fabrikam.onmicrosoft.com */
export function guestUpn(t: TenantState, email: string): string {
  return `${email.replace('@', '_')}#EXT#@${t.initialDomain}`;
}

function redeemUrl(t: TenantState, userId: string): string {
  const inner = `https://invitations.microsoft.com/redeem/?tenant=${t.id}&user=${userId}&ticket=${Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString('base64url')}&ver=2.0`;
  return `https://login.microsoftonline.com/redeem?rd=${encodeURIComponent(inner)}`;
}

function createGuest(t: TenantState, email: string, displayName: string | undefined, userType: 'Guest' | 'Member', now: number): DirUser {
  const u = blankUser(t, now);
  u.userPrincipalName = guestUpn(t, email);
  if (t.directory.byUpn[u.userPrincipalName.toLowerCase()]) throw duplicateValue('userPrincipalName');
  u.mail = email;
  u.mailNickname = `${email.replace('@', '_')}#EXT#`;
  u.displayName = displayName || email.split('@')[0]!;
  u.userType = userType;
  u.otherMails = [email];
  u.proxyAddresses = [`SMTP:${email}`];
  u.creationType = 'Invitation';
  u.externalUserState = 'PendingAcceptance';
  u.externalUserStateChangeDateTime = new Date(now).toISOString().replace(/\.\d+Z$/, 'Z');
  addUser(t, u);
  return u;
}

function invite(req: EmuRequest): EmuResponse {
  const t = req.tenant;
  const body = bodyObject(req);
  const email = body.invitedUserEmailAddress;
  if (typeof email !== 'string' || !EMAIL.test(email)) {
    throw badRequest("Invalid value specified for property 'invitedUserEmailAddress' of resource 'Invitation'.", 'BadRequest');
  }
  if (typeof body.inviteRedirectUrl !== 'string' || !body.inviteRedirectUrl) {
    throw badRequest("Invalid value specified for property 'inviteRedirectUrl' of resource 'Invitation'.", 'BadRequest');
  }
  const userType = body.invitedUserType === undefined || body.invitedUserType === null ? 'Guest' : body.invitedUserType;
  if (userType !== 'Guest' && userType !== 'Member') throw badRequest("Invalid value specified for property 'invitedUserType' of resource 'Invitation'.", 'BadRequest');
  const info = (body.invitedUserMessageInfo ?? {}) as { messageLanguage?: string; customizedMessageBody?: string; ccRecipients?: unknown[] };
  const displayName = typeof body.invitedUserDisplayName === 'string' ? body.invitedUserDisplayName : undefined;
  const send = body.sendInvitationMessage === true;

  // A second invitation for the same address answers with the user that already exists.
  const ownerId = ownerOfAddress(t, email);
  const existing = (ownerId ? getUser(t, ownerId) : undefined) ?? getUser(t, guestUpn(t, email));
  const u = existing ?? createGuest(t, email, displayName, userType, req.now);
  const url = redeemUrl(t, u.id);
  if (send) {
    t.directory.sentInvitations.push({
      invitedUserEmailAddress: email,
      invitedUserId: u.id,
      sentAt: new Date(req.now).toISOString(),
      messageLanguage: info.messageLanguage ?? null,
      customizedMessageBody: info.customizedMessageBody ?? null,
      inviteRedeemUrl: url,
    });
  }
  const status = u.externalUserState === 'PendingAcceptance' ? 'PendingAcceptance' : 'Completed';
  return json(201, {
    '@odata.context': `${req.baseUrl}/v1.0/$metadata#invitations/$entity`,
    id: crypto.randomUUID(),
    inviteRedeemUrl: url,
    invitedUserDisplayName: u.displayName,
    invitedUserType: u.userType,
    invitedUserEmailAddress: email,
    sendInvitationMessage: send,
    resetRedemption: false,
    inviteRedirectUrl: body.inviteRedirectUrl,
    status,
    invitedUserMessageInfo: {
      messageLanguage: info.messageLanguage ?? null,
      ccRecipients: Array.isArray(info.ccRecipients) ? info.ccRecipients : [],
      customizedMessageBody: info.customizedMessageBody ?? null,
    },
    invitedUser: { id: u.id },
  });
}

function convert(req: EmuRequest): EmuResponse {
  const t = req.tenant;
  const u = userOr404(t, req.params.id!);
  if (u.creationType !== 'Invitation' && u.userType !== 'Guest' && !u.userPrincipalName.includes('#EXT#')) {
    throw badRequest('The user is not an external user and cannot be converted to an internal member.');
  }
  const body = bodyObject(req);
  const upn = checkUpn(t, body.userPrincipalName);
  const upnOwner = t.directory.byUpn[upn.toLowerCase()];
  if (upnOwner && upnOwner !== u.id) throw duplicateValue('userPrincipalName');
  const pp = body.passwordProfile as { password?: unknown } | undefined;
  if (pp !== undefined && (!pp || typeof pp.password !== 'string' || !pp.password)) {
    throw badRequest("Invalid value specified for property 'passwordProfile' of resource 'User'.");
  }
  let mail: string | undefined;
  if (body.mail !== undefined && body.mail !== null) {
    if (typeof body.mail !== 'string' || !EMAIL.test(body.mail)) throw badRequest("Invalid value specified for property 'mail' of resource 'User'.");
    const owner = ownerOfAddress(t, body.mail);
    if (owner && owner !== u.id) throw duplicateValue('proxyAddresses');
    mail = body.mail;
  }
  updateUser(t, u, (x) => {
    x.userPrincipalName = upn;
    x.userType = 'Member';
    x.externalUserState = null;
    x.externalUserStateChangeDateTime = null;
    x.creationType = null;
    x.mailNickname = upn.split('@')[0]!;
    if (mail) {
      // The external address stops being this user's: the new mail becomes its primary SMTP.
      const verified = (a: string) => t.domains.includes(a.split('@')[1]?.toLowerCase() ?? '');
      x.proxyAddresses = [`SMTP:${mail}`, ...x.proxyAddresses.filter((p) => !/^smtp:/i.test(p) || (verified(p.slice(5)) && p.slice(5).toLowerCase() !== mail!.toLowerCase())).map((p) => (p.startsWith('SMTP:') ? `smtp:${p.slice(5)}` : p))];
      x.mail = mail;
    }
  });
  return json(200, {
    '@odata.context': `${req.baseUrl}/beta/$metadata#microsoft.graph.conversionUserDetails`,
    convertedToInternalUserDateTime: new Date(req.now).toISOString().replace(/\.\d+Z$/, 'Z'),
    displayName: u.displayName,
    mail: u.mail,
    userPrincipalName: u.userPrincipalName,
  });
}

/** Emulator-only: the tenant of an /_emulator/tenants/{tenant}/… route (GUID, domain or config name). */
export function adminTenant(req: EmuRequest): TenantState {
  const key = req.params.tenant!;
  const t = req.emulator.tenant(key) ?? req.emulator.tenants.find((x) => x.name.toLowerCase() === key.toLowerCase());
  if (!t) throw new GraphError(404, 'Request_ResourceNotFound', `Tenant '${req.params.tenant}' is not served by this emulator.`);
  return t;
}

function sentInvitations(req: EmuRequest): EmuResponse {
  return json(200, { value: adminTenant(req).directory.sentInvitations });
}

export const invitationRoutes: Route[] = [
  { method: 'POST', pattern: '/v1.0/invitations', roles: ['User.Invite.All', 'User.ReadWrite.All', 'Directory.ReadWrite.All'], budget: 'invitation', resourceUnits: 1, handler: invite },
  { method: 'POST', pattern: '/beta/users/{id}/convertExternalToInternalMemberUser', roles: ['User.ReadWrite.All', 'User-ConvertToInternal.ReadWrite.All'], budget: 'directory-write', resourceUnits: 1, handler: convert },
  { method: 'GET', pattern: '/_emulator/tenants/{tenant}/sent-invitations', anonymous: true, budget: 'none', handler: sentInvitations },
];
