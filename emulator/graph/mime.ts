// A small RFC 5322 / MIME builder and parser: enough for Graph's `$value` export and the
// text/plain base64 MIME import to round-trip headers, a text or HTML body and UTF-8 text.
// Not a general MIME library: attachments are skipped, only the first text/html or text/plain
// leaf of a multipart tree becomes the body.
import { randomBytes } from 'node:crypto';

export interface MimeAddress {
  name?: string;
  address: string;
}

export interface MimeMessage {
  from?: MimeAddress;
  to: MimeAddress[];
  cc: MimeAddress[];
  bcc: MimeAddress[];
  subject: string;
  date?: Date;
  messageId?: string;
  body: { contentType: 'text' | 'html'; content: string };
  /** Every top-level header, names lower-cased, values unfolded and decoded. */
  headers: Record<string, string>;
}

export interface MimeInput {
  from?: MimeAddress;
  to?: MimeAddress[];
  cc?: MimeAddress[];
  bcc?: MimeAddress[];
  subject?: string;
  date?: Date;
  messageId?: string;
  body: { contentType: 'text' | 'html'; content: string };
}

// ---------- building ----------

const isAscii = (s: string) => /^[\x20-\x7e]*$/.test(s);

/** RFC 2047 encoded-word when the text is not plain printable ASCII. */
function encodeWord(s: string): string {
  return isAscii(s) ? s : `=?UTF-8?B?${Buffer.from(s, 'utf8').toString('base64')}?=`;
}

function formatAddress(a: MimeAddress): string {
  if (!a.name) return `<${a.address}>`;
  const name = isAscii(a.name) ? `"${a.name.replace(/(["\\])/g, '\\$1')}"` : encodeWord(a.name);
  return `${name} <${a.address}>`;
}

/** RFC 5322 date-time in UTC, e.g. "Tue, 04 Mar 2025 10:11:12 +0000". */
export function formatRfc5322Date(d: Date): string {
  return d.toUTCString().replace(/GMT$/, '+0000');
}

function wrap76(s: string): string {
  // Slices, not a regular expression: bodies of tens of KiB are wrapped on every export and list.
  const lines: string[] = [];
  for (let i = 0; i < s.length; i += 76) lines.push(s.slice(i, i + 76));
  return lines.join('\r\n');
}

/** Length of wrap76(base64 of `bytes` bytes), without building it. */
export function wrappedBase64Length(bytes: number): number {
  const n = 4 * Math.ceil(bytes / 3);
  return n + 2 * Math.max(0, Math.ceil(n / 76) - 1);
}

export function newMessageId(domain: string): string {
  return `<${randomBytes(12).toString('hex')}@${domain}>`;
}

/** Build a complete RFC 5322 message with CRLF line ends; the body is UTF-8, base64 encoded. */
export function buildMime(m: MimeInput): string {
  const lines: string[] = [];
  if (m.from) lines.push(`From: ${formatAddress(m.from)}`);
  if (m.to?.length) lines.push(`To: ${m.to.map(formatAddress).join(', ')}`);
  if (m.cc?.length) lines.push(`Cc: ${m.cc.map(formatAddress).join(', ')}`);
  if (m.bcc?.length) lines.push(`Bcc: ${m.bcc.map(formatAddress).join(', ')}`);
  lines.push(`Subject: ${encodeWord(m.subject ?? '')}`);
  lines.push(`Date: ${formatRfc5322Date(m.date ?? new Date())}`);
  if (m.messageId) lines.push(`Message-ID: ${m.messageId}`);
  lines.push('MIME-Version: 1.0');
  const subtype = m.body.contentType === 'html' ? 'html' : 'plain';
  lines.push(`Content-Type: text/${subtype}; charset="utf-8"`);
  lines.push('Content-Transfer-Encoding: base64');
  lines.push('');
  lines.push(wrap76(Buffer.from(m.body.content, 'utf8').toString('base64')));
  return lines.join('\r\n') + '\r\n';
}

// ---------- parsing ----------

/** Decode RFC 2047 encoded-words (B and Q) in a header value. */
export function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?') // whitespace between adjacent encoded-words is not displayed
    .replace(/=\?([^?]+)\?([bBqQ])\?([^?]*)\?=/g, (_all, charset: string, enc: string, text: string) => {
      const bytes =
        enc.toUpperCase() === 'B'
          ? Buffer.from(text, 'base64')
          : Buffer.from(
              text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
              'latin1',
            );
      return decodeCharset(bytes, charset);
    });
}

function decodeCharset(bytes: Buffer, charset: string | undefined): string {
  const cs = (charset ?? 'utf-8').toLowerCase();
  if (cs === 'us-ascii' || cs === 'iso-8859-1' || cs === 'latin1') return bytes.toString('latin1');
  try {
    return new TextDecoder(cs).decode(bytes);
  } catch {
    return bytes.toString('utf8');
  }
}

