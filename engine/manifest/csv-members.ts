// A wave's members CSV: one address a line, an optional header `user`, blank lines and
// '#' comments ignored, values may be quoted. Lines end in LF, CRLF or a lone CR (Excel for Mac's
// "CSV (Macintosh)"). Empty fields beside the address (`alice@contoso.com;;`, as Excel writes a
// sheet whose used range is wider than the column, with ',' or with ';' in many locales) are
// ignored: the line still holds one address. Invisible characters that copying from a web page or
// a document leaves at either end of a value (zero-width spaces and joiners, word joiners, soft
// hyphens, byte order marks) are removed as whitespace is; one inside an address is an error
// naming it, not an address that silently matches nobody.

export interface CsvMember {
  readonly address: string; // trimmed, lower-cased
  readonly line: number; // 1-based
  readonly col: number;
}

export interface CsvProblem {
  readonly line: number;
  readonly col: number;
  readonly message: string;
}

const SEPARATOR = /[,;\t]/;
const EMAIL = /^[^\s@,;"']+@[^\s@,;"']+\.[^\s@,;"']+$/;
/** Characters nobody sees that String.prototype.trim keeps (it removes U+FEFF and U+00A0). */
const INVISIBLE = '\u200B\u200C\u200D\u2060\u00AD';
const INVISIBLE_EDGES = new RegExp(`^[\\s${INVISIBLE}]+|[\\s${INVISIBLE}]+$`, 'g');
const INVISIBLE_INSIDE = new RegExp(`[${INVISIBLE}]`);

/** A field without the whitespace and invisible characters around it, and without its quotes. */
function fieldValue(field: string): string {
  const t = field.replace(INVISIBLE_EDGES, '');
  const quoted = t.length > 1 && (t[0] === '"' || t[0] === "'") && t[t.length - 1] === t[0];
  return quoted ? t.slice(1, -1).replace(INVISIBLE_EDGES, '') : t;
}

export function parseMemberCsv(text: string): { members: CsvMember[]; problems: CsvProblem[] } {
  const members: CsvMember[] = [];
  const problems: CsvProblem[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  let seenData = false;
  lines.forEach((raw, i) => {
    const line = i + 1;
    const trimmed = raw.replace(INVISIBLE_EDGES, '');
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const col = raw.indexOf(trimmed[0]!) + 1;
    // one field is the common case: no list for it
    const values = SEPARATOR.test(trimmed) ? trimmed.split(SEPARATOR).map(fieldValue).filter((v) => v !== '') : [fieldValue(trimmed)];
    if (values.length > 1) {
      problems.push({ line, col, message: `line ${line} holds more than one value: a members CSV has one address a line` });
      return;
    }
    const value = values[0] ?? '';
    if (value === '') return; // separators only: an empty row of a wider sheet
    if (!seenData && value.toLowerCase() === 'user') {
      seenData = true;
      return; // header
    }
    seenData = true;
    const invisible = INVISIBLE_INSIDE.exec(value);
    if (invisible) {
      const code = invisible[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
      problems.push({ line, col, message: `'${value.replace(INVISIBLE_INSIDE, '').slice(0, 60)}' holds an invisible character (U+${code}) at position ${invisible.index + 1}: retype the address` });
      return;
    }
    if (!EMAIL.test(value)) {
      problems.push({ line, col, message: `'${value.length > 60 ? value.slice(0, 57) + '...' : value}' is not an e-mail address` });
      return;
    }
    members.push({ address: value.toLowerCase(), line, col });
  });
  return { members, problems };
}
