// -Filter in Exchange's OPATH syntax, the subset t2t and admins use:
//   "CustomAttribute15 -like 't2t:*'", "(RecipientTypeDetails -eq 'MailUser') -and (Alias -ne $null)",
//   -eq -ne -like -notlike -gt -ge -lt -le -and -or -not, 'single' or "double" quotes, $null $true $false.
// Multi-valued properties (EmailAddresses) match when any value does.
// -gt -ge -lt -le on a date property (When*) compare as dates, the value parsed as Exchange Online's
// .NET DateTime parser does in its (en-US, UTC) session: ISO 8601 ('2026-06-01T12:00:00Z', with or
// without seconds, fraction or offset; no offset = UTC) and en-US 'M/d/yyyy[ h:mm[:ss][ AM|PM]]'.
// Other properties compare numerically when both sides are numbers, else as case-insensitive text.
// Address properties (EmailAddresses, ExternalEmailAddress, ForwardingSmtpAddress) hold prefixed
// values ('SMTP:lila@fabrikam.com'); -eq / -ne with a complete address match with or without the
// smtp: prefix, while -like patterns see the prefix ('smtp:lila*' matches, 'lila*' does not), as
// https://learn.microsoft.com/powershell/exchange/filter-properties documents for the three.
import { invalidParameter } from './exchange-errors.js';

type Expr =
  | { k: 'and' | 'or'; l: Expr; r: Expr }
  | { k: 'not'; e: Expr }
  | { k: 'cmp'; op: string; prop: string; value: string | boolean | null; date?: number };

const ORDER = ['-gt', '-ge', '-lt', '-le'];
const OPS = ['-eq', '-ne', '-like', '-notlike', ...ORDER];

/** WhenChanged, WhenChangedUTC, WhenCreated, WhenCreatedUTC, WhenSoftDeleted, WhenMailboxCreated... */
export function isDateProperty(prop: string): boolean {
  return /^when/i.test(prop);
}

const EN_US = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(AM|PM)?)?$/i;
const ISO = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?$/i;

/** A filter's date literal in ms since the epoch (UTC when it names no offset), or undefined. */
export function parseFilterDate(v: string): number | undefined {
  const s = v.trim();
  const us = EN_US.exec(s);
  if (us) {
    let h = Number(us[4] ?? 0);
    const ampm = us[7]?.toUpperCase();
    if (ampm && (h < 1 || h > 12)) return undefined;
    if (ampm === 'PM' && h < 12) h += 12;
    if (ampm === 'AM' && h === 12) h = 0;
    const [mo, d, y, mi, se] = [Number(us[1]), Number(us[2]), Number(us[3]), Number(us[5] ?? 0), Number(us[6] ?? 0)];
    const ms = Date.UTC(y, mo - 1, d, h, mi, se);
    const back = new Date(ms);
    if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || se > 59) return undefined;
    return ms;
  }
  if (!ISO.test(s)) return undefined;
  let iso = s.replace(' ', 'T');
  if (!/T/.test(iso)) iso += 'T00:00:00';
  if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(iso)) iso += 'Z';
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : undefined;
}

/** A property of the object a filter is evaluated against (lets callers compute values lazily). */
export type PropertyGetter = (prop: string) => unknown;

function tokenize(s: string): string[] {
  const out: string[] = [];
  const re = /\s*(\(|\)|'(?:[^']|'')*'|"(?:[^"]|"")*"|-[A-Za-z]+|\$[A-Za-z]+|[^\s()]+)/y;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) out.push(m[1]!);
  if (re.lastIndex < s.trimEnd().length && out.join('').length === 0) throw bad(s);
  return out;
}

const bad = (s: string) => invalidParameter('Filter', `Invalid filter syntax: "${s}". For a description of the filter parameter syntax see the command help.`);

export function parseOpath(text: string): Expr {
  const src = text.trim().replace(/^\{(.*)\}$/s, '$1');
  const toks = tokenize(src);
  let i = 0;
  const peek = () => toks[i]?.toLowerCase();
  const or = (): Expr => {
    let l = and();
    while (peek() === '-or') {
      i++;
      l = { k: 'or', l, r: and() };
    }
    return l;
  };
  const and = (): Expr => {
    let l = unary();
    while (peek() === '-and') {
      i++;
      l = { k: 'and', l, r: unary() };
    }
    return l;
  };
  const unary = (): Expr => {
    if (peek() === '-not') {
      i++;
      return { k: 'not', e: unary() };
    }
    if (peek() === '(') {
      i++;
      const e = or();
      if (toks[i++] !== ')') throw bad(text);
      return e;
    }
    const prop = toks[i++];
    const op = toks[i++]?.toLowerCase();
    const v = toks[i++];
    if (!prop || !op || v === undefined || !OPS.includes(op)) throw bad(text);
    const value = literal(v);
    if (ORDER.includes(op)) {
      if (typeof value !== 'string') throw bad(text);
      if (isDateProperty(prop)) {
        const ms = parseFilterDate(value);
        if (ms === undefined) throw invalidParameter('Filter', `Cannot bind parameter 'Filter' to the target. Exception setting "Filter": "The value "${value}" could not be converted to type System.DateTime."`);
        return { k: 'cmp', op, prop, value, date: ms };
      }
    }
    return { k: 'cmp', op, prop, value };
  };
  const e = or();
  if (i !== toks.length) throw bad(text);
  return e;
}

