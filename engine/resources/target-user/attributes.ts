// The attribute mapping of the Project (spec.attributes): how a target user is written from its
// source user. Values come from a source attribute (`from`), a constant (`value`) or a template
// ("{jobTitle} ({department})"), then pass through the transforms in order.
import type { AttributeMapping, DomainMapping, Transform } from '../../manifest/model.js';
import type { InventoryUser } from '../../inventory/model.js';
import { mapDomain } from '../../matching/map-domain.js';
import { localPart, normAddress, userAttribute } from '../../matching/normalize.js';

const TEMPLATE_FIELD = /\{([A-Za-z0-9_]+)\}/g;
const NICKNAME_INVALID = /[^A-Za-z0-9._-]/;
const NICKNAME_INVALID_ALL = /[^A-Za-z0-9._-]/g;

/** A template split once into literal text (even indexes) and field names (odd indexes). */
const compiled = new Map<string, readonly string[]>();

function compile(template: string): readonly string[] {
  let parts = compiled.get(template);
  if (parts) return parts;
  const out: string[] = [];
  let last = 0;
  for (const m of template.matchAll(TEMPLATE_FIELD)) {
    out.push(template.slice(last, m.index), m[1]!);
    last = m.index! + m[0].length;
  }
  out.push(template.slice(last));
  if (compiled.size > 1000) compiled.clear(); // templates come from manifests: a handful
  compiled.set(template, (parts = out));
  return parts;
}

export function renderTemplate(template: string, source: InventoryUser): string {
  const parts = compile(template);
  let s = parts[0]!;
  for (let i = 1; i < parts.length; i += 2) s += (userAttribute(source, parts[i]!) ?? '') + parts[i + 1]!;
  return s;
}

export function applyTransforms(value: string, transforms: readonly Transform[], domains: readonly DomainMapping[]): string {
  let v = value;
  for (const t of transforms) {
    if (t === 'mapDomain') v = mapDomain(v, domains) ?? v;
    else if (t === 'lower') v = v.toLowerCase();
    else if (t === 'upper') v = v.toUpperCase();
    else if (t === 'trim') v = v.trim();
  }
  return v;
}

/** The names mapAttributes writes, in key order, each with the rule that sets it (the last rule
 *  naming it wins; none: a default), worked out once per mapping. */
interface MappingOrder {
  readonly names: readonly string[];
  readonly rules: readonly (AttributeMapping | undefined)[];
  readonly upn: number;
  readonly displayName: number;
  readonly mailNickname: number;
}

const orders = new WeakMap<readonly AttributeMapping[], MappingOrder>();

function mappingOrder(mappings: readonly AttributeMapping[]): MappingOrder {
  let order = orders.get(mappings);
  if (order) return order;
  const last = new Map<string, AttributeMapping | undefined>([
    ['userPrincipalName', undefined],
    ['displayName', undefined],
    ['mailNickname', undefined],
  ]);
  for (const m of mappings) last.set(m.target, m);
  const names = [...last.keys()].sort();
  order = {
    names,
    rules: names.map((n) => last.get(n)),
    upn: names.indexOf('userPrincipalName'),
    displayName: names.indexOf('displayName'),
    mailNickname: names.indexOf('mailNickname'),
  };
  orders.set(mappings, order);
  return order;
}

function ruleValue(m: AttributeMapping, domains: readonly DomainMapping[], source: InventoryUser): string | null {
  let v: string | null;
  if (m.value !== undefined) v = m.value;
  else if (m.template !== undefined) v = renderTemplate(m.template, source);
  else v = userAttribute(source, m.from ?? m.target);
  return v === null ? null : applyTransforms(v, m.transform, domains);
}

/** Target attribute name -> value (null: the source has no value). Always has userPrincipalName,
 *  displayName and mailNickname, defaulted from the source when the mapping does not name them.
 *  Keys in sorted order: the object goes into the plan as it is (targetUser.create's attributes,
 *  targetUser.update's set), and the JSON plan would otherwise copy it in key order per user. */
export function mapAttributes(
  mappings: readonly AttributeMapping[],
  domains: readonly DomainMapping[],
  source: InventoryUser,
): Record<string, string | null> {
  const { names, rules, upn: u, displayName: dn, mailNickname: nick } = mappingOrder(mappings);
  const values: (string | null | undefined)[] = new Array(names.length);
  for (let i = 0; i < names.length; i++) {
    const rule = rules[i];
    values[i] = rule ? ruleValue(rule, domains, source) : undefined;
  }
  if (!values[u]) {
    const upn = normAddress(source.userPrincipalName);
    values[u] = mapDomain(upn, domains) ?? upn;
  }
  if (values[dn] === undefined) values[dn] = source.displayName ?? localPart(source.userPrincipalName);
  if (values[nick] === undefined) {
    const local = localPart(values[u]!);
    // most local parts need no cleaning: test before building a copy
    values[nick] = NICKNAME_INVALID.test(local) ? local.replace(NICKNAME_INVALID_ALL, '') : local;
  }
  const out: Record<string, string | null> = {};
  for (let i = 0; i < names.length; i++) out[names[i]!] = values[i]!;
  return out;
}
