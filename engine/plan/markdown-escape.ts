// Tenant text placed in the markdown plan (the pull-request comment reviewers approve): shown
// literally wherever it stands. displaySafe first in every case, so no value spans two lines: a
// line inside a code fence then always starts with what the renderer wrote, and never closes it.
import { displaySafe } from './display-safe.js';

/** Characters markdown (GitHub's included: tables, strikethrough, math) gives a meaning inline:
 *  backslash-escaped. `&`, `<`, `>` become entities (no HTML, no autolink, no blockquote). */
const ACTIVE = /[\\`*[\]|~$&<>]/g;
const ENTITY: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
/** `_` that could open or close emphasis: any `_` not between two letters or digits (as in
 *  first_last@contoso.com, which is left as it is). */
const EMPHASIS = /(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu;
/** `#` before a digit: GitHub would link an issue (#12). */
const ISSUE = /#(?=\d)/g;
/** `@` starting a word (not inside an address such as alice@contoso.com): GitHub would mention,
 *  and notify, that user or team. */
const MENTION = /(?<![\p{L}\p{N}_.+#-])@(?=[\p{L}\p{N}_-])/gu;
/** What would start a heading or a list where the value begins a list item's text. */
const BLOCK_START = /^(#|[-+=]|\d+(?=[.)]))/;

/** Text outside code: in a paragraph, a list item or a table cell. */
export function markdownText(s: string): string {
  return displaySafe(s)
    .replace(ACTIVE, (ch) => ENTITY[ch] ?? '\\' + ch)
    .replace(EMPHASIS, '\\_')
    .replace(ISSUE, '\\#')
    .replace(MENTION, '\\@')
    .replace(BLOCK_START, (m) => (/^\d/.test(m) ? m + '\\' : '\\' + m));
}

/** Text inside an HTML element (the <summary> of a wave's <details>): markdown is not read there. */
export function htmlText(s: string): string {
  return displaySafe(s).replace(/[&<>]/g, (ch) => ENTITY[ch]!);
}

/** A code span holding s exactly: delimited by one backtick more than its longest run of
 *  backticks, padded with a space where s begins or ends with a backtick or a space (markdown
 *  strips one such space from each end). */
export function codeSpan(s: string): string {
  const text = displaySafe(s);
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const ticks = '`'.repeat(longest + 1);
  const pad = /^[` ]|[` ]$/.test(text) && text.trim() !== '' ? ' ' : '';
  return ticks + pad + text + pad + ticks;
}
