// Single-value extended properties on mail folders (Graph v1.0 mailFolder, beta mailboxFolder):
// a PATCH carrying `singleValueExtendedProperties` creates or replaces them, and
// `$expand=singleValueExtendedProperties($filter=id eq '…')` shows the asked ones a folder has
// (nothing, not an empty collection, when it has none). Content sync keeps its per-folder delta
// positions this way.
import { badRequest } from '../core/http-types.js';
import type { MailFolderRecord } from '../store/mail-state.js';
import { askedProperties, propertyKey } from './mail-render.js';

/** `{type} 0x{tag}`, `{type} {guid} Name {name}` or `{type} {guid} Id 0x{id}` (Graph's formats). */
const PROPERTY_ID = /^[A-Za-z]+ (0x[0-9A-Fa-f]{4}|\{[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\} (Name \S.*|Id 0x[0-9A-Fa-f]+))$/;

/** The folder's properties after a PATCH body's `singleValueExtendedProperties`; undefined when the
 *  body has none. A malformed entry is Graph's 400. */
export function patchedProperties(f: MailFolderRecord, body: unknown): MailFolderRecord['extendedProperties'] {
  const props = (body as { singleValueExtendedProperties?: unknown } | undefined)?.singleValueExtendedProperties;
  if (props === undefined) return undefined;
  if (!Array.isArray(props)) throw badRequest("'singleValueExtendedProperties' must be a collection of {id, value}.", 'ErrorInvalidRequest');
  const next = { ...(f.extendedProperties ?? {}) };
  for (const p of props as Array<{ id?: unknown; value?: unknown }>) {
    const id = typeof p?.id === 'string' ? p.id.trim().replace(/\s+/g, ' ') : '';
    if (!PROPERTY_ID.test(id)) throw badRequest(`The extended property id '${String(p?.id)}' is not valid.`, 'ErrorInvalidProperty');
    if (typeof p.value !== 'string') throw badRequest(`The extended property '${id}' needs a string 'value'.`, 'ErrorInvalidProperty');
    next[propertyKey(id)] = { id, value: p.value };
  }
  return next;
}

/** What an $expand of extended properties adds to a folder. */
export function expandedFolderProperties(f: MailFolderRecord, expand: string | null | undefined): Record<string, unknown> {
  const have = f.extendedProperties ?? {};
  const asked = expand ? askedProperties(expand, Object.keys(have)) : undefined;
  if (!asked) return {};
  const out = asked.flatMap((k) => (have[k] ? [{ id: have[k]!.id, value: have[k]!.value }] : []));
  return out.length ? { singleValueExtendedProperties: out } : {};
}
