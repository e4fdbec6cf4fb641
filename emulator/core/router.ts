// Route matching: patterns with {placeholders}, literal `$` segments ($ref, $value, $batch, $count)
// and Graph's path-addressing colons (`/drive/root:/{path}:/content`, where {path} spans slashes).
// Routes are bucketed by method and first two path segments, and tried most-specific first, so a
// lookup costs a handful of regex tests, whatever the number of routes.
import type { HttpMethod, Route } from './http-types.js';

interface Compiled {
  route: Route;
  regex: RegExp;
  names: string[];
  /** Sort key: fewer placeholders and more literal text first. */
  placeholders: number;
  literal: number;
}

export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function compile(route: Route): Compiled {
  const names: string[] = [];
  let literal = 0;
  const source = route.pattern.replace(/\{([A-Za-z0-9_]+)\}|[^{]+/g, (part, name: string | undefined, offset: number) => {
    if (name === undefined) {
      literal += part.length;
      return escape(part);
    }
    names.push(name);
    // After `:/` the placeholder is a drive path: it may hold slashes, up to the closing colon.
    return route.pattern.slice(Math.max(0, offset - 2), offset) === ':/' ? '(.+?)' : '([^/]+)';
  });
  return { route, regex: new RegExp(`^${source}/?$`, 'i'), names, placeholders: names.length, literal };
}

/** Bucket key: the first two segments when both are literal (e.g. "v1.0/users"), else the first. */
function bucketOfPattern(pattern: string): string {
  const [a = '', b = ''] = pattern.split('/').slice(1, 3);
  if (a.includes('{')) return '*';
  if (!b || b.includes('{') || b.includes(':')) return a.toLowerCase();
  return `${a}/${b}`.toLowerCase();
}

export class Router {
  private buckets = new Map<string, Compiled[]>();
  private all: Compiled[] = [];

  constructor(routes: readonly Route[]) {
    for (const r of routes) this.add(r);
  }

  add(route: Route): void {
    const c = compile(route);
    this.all.push(c);
    const key = `${route.method} ${bucketOfPattern(route.pattern)}`;
    const list = this.buckets.get(key) ?? [];
    list.push(c);
    list.sort((x, y) => x.placeholders - y.placeholders || y.literal - x.literal);
    this.buckets.set(key, list);
  }

  private candidates(method: string, path: string): Compiled[][] {
    const [a = '', b = ''] = path.split('/', 3).slice(1);
    const la = a.toLowerCase();
    const out: Compiled[][] = [];
    for (const key of [`${method} ${la}/${b.toLowerCase()}`, `${method} ${la}`, `${method} *`]) {
      const l = this.buckets.get(key);
      if (l) out.push(l);
    }
    return out;
  }

  match(method: HttpMethod | string, path: string): RouteMatch | undefined {
    const found = this.matchExact(method, path);
    if (found) return found;
    // Graph's beta is a superset of v1.0 for what the emulator serves: fall back to the v1.0 handler.
    if (/^\/beta\//i.test(path)) return this.matchExact(method, `/v1.0/${path.slice(6)}`);
    return undefined;
  }

  private matchExact(method: string, path: string): RouteMatch | undefined {
    for (const list of this.candidates(method, path)) {
      for (const c of list) {
        const m = c.regex.exec(path);
        if (!m) continue;
        const params: Record<string, string> = {};
        c.names.forEach((n, i) => {
          const raw = m[i + 1]!;
          try {
            params[n] = decodeURIComponent(raw);
          } catch {
            params[n] = raw;
          }
        });
        return { route: c.route, params };
      }
    }
    return undefined;
  }

  /** Methods that some route accepts for this path (for 405 answers). */
  allowedMethods(path: string): string[] {
    const methods = new Set<string>();
    const alt = /^\/beta\//i.test(path) ? `/v1.0/${path.slice(6)}` : undefined;
    for (const c of this.all) {
      if (c.regex.test(path) || (alt && c.regex.test(alt))) methods.add(c.route.method);
    }
    return [...methods];
  }
}