function literal(v: string): string | boolean | null {
  if (/^\$null$/i.test(v)) return null;
  if (/^\$true$/i.test(v)) return true;
  if (/^\$false$/i.test(v)) return false;
  if (v.startsWith("'")) return v.slice(1, -1).replace(/''/g, "'");
  if (v.startsWith('"')) return v.slice(1, -1).replace(/""/g, '"');
  return v;
}

function get(o: Record<string, unknown>, prop: string): unknown {
  const k = Object.keys(o).find((x) => x.toLowerCase() === prop.toLowerCase());
  return k === undefined ? undefined : o[k];
}

function compare(v: unknown, op: string, want: string, date: number | undefined): boolean {
  if (v === null || v === undefined || v === '') return false; // $null is neither before nor after
  let c: number;
  if (date !== undefined) {
    const have = v instanceof Date ? v.getTime() : Date.parse(String(v));
    if (!Number.isFinite(have)) return false;
    c = have - date;
  } else if (typeof v === 'number' || (/^-?\d+(\.\d+)?$/.test(String(v)) && /^-?\d+(\.\d+)?$/.test(want))) {
    c = Number(v) - Number(want);
  } else {
    const a = String(v).toLowerCase();
    const b = want.toLowerCase();
    c = a < b ? -1 : a > b ? 1 : 0;
  }
  return op === '-gt' ? c > 0 : op === '-ge' ? c >= 0 : op === '-lt' ? c < 0 : c <= 0;
}

function test1(v: unknown, op: string, want: string | boolean | null, date?: number): boolean {
  if (ORDER.includes(op)) return typeof want === 'string' && compare(v, op, want, date);
  const empty = v === null || v === undefined || v === '';
  if (want === null) return op === '-ne' || op === '-notlike' ? !empty : empty;
  if (typeof want === 'boolean') return (v === want) === (op === '-eq' || op === '-like');
  const s = empty ? '' : String(v).toLowerCase();
  const w = want.toLowerCase();
  if (op === '-eq') return s === w;
  if (op === '-ne') return s !== w;
  const re = new RegExp(`^${w.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 's');
  return op === '-like' ? re.test(s) : !re.test(s);
}

/** Evaluate against an object (property names case-insensitive) or a getter. */
export function evalOpath(e: Expr, o: Record<string, unknown> | PropertyGetter): boolean {
  const read: PropertyGetter = typeof o === 'function' ? o : (prop) => get(o, prop);
  return evalWith(e, read);
}

const ADDRESS_PROPERTIES = new Set(['emailaddresses', 'externalemailaddress', 'forwardingsmtpaddress']);

/** A stored address as an unprefixed -eq / -ne value compares with it: 'SMTP:a@b' -> 'a@b'. */
function addressValue(prop: string, op: string, want: string | boolean | null, v: unknown): unknown {
  if ((op !== '-eq' && op !== '-ne') || typeof want !== 'string' || /^[A-Za-z0-9]+:/.test(want)) return v;
  if (!ADDRESS_PROPERTIES.has(prop.toLowerCase()) || typeof v !== 'string') return v;
  return v.replace(/^smtp:/i, '');
}

function evalWith(e: Expr, read: PropertyGetter): boolean {
  switch (e.k) {
    case 'and':
      return evalWith(e.l, read) && evalWith(e.r, read);
    case 'or':
      return evalWith(e.l, read) || evalWith(e.r, read);
    case 'not':
      return !evalWith(e.e, read);
    case 'cmp': {
      const raw = read(e.prop);
      const v = Array.isArray(raw) ? raw.map((x) => addressValue(e.prop, e.op, e.value, x)) : addressValue(e.prop, e.op, e.value, raw);
      if (Array.isArray(v)) {
        const positive = e.op !== '-ne' && e.op !== '-notlike';
        return positive ? v.some((x) => test1(x, e.op, e.value, e.date)) : v.every((x) => test1(x, e.op, e.value, e.date));
      }
      return test1(v, e.op, e.value, e.date);
    }
  }
}
