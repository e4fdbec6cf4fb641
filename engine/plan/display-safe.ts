// Tenant text (display names, addresses, group names) made safe to print: its control characters
// shown escaped, so a value can neither break a plan line in two nor send an escape sequence to the
// terminal. The renderers apply it where they assemble a line; the JSON keeps the original value.

/** C0, DEL, C1 and the Unicode line and paragraph separators: what can end a line or start an
 *  escape sequence; and the bidirectional controls, which can make a line read otherwise than it
 *  is (U+202E shows what follows it reversed). Tested before replacing: most values have none and
 *  are returned as they are. */
const UNSAFE = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/;
const UNSAFE_ALL = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;
const SHORT: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escaped(ch: string): string {
  const short = SHORT[ch];
  if (short) return short;
  const code = ch.charCodeAt(0);
  return code <= 0xff ? '\\x' + code.toString(16).padStart(2, '0') : '\\u' + code.toString(16).padStart(4, '0');
}

/** s with every control character shown as an escape (`\n`, `\x1b`, `\u2028`); s itself when it
 *  has none. */
export function displaySafe(s: string): string {
  return UNSAFE.test(s) ? s.replace(UNSAFE_ALL, escaped) : s;
}
