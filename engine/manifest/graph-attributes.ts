// The Microsoft Graph user properties t2t can match on, copy, write and use in templates.
// One list, so the schema check, "did you mean" and template placeholders agree.

export const GRAPH_USER_ATTRIBUTES: readonly string[] = Object.freeze([
  'userPrincipalName',
  'mail',
  'displayName',
  'givenName',
  'surname',
  'jobTitle',
  'department',
  'companyName',
  'employeeId',
  'officeLocation',
  'mobilePhone',
  'businessPhones',
  'streetAddress',
  'city',
  'state',
  'postalCode',
  'country',
  'usageLocation',
  'mailNickname',
  'employeeType',
  'onPremisesImmutableId',
  'preferredLanguage',
  'otherMails',
  'proxyAddresses',
  ...Array.from({ length: 15 }, (_, i) => `extensionAttribute${i + 1}`),
]);

const KNOWN = new Set(GRAPH_USER_ATTRIBUTES);

export function isGraphUserAttribute(name: string): boolean {
  return KNOWN.has(name);
}

/** `{name}` placeholders of a template, with their offsets in the string. Unbalanced braces are reported as name undefined. */
export function templateFields(template: string): { name?: string; index: number }[] {
  const fields: { name?: string; index: number }[] = [];
  const re = /\{([^{}]*)\}|[{}]/g;
  for (let m = re.exec(template); m; m = re.exec(template)) {
    fields.push({ ...(m[1] !== undefined ? { name: m[1].trim() } : {}), index: m.index });
  }
  return fields;
}
