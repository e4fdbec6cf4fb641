// Pass one: each document against the JSON Schema of its kind (schemas/, the single source of
// validation and editor completion). Every ajv error is mapped back to the offending YAML node
// and rewritten into a message a person can act on.
import { join } from 'node:path';
import type { ErrorObject } from 'ajv';
import type { Node } from 'yaml';
import { packageRoot } from '../util/package-root.js';
import { didYouMean } from '../util/suggest.js';
import type { Diagnostic, DiagnosticCode } from './diagnostics.js';
import type { ManifestDoc } from './parse-documents.js';
import { nodeAt, nodeLocation, type PathSegment } from './source-files.js';
import { SCHEMA_FILES, schemaValidators, type ManifestKind } from './schema-validators.js';

export type { ManifestKind };
export const KINDS: readonly ManifestKind[] = ['Project', 'Wave'];

export function schemaPath(kind: ManifestKind): string {
  return join(packageRoot(), 'schemas', SCHEMA_FILES[kind]);
}

/** Schema diagnostics of one document; empty when it is valid. */
export function checkSchema(doc: ManifestDoc, kind: ManifestKind): Diagnostic[] {
  const validate = schemaValidators()[kind];
  if (validate(doc.value)) return [];
  const errors = (validate.errors ?? []).filter((e) => !('propertyName' in e)); // inner propertyNames errors: reported by their parent
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    const d = toDiagnostic(doc, e);
    if (!d) continue;
    const key = `${d.line}:${d.col}:${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out;
}

function segments(pointer: string): PathSegment[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** spec.tenants.contoso.auth, spec.attributes[2].target */
export function describePath(path: readonly PathSegment[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s ? `.${p}` : p;
  return s || 'the document';
}

const SECRET_HINT = 'write clientSecret: { fromEnv: VARIABLE } and set the variable where t2t runs (or { file: PATH } for a file kept out of git)';

function toDiagnostic(doc: ManifestDoc, e: ErrorObject): Diagnostic | undefined {
  const path = segments(e.instancePath);
  const name = describePath(path);
  const last = path[path.length - 1];
  const at = (p: readonly PathSegment[], which: 'key' | 'value' = 'value') => {
    const found = nodeAt(doc.doc.contents, p);
    const node: Node | undefined = which === 'key' && found.complete ? (found.key ?? found.node) : found.node;
    return nodeLocation(doc.file, node, doc.doc.contents?.range?.[0] ?? 0);
  };
  const diag = (code: DiagnosticCode, message: string, loc = at(path), hint?: string): Diagnostic => ({
    code,
    severity: 'error',
    message,
    ...loc, // its excerpt is masked where it is made (source-files.ts lineLocation)
    ...(hint ? { hint } : {}),
  });
  const params = e.params as Record<string, unknown>;
  const parent = (e.parentSchema ?? {}) as { properties?: Record<string, unknown>; enum?: unknown[]; description?: string; format?: string };

  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = Object.keys(parent.properties ?? {});
      if (/^(password|secret|clientsecret|pfxpassword)$/i.test(key)) {
        // the hint names the way this mapping takes its secret: a tenant's auth its clientSecret,
        // a certificate its password
        const hint = 'clientSecret' in (parent.properties ?? {}) ? SECRET_HINT : 'use passwordFromEnv: VARIABLE (or passwordFile: PATH) and set the variable where t2t runs';
        return diag('secret-literal', `${describePath([...path, key])} would hold a literal secret: secrets are never written in manifests`, at([...path, key], 'key'), hint);
      }
      if (e.schemaPath.startsWith('#/$defs/secret/')) {
        return diag('secret-literal', `${name} takes only fromEnv or file, not '${key}': secrets are never written in manifests`, at([...path, key], 'key'), SECRET_HINT);
      }
      if (key === '<<') {
        // YAML 1.1's merge key: YAML 1.2, which t2t reads, has none, so `<<: *base` is a key named '<<'
        return diag('unknown-key', `merge keys ('<<: *anchor') are not part of YAML 1.2, which t2t reads: '<<' is an unknown key in ${name}`, at([...path, key], 'key'), 'write the keys out in each place (an alias of a whole value, key: *anchor, works)');
      }
      return diag('unknown-key', `unknown key '${key}' in ${name}${didYouMean(key, allowed)}`, at([...path, key], 'key'), allowed.length ? `allowed keys: ${allowed.join(', ')}` : undefined);
    }
    case 'required': {
      const key = String(params.missingProperty);
      return diag('missing-key', `${name} is missing the required key '${key}'`, at(path, 'key'), parentDescription(parent, key));
    }
    case 'type': {
      if (last === 'clientSecret' && (typeof e.data !== 'object' || e.data === null)) {
        return diag('secret-literal', `${name} is a literal secret: secrets are never written in manifests`, at(path), SECRET_HINT);
      }
      // YAML reads `tenantId: 12345`, `name: 2024` or `name: yes` as a number or a boolean
      const scalar = params.type === 'string' && (typeof e.data === 'number' || typeof e.data === 'boolean');
      return diag('wrong-type', `${name} must be ${article(String(params.type))}, not ${typeName(e.data)}`, at(path), scalar ? `YAML reads this value as ${typeName(e.data)}: put it in quotes to keep it as text, as written` : undefined);
    }
    case 'const':
      if (last === 'apiVersion') return diag('bad-api-version', `apiVersion must be 't2t.dev/v1', not ${quote(e.data)}`, at(path), 'this version of t2t reads t2t.dev/v1 manifests');
      return diag('bad-value', `${name} must be ${quote(params.allowedValue)}`, at(path));
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const suggestion = typeof e.data === 'string' ? didYouMean(e.data, allowed) : '';
      return diag('bad-value', `${name} must be one of ${allowed.join(', ')}, not ${quote(e.data)}${suggestion}`, at(path));
    }
    case 'format':
      return formatDiagnostic(String(params.format), name, e.data, at(path), diag);
    case 'pattern':
      return patternDiagnostic(e, path, name, at(path), diag);
    case 'propertyNames': {
      const key = String(params.propertyName);
      const allowed = last === 'tenants' ? "lower-case letters, digits and '-'" : "letters, digits, '-', '_' and '.'";
      return diag('bad-value', `${describePath([...path, key])}: the name '${key}' may only hold ${allowed}, and must start and end with a letter or digit`, at([...path, key], 'key'));
    }
    case 'minProperties':
    case 'maxProperties':
      if (e.schemaPath.startsWith('#/$defs/secret/')) {
        return diag('bad-value', `${name} must name exactly one source: fromEnv or file`, at(path), SECRET_HINT);
      }
      if (e.schemaPath.endsWith('/members/minProperties')) {
        return diag('bad-value', `${name} is empty: list users, groups or a csv file`, at(path, 'key'));
      }
      return diag('bad-value', `${name} ${e.message ?? 'is not valid'}`, at(path));
    default:
      return diag('bad-value', `${name} ${e.message ?? 'is not valid'}`, at(path));
  }
}

function formatDiagnostic(format: string, name: string, data: unknown, loc: ReturnType<typeof nodeLocation>, diag: (c: DiagnosticCode, m: string, l: typeof loc, h?: string) => Diagnostic): Diagnostic {
  switch (format) {
    case 'date-time':
      return diag('bad-date', `${name} is not a date-time: ${quote(data)}`, loc, 'write an ISO 8601 date-time with its time zone as Z or +HH:MM, e.g. 2026-12-05T22:00:00Z or 2026-12-05T23:00:00+01:00');
    case 'email':
      return diag('bad-value', `${name} is not an e-mail address: ${quote(data)}`, loc, 'write a source UPN or primary SMTP address such as alice@contoso.com');
    case 'hostname':
      return diag('bad-value', `${name} is not a domain name: ${quote(data)}`, loc, 'write a DNS domain such as contoso.com');
    case 'uri':
      return diag('bad-value', `${name} is not a URL: ${quote(data)}`, loc);
    default:
      return diag('bad-value', `${name} must be a valid ${format}`, loc);
  }
}

function patternDiagnostic(e: ErrorObject, path: PathSegment[], name: string, loc: ReturnType<typeof nodeLocation>, diag: (c: DiagnosticCode, m: string, l: typeof loc, h?: string) => Diagnostic): Diagnostic {
  const last = path[path.length - 1];
  // a date-time the format accepts but JavaScript's Date cannot read (a zone written +01, a leap
  // second): the same diagnostic as a malformed one (an invalid date breaks both rules, and the
  // two are reported once)
  if ((e.parentSchema as { format?: string } | undefined)?.format === 'date-time') return formatDiagnostic('date-time', name, e.data, loc, diag);
  if (e.schemaPath.startsWith('#/$defs/guid/')) {
    return diag('bad-guid', `${name} is not a GUID: ${quote(e.data)}`, loc, 'copy the Application (client) ID from the app registration, e.g. 3f1c2d4e-0000-4000-8000-000000000001');
  }
  if (last === 'tenantId') {
    return diag('bad-guid', `${name} is neither a GUID nor a domain name: ${quote(e.data)}`, loc, 'use the tenant GUID or its initial domain, e.g. contoso.onmicrosoft.com');
  }
  if (last === 'endpoint') return diag('bad-value', `${name} must be an https:// URL: ${quote(e.data)}`, loc, 'the emulator serves HTTPS only, e.g. https://127.0.0.1:7365');
  if (last === 'name' && path[0] === 'metadata') {
    return diag('bad-value', `metadata.name ${quote(e.data)} may only hold lower-case letters, digits and '-', and must start and end with a letter or digit`, loc);
  }
  if (last === 'fromEnv' || last === 'passwordFromEnv') {
    return diag('bad-value', `${name} must be the name of an environment variable (letters, digits, _)`, loc);
  }
  return diag('bad-value', `${name} has an invalid format: ${quote(e.data)}`, loc);
}

function parentDescription(parent: { properties?: Record<string, unknown> }, key: string): string | undefined {
  const p = parent.properties?.[key] as { description?: string } | undefined;
  return p?.description ? `${key}: ${p.description}` : undefined;
}

function article(type: string): string {
  const t = type === 'object' ? 'mapping' : type === 'array' ? 'list' : type;
  return /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`;
}

function typeName(v: unknown): string {
  if (v === null) return 'empty';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return article(typeof v);
}

/** Values in messages: strings quoted, long ones cut (they are never secrets: secret paths are handled above). */
function quote(v: unknown): string {
  const s = typeof v === 'string' ? `'${v.length > 60 ? v.slice(0, 57) + '...' : v}'` : JSON.stringify(v);
  return s ?? String(v);
}
