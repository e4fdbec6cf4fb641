// -Filter in Exchange's OPATH syntax, the subset t2t and admins use:
//   "CustomAttribute15 -like 't2t:*'", "(RecipientTypeDetails -eq 'MailUser') -and (Alias -ne $null)",
//   -eq -ne -like -notlike -and -or -not, 'single' or "double" quotes, $null $true $false.
// Multi-valued properties (EmailAddresses) match when any value does.
import { invalidParameter } from './exchange-errors.js';

type Expr =
  | { k: 'and' | 'or'; l: Expr; r: Expr }
  | { k: 'not'; e: Expr }
  | { k: 'cmp'; op: string; prop: string; value: string | boolean | null };

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
    if (!prop || !op || v === undefined || !['-eq', '-ne', '-like', '-notlike'].includes(op)) throw bad(text);
    return { k: 'cmp', op, prop, value: literal(v) };
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

function test1(v: unknown, op: string, want: string | boolean | null): boolean {
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

export function evalOpath(e: Expr, o: Record<string, unknown>): boolean {
  switch (e.k) {
    case 'and':
      return evalOpath(e.l, o) && evalOpath(e.r, o);
    case 'or':
      return evalOpath(e.l, o) || evalOpath(e.r, o);
    case 'not':
      return !evalOpath(e.e, o);
    case 'cmp': {
      const v = get(o, e.prop);
      if (Array.isArray(v)) {
        const positive = e.op === '-eq' || e.op === '-like';
        return positive ? v.some((x) => test1(x, e.op, e.value)) : v.every((x) => test1(x, e.op, e.value));
      }
      return test1(v, e.op, e.value);
    }
  }
}
