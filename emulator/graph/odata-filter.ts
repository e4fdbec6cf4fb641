// OData $filter as Graph's directory accepts it: eq, ne, gt, ge, lt, le, in, startswith, endswith,
// and, or, not, parentheses, and lambda any()/all() over collections
// (proxyAddresses/any(p:p eq 'smtp:x'), assignedLicenses/any(x:x/skuId eq GUID)).
// Parsed once into a small tree, evaluated against the Graph JSON of each object.
import { GraphError } from '../core/http-types.js';

export type FilterExpr =
  | { kind: 'and' | 'or'; left: FilterExpr; right: FilterExpr }
  | { kind: 'not'; expr: FilterExpr }
  | { kind: 'cmp'; op: 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le'; path: string; value: Literal }
  | { kind: 'in'; path: string; values: Literal[] }
  | { kind: 'func'; name: 'startswith' | 'endswith'; path: string; value: string }
  | { kind: 'lambda'; quantifier: 'any' | 'all'; path: string; variable: string; expr: FilterExpr };

export type Literal = string | number | boolean | null;

type Token = { t: 'str'; v: string } | { t: 'word'; v: string } | { t: 'punct'; v: '(' | ')' | ',' | ':' };

const invalid = (detail: string) => new GraphError(400, 'BadRequest', `Invalid filter clause: ${detail}`);

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let v = '';
      i++;
      for (;;) {
        if (i >= text.length) throw invalid('unterminated string literal');
        if (text[i] === "'") {
          if (text[i + 1] === "'") {
            v += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        v += text[i++];
      }
      out.push({ t: 'str', v });
    } else if ('(),:'.includes(c)) {
      out.push({ t: 'punct', v: c as '(' | ')' | ',' | ':' });
      i++;
    } else {
      // Words: property paths (a/b), keywords, GUIDs, numbers and unquoted dates (2024-01-01T00:00:00Z).
      const re = /[0-9]/.test(c) ? /[0-9A-Za-z\-:.+]+/y : /[A-Za-z0-9_.\/@\-]+/y;
      re.lastIndex = i;
      const m = re.exec(text);
      if (!m) throw invalid(`unexpected character '${c}' at position ${i}`);
      out.push({ t: 'word', v: m[0] });
      i += m[0].length;
    }
  }
  return out;
}

class Parser {
  private i = 0;
  constructor(private tokens: Token[]) {}

  parse(): FilterExpr {
    const e = this.or();
    if (this.i < this.tokens.length) throw invalid(`unexpected '${this.tokens[this.i]!.v}'`);
    return e;
  }

  private peekWord(v: string): boolean {
    const t = this.tokens[this.i];
    return t?.t === 'word' && t.v.toLowerCase() === v;
  }

  private expect(v: '(' | ')' | ',' | ':'): void {
    const t = this.tokens[this.i++];
    if (t?.t !== 'punct' || t.v !== v) throw invalid(`expected '${v}'${t ? ` but found '${t.v}'` : ' at the end'}`);
  }

