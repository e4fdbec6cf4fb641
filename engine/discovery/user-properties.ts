// Which Graph user properties discovery asks for ($select), and how a delta item becomes an
// InventoryUser. The core list is what every later stage needs; the project adds the properties
// its matching rules, attribute mappings and templates name, so a new rule needs no code change.
import type { Project } from '../manifest/model.js';
import type { InventoryUser } from '../inventory/model.js';

/** Properties that have their own field on InventoryUser. */
const TOP_LEVEL = [
  'id',
  'userPrincipalName',
  'mail',
  'proxyAddresses',
  'displayName',
  'userType',
  'accountEnabled',
  'usageLocation',
  'externalUserState',
  'assignedLicenses',
] as const;

/** Always read into InventoryUser.attributes. */
export const CORE_ATTRIBUTES = ['employeeId', 'givenName', 'surname', 'department', 'jobTitle', 'companyName', 'mailNickname'] as const;

const TOP_LEVEL_SET = new Set<string>(TOP_LEVEL);

/** Attribute names the project reads or writes: matching rules (both sides), attribute mapping
 *  sources and targets (the target side is read to diff), and {placeholders} of templates.
 *  Dotted names (onPremisesExtensionAttributes.extensionAttribute1) are kept whole. */
export function projectAttributeNames(project: Project): string[] {
  const names = new Set<string>(CORE_ATTRIBUTES);
  const add = (n: string | undefined) => {
    if (n && !TOP_LEVEL_SET.has(n) && n !== 'assignedSkuIds') names.add(n);
  };
  for (const rule of project.matching) {
    add(rule.source);
    add(rule.target);
  }
  for (const a of project.attributes) {
    add(a.target);
    add(a.from);
    for (const m of a.template?.matchAll(/\{([A-Za-z0-9_.]+)\}/g) ?? []) add(m[1]);
  }
  return [...names].sort();
}

/** The $select list for /users/delta: stable order, so a changed list is detectable. */
export function userSelect(attributeNames: readonly string[], extra: readonly string[] = []): string[] {
  const top = new Set<string>(TOP_LEVEL);
  for (const n of attributeNames) top.add(n.split('.')[0]!);
  for (const n of extra) top.add(n);
  return [...top].sort();
}

/** The $select discovery reads a project's users with (kept in the cache's meta: a cache read
 *  with another one lacks properties the manifests now use, or holds ones they no longer do). */
export function projectUserSelect(project: Project): string {
  return userSelect(projectAttributeNames(project), ['createdDateTime']).join(',');
}

type GraphUser = Record<string, unknown> & { id: string };

function attributeValue(item: Record<string, unknown>, name: string): string | null | undefined {
  const [head, ...rest] = name.split('.');
  if (!(head! in item)) return undefined; // not in this delta item: keep the cached value
  let v: unknown = item[head!];
  for (const part of rest) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined;
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** Merge one /users/delta item over the cached user. Graph sends every selected property of a
 *  changed user, but a property never set is absent: absent keeps the old value on update and is
 *  null on create. */
export function applyUserItem(prev: InventoryUser | undefined, item: GraphUser, attributeNames: readonly string[]): InventoryUser {
  const has = (k: string) => k in item;
  const str = (k: string, old: string | null | undefined): string | null =>
    has(k) ? (typeof item[k] === 'string' ? (item[k] as string) : null) : (old ?? null);
  const attributes: Record<string, string | null> = {};
  for (const name of attributeNames) {
    const v = attributeValue(item, name);
    attributes[name] = v === undefined ? (prev?.attributes[name] ?? null) : v;
  }
  const licences = has('assignedLicenses')
    ? ((item.assignedLicenses as Array<{ skuId?: string }> | null) ?? []).map((l) => l.skuId).filter((s): s is string => typeof s === 'string')
    : (prev?.assignedSkuIds ?? []);
  const user: InventoryUser = {
    id: item.id,
    userPrincipalName: str('userPrincipalName', prev?.userPrincipalName) ?? '',
    mail: str('mail', prev?.mail),
    proxyAddresses: has('proxyAddresses') ? ((item.proxyAddresses as string[] | null) ?? []) : (prev?.proxyAddresses ?? []),
    displayName: str('displayName', prev?.displayName),
    userType: (has('userType') ? item.userType : prev?.userType) === 'Guest' ? 'Guest' : 'Member',
    accountEnabled: has('accountEnabled') ? item.accountEnabled !== false : (prev?.accountEnabled ?? true),
    usageLocation: str('usageLocation', prev?.usageLocation),
    externalUserState: str('externalUserState', prev?.externalUserState),
    assignedSkuIds: [...licences].sort(),
    attributes,
    ...(prev?.marker ? { marker: prev.marker } : {}),
  };
  return user;
}

/** Lower-cased addresses a user is known by: UPN, mail and every smtp proxy address. */
export function userAddresses(u: Pick<InventoryUser, 'userPrincipalName' | 'mail' | 'proxyAddresses'>): string[] {
  const out = new Set<string>();
  if (u.userPrincipalName) out.add(u.userPrincipalName.toLowerCase());
  if (u.mail) out.add(u.mail.toLowerCase());
  for (const p of u.proxyAddresses) if (/^smtp:/i.test(p)) out.add(p.slice(5).toLowerCase());
  return [...out];
}
