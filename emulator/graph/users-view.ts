// A user as Graph returns it. Without $select, v1.0 returns only the default property set (as the
// real service does), so a client that forgets to $select userType or proxyAddresses finds out here.
import type { EmuRequest } from '../core/http-types.js';
import type { DirUser } from '../store/directory-state.js';
import { apiVersion, applySelect } from './odata.js';

/** v1.0's default user properties (when no $select is given). */
export const DEFAULT_USER_PROPERTIES = [
  'businessPhones', 'displayName', 'givenName', 'jobTitle', 'mail', 'mobilePhone', 'officeLocation',
  'preferredLanguage', 'surname', 'userPrincipalName', 'id',
];

/** Every property the emulator models (what $select and $filter may name). */
export const USER_PROPERTIES = [
  'id', 'userPrincipalName', 'mail', 'mailNickname', 'displayName', 'givenName', 'surname', 'jobTitle',
  'department', 'companyName', 'employeeId', 'officeLocation', 'usageLocation', 'userType', 'accountEnabled',
  'proxyAddresses', 'otherMails', 'externalUserState', 'externalUserStateChangeDateTime', 'creationType',
  'createdDateTime', 'assignedLicenses', 'onPremisesExtensionAttributes', 'businessPhones', 'mobilePhone',
  'preferredLanguage',
];

export function fullUser(u: DirUser): Record<string, unknown> {
  return {
    id: u.id,
    businessPhones: [],
    displayName: u.displayName,
    givenName: u.givenName,
    jobTitle: u.jobTitle,
    mail: u.mail,
    mobilePhone: null,
    officeLocation: u.officeLocation,
    preferredLanguage: null,
    surname: u.surname,
    userPrincipalName: u.userPrincipalName,
    mailNickname: u.mailNickname,
    department: u.department,
    companyName: u.companyName,
    employeeId: u.employeeId,
    usageLocation: u.usageLocation,
    userType: u.userType,
    accountEnabled: u.accountEnabled,
    proxyAddresses: [...u.proxyAddresses],
    otherMails: [...u.otherMails],
    externalUserState: u.externalUserState,
    externalUserStateChangeDateTime: u.externalUserStateChangeDateTime,
    creationType: u.creationType,
    createdDateTime: u.createdDateTime,
    assignedLicenses: u.assignedLicenses.map((l) => ({ disabledPlans: [...l.disabledPlans], skuId: l.skuId })),
    onPremisesExtensionAttributes: { ...u.onPremisesExtensionAttributes },
  };
}

export function extensionView(name: string, props: Record<string, unknown>): Record<string, unknown> {
  return { '@odata.type': '#microsoft.graph.openTypeExtension', extensionName: name, id: name, ...props };
}

/** The user as this request should see it: $select (or the default set on v1.0), $expand=extensions. */
export function renderUser(req: EmuRequest, u: DirUser, select = selectOf(req)): Record<string, unknown> {
  const full = fullUser(u);
  const picked = select ? applySelect(full, select) : apiVersion(req) === 'beta' ? full : applySelect(full, DEFAULT_USER_PROPERTIES);
  if (expands(req, 'extensions')) {
    picked.extensions = Object.entries(u.extensions).map(([n, p]) => extensionView(n, p));
  }
  return picked;
}

export function selectOf(req: EmuRequest): string[] | undefined {
  const s = req.query.get('$select');
  return s ? s.split(',').map((x) => x.trim()).filter((x) => x && x.toLowerCase() !== 'extensions') : undefined;
}

export function expands(req: EmuRequest, what: string): boolean {
  const e = req.query.get('$expand');
  return !!e && e.split(',').some((x) => x.trim().split('(')[0]!.toLowerCase() === what.toLowerCase());
}