  private or(): FilterExpr {
    let left = this.and();
    while (this.peekWord('or')) {
      this.i++;
      left = { kind: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): FilterExpr {
    let left = this.unary();
    while (this.peekWord('and')) {
      this.i++;
      left = { kind: 'and', left, right: this.unary() };
    }
    return left;
  }

  private unary(): FilterExpr {
    if (this.peekWord('not')) {
      this.i++;
      return { kind: 'not', expr: this.unary() };
    }
    return this.primary();
  }

  private primary(): FilterExpr {
    const t = this.tokens[this.i];
    if (!t) throw invalid('expression expected');
    if (t.t === 'punct' && t.v === '(') {
      this.i++;
      const e = this.or();
      this.expect(')');
      return e;
    }
    if (t.t !== 'word') throw invalid(`property expected, found '${t.v}'`);
    this.i++;
    const lower = t.v.toLowerCase();
    if ((lower === 'startswith' || lower === 'endswith') && this.tokens[this.i]?.v === '(') {
      this.expect('(');
      const path = this.word();
      this.expect(',');
      const value = this.literal();
      this.expect(')');
      if (typeof value !== 'string') throw invalid(`${lower} needs a string`);
      return { kind: 'func', name: lower, path, value };
    }
    const lambda = /^(.*)\/(any|all)$/i.exec(t.v);
    if (lambda && this.tokens[this.i]?.v === '(') {
      this.expect('(');
      const variable = this.word();
      this.expect(':');
      const expr = this.or();
      this.expect(')');
      return { kind: 'lambda', quantifier: lambda[2]!.toLowerCase() as 'any' | 'all', path: lambda[1]!, variable, expr };
    }
    const op = this.word().toLowerCase();
    if (op === 'in') {
      this.expect('(');
      const values: Literal[] = [this.literal()];
      while (this.tokens[this.i]?.v === ',') {
        this.i++;
        values.push(this.literal());
      }
      this.expect(')');
      return { kind: 'in', path: t.v, values };
    }
    if (!['eq', 'ne', 'gt', 'ge', 'lt', 'le'].includes(op)) throw invalid(`unknown operator '${op}'`);
    return { kind: 'cmp', op: op as 'eq', path: t.v, value: this.literal() };
  }

  private word(): string {
    const t = this.tokens[this.i++];
    if (t?.t !== 'word') throw invalid(`name expected${t ? `, found '${t.v}'` : ''}`);
    return t.v;
  }

  private literal(): Literal {
    const t = this.tokens[this.i++];
    if (!t) throw invalid('value expected');
    if (t.t === 'str') return t.v;
    if (t.t !== 'word') throw invalid(`value expected, found '${t.v}'`);
    const v = t.v.toLowerCase();
    if (v === 'true') return true;
    if (v === 'false') return false;
    if (v === 'null') return null;
    if (/^-?\d+(\.\d+)?$/.test(t.v)) return Number(t.v);
    return t.v; // GUIDs and dates travel unquoted
  }
}

export function parseFilter(text: string): FilterExpr {
  return new Parser(tokenize(text)).parse();
}

/** Top-level property names a filter reads (to check them against what a resource supports). */
export function filterProperties(e: FilterExpr, bound: Set<string> = new Set()): string[] {
  const head = (p: string) => p.split('/')[0]!;
  switch (e.kind) {
    case 'and':
    case 'or':
      return [...filterProperties(e.left, bound), ...filterProperties(e.right, bound)];
    case 'not':
      return filterProperties(e.expr, bound);
    case 'lambda':
      return [head(e.path), ...filterProperties(e.expr, new Set([...bound, e.variable]))];
    default:
      return bound.has(head(e.path)) ? [] : [head(e.path)];
  }
}

type Env = Record<string, unknown>;

function resolve(obj: Record<string, unknown>, path: string, env: Env): unknown {
  const parts = path.split('/');
  let cur: unknown = parts[0]! in env ? env[parts[0]!] : lookup(obj, parts[0]!);
  for (const p of parts.slice(1)) {
    cur = cur && typeof cur === 'object' ? lookup(cur as Record<string, unknown>, p) : undefined;
  }
  return cur;
}

function lookup(o: Record<string, unknown>, key: string): unknown {
  if (key in o) return o[key];
  const k = Object.keys(o).find((x) => x.toLowerCase() === key.toLowerCase());
  return k === undefined ? undefined : o[k];
}

const norm = (v: unknown): unknown => (typeof v === 'string' ? v.toLowerCase() : v ?? null);

function compare(a: unknown, op: string, b: Literal): boolean {
  const x = norm(a);
  const y = norm(b);
  switch (op) {
    case 'eq':
      return x === y;
    case 'ne':
      return x !== y;
    default: {
      if (x === null || y === null) return false;
      const c = (x as string | number) < (y as string | number) ? -1 : (x as string | number) > (y as string | number) ? 1 : 0;
      return op === 'gt' ? c > 0 : op === 'ge' ? c >= 0 : op === 'lt' ? c < 0 : c <= 0;
    }
  }
}

export function evalFilter(e: FilterExpr, obj: Record<string, unknown>, env: Env = {}): boolean {
  switch (e.kind) {
    case 'and':
      return evalFilter(e.left, obj, env) && evalFilter(e.right, obj, env);
    case 'or':
      return evalFilter(e.left, obj, env) || evalFilter(e.right, obj, env);
    case 'not':
      return !evalFilter(e.expr, obj, env);
    case 'cmp':
      return compare(resolve(obj, e.path, env), e.op, e.value);
    case 'in': {
      const v = resolve(obj, e.path, env);
      return e.values.some((x) => compare(v, 'eq', x));
    }
    case 'func': {
      const v = resolve(obj, e.path, env);
      if (typeof v !== 'string') return false;
      return e.name === 'startswith' ? v.toLowerCase().startsWith(e.value.toLowerCase()) : v.toLowerCase().endsWith(e.value.toLowerCase());
    }
    case 'lambda': {
      const coll = resolve(obj, e.path, env);
      const items = Array.isArray(coll) ? coll : [];
      const test = (item: unknown) => evalFilter(e.expr, obj, { ...env, [e.variable]: item });
      return e.quantifier === 'any' ? items.some(test) : items.every(test);
    }
  }
}

/** A $filter operator that directory objects accept only in an advanced query. */
export interface AdvancedOperator {
  op: 'ne' | 'not' | 'endsWith';
  /** The property it applies to (a lambda's variable resolved to its collection). */
  property: string;
}

/**
 * The operators of a filter that Microsoft Graph serves for directory objects only in an advanced
 * query (ConsistencyLevel: eventual and $count=true): `ne`, `not` and `endsWith`, in the order they
 * appear. Source: https://learn.microsoft.com/graph/aad-advanced-queries ("The not and ne negation
 * operators are supported only with advanced query parameters"; "The endsWith operator is supported
 * only with advanced query parameters by mail, otherMails, userPrincipalName, and proxyAddresses").
 */
export function advancedOperators(e: FilterExpr, bound: Map<string, string> = new Map()): AdvancedOperator[] {
  const prop = (p: string) => {
    const head = p.split('/')[0]!;
    return bound.get(head) ?? head;
  };
  switch (e.kind) {
    case 'and':
    case 'or':
      return [...advancedOperators(e.left, bound), ...advancedOperators(e.right, bound)];
    case 'not':
      return [{ op: 'not', property: filterProperties(e.expr).map(prop)[0] ?? '' }, ...advancedOperators(e.expr, bound)];
    case 'lambda':
      return advancedOperators(e.expr, new Map([...bound, [e.variable, prop(e.path)]]));
    case 'cmp':
      return e.op === 'ne' ? [{ op: 'ne', property: prop(e.path) }] : [];
    case 'func':
      return e.name === 'endswith' ? [{ op: 'endsWith', property: prop(e.path) }] : [];
    default:
      return [];
  }
}