export function decodeQuotedPrintable(s: string): Buffer {
  const soft = s.replace(/=\r?\n/g, '');
  const out: number[] = [];
  for (let i = 0; i < soft.length; i++) {
    const c = soft[i]!;
    if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(soft.slice(i + 1, i + 3))) {
      out.push(parseInt(soft.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      out.push(...Buffer.from(c, 'latin1'));
    }
  }
  return Buffer.from(out);
}

interface Part {
  headers: Record<string, string>;
  body: string;
}

function splitHeaders(raw: string): Part {
  const text = raw.replace(/\r\n/g, '\n');
  const end = text.indexOf('\n\n');
  const head = end < 0 ? text : text.slice(0, end);
  const body = end < 0 ? '' : text.slice(end + 2);
  const headers: Record<string, string> = {};
  const unfolded = head.replace(/\n[ \t]+/g, ' ');
  for (const line of unfolded.split('\n')) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const name = line.slice(0, i).trim().toLowerCase();
    const value = line.slice(i + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  return { headers, body };
}

/** Split "type/sub; a=b; c="d"" into the lower-cased type and its parameters. */
function contentType(value: string | undefined): { type: string; params: Record<string, string> } {
  const [type = 'text/plain', ...rest] = (value ?? 'text/plain').split(';');
  const params: Record<string, string> = {};
  for (const p of rest) {
    const i = p.indexOf('=');
    if (i < 0) continue;
    params[p.slice(0, i).trim().toLowerCase()] = p.slice(i + 1).trim().replace(/^"(.*)"$/, '$1');
  }
  return { type: type.trim().toLowerCase(), params };
}

function decodePartBody(part: Part): string {
  const enc = (part.headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
  const { params } = contentType(part.headers['content-type']);
  let bytes: Buffer;
  if (enc === 'base64') bytes = Buffer.from(part.body.replace(/\s+/g, ''), 'base64');
  else if (enc === 'quoted-printable') bytes = decodeQuotedPrintable(part.body);
  else bytes = Buffer.from(part.body, 'latin1');
  return decodeCharset(bytes, params['charset']).replace(/\r?\n$/, '');
}

/** Find the best body leaf: HTML before plain text, attachments skipped. */
function findBody(part: Part): { contentType: 'text' | 'html'; content: string } | undefined {
  const ct = contentType(part.headers['content-type']);
  const disposition = (part.headers['content-disposition'] ?? '').toLowerCase();
  if (ct.type.startsWith('multipart/')) {
    const boundary = ct.params['boundary'];
    if (!boundary) return undefined;
    const bodies = splitMultipart(part.body, boundary).map((p) => findBody(splitHeaders(p)));
    return bodies.find((b) => b?.contentType === 'html') ?? bodies.find((b) => b !== undefined);
  }
  if (disposition.startsWith('attachment')) return undefined;
  if (ct.type === 'text/html') return { contentType: 'html', content: decodePartBody(part) };
  if (ct.type === 'text/plain') return { contentType: 'text', content: decodePartBody(part) };
  return undefined;
}

function splitMultipart(body: string, boundary: string): string[] {
  const text = body.replace(/\r\n/g, '\n');
  const delimiter = `--${boundary}`;
  const parts: string[] = [];
  const chunks = text.split(new RegExp(`^${delimiter.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:--)?[ \\t]*$`, 'm'));
  // chunks[0] is the preamble, the last one the epilogue after the closing delimiter.
  for (let i = 1; i < chunks.length - 1; i++) parts.push(chunks[i]!.replace(/^\n/, '').replace(/\n$/, ''));
  return parts;
}

/** Parse "A <a@x>, "B, C" <b@x>, c@x" into addresses. */
export function parseAddressList(value: string | undefined): MimeAddress[] {
  if (!value) return [];
  const items: string[] = [];
  let cur = '';
  let quoted = false;
  let angle = false;
  for (const ch of value) {
    if (ch === '"') quoted = !quoted;
    else if (ch === '<' && !quoted) angle = true;
    else if (ch === '>' && !quoted) angle = false;
    if (ch === ',' && !quoted && !angle) {
      items.push(cur);
      cur = '';
    } else cur += ch;
  }
  items.push(cur);
  const out: MimeAddress[] = [];
  for (const raw of items) {
    const item = raw.trim();
    if (!item) continue;
    const m = /^(.*)<([^>]+)>\s*$/.exec(item);
    if (m) {
      const name = decodeWords(m[1]!.trim().replace(/^"(.*)"$/, '$1').replace(/\\(.)/g, '$1'));
      out.push(name ? { name, address: m[2]!.trim() } : { address: m[2]!.trim() });
    } else out.push({ address: item });
  }
  return out;
}

/** Parse an RFC 5322 message (CRLF or LF line ends). */
export function parseMime(raw: string): MimeMessage {
  const top = splitHeaders(raw);
  const h = top.headers;
  const decoded: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) decoded[k] = decodeWords(v);
  const date = h['date'] ? new Date(h['date']) : undefined;
  const from = parseAddressList(h['from'])[0];
  return {
    ...(from ? { from } : {}),
    to: parseAddressList(h['to']),
    cc: parseAddressList(h['cc']),
    bcc: parseAddressList(h['bcc']),
    subject: decoded['subject'] ?? '',
    ...(date && !Number.isNaN(date.getTime()) ? { date } : {}),
    ...(h['message-id'] ? { messageId: h['message-id'] } : {}),
    body: findBody(top) ?? { contentType: 'text', content: '' },
    headers: decoded,
  };
}

/** Does this look like an RFC 5322 message (some header lines, then a blank line)? */
export function looksLikeMime(raw: string): boolean {
  return /^[!-9;-~]+:/.test(raw) && /\r?\n\r?\n/.test(raw);
}
