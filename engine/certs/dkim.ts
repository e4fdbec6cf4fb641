// The DKIM DNS record to publish for the rewrite service's signing key:
//   <selector>._domainkey.<domain>  TXT  "v=DKIM1; k=rsa; p=<base64 SubjectPublicKeyInfo>"
// A DNS TXT character-string holds at most 255 bytes; a 2048-bit key's record is longer, so it is
// published as several strings in one record, which receivers concatenate (RFC 6376 3.6.2.2).
import type { CertificateInfo } from './pfx.js';
import { publicKeyBase64 } from './pfx.js';

export interface DkimRecord {
  readonly name: string; // t2t._domainkey.fabrikam.com
  readonly type: 'TXT';
  /** The record's text, unsplit. */
  readonly value: string;
  /** The value in 255-character strings, as DNS needs it. */
  readonly strings: readonly string[];
  /** One zone-file style line: name TXT "..." "..." */
  readonly text: string;
}

export const DNS_STRING_MAX = 255;

export function dkimRecord(selector: string, domain: string, publicKeySpkiBase64: string): DkimRecord {
  const name = `${selector}._domainkey.${domain.toLowerCase().replace(/\.$/, '')}`;
  const value = `v=DKIM1; k=rsa; p=${publicKeySpkiBase64}`;
  const strings = splitForDns(value);
  return { name, type: 'TXT', value, strings, text: `${name} TXT ${strings.map((s) => `"${s}"`).join(' ')}` };
}

export function dkimRecordFor(cert: CertificateInfo, selector: string, domain: string): DkimRecord {
  return dkimRecord(selector, domain, publicKeyBase64(cert));
}

export function splitForDns(value: string, max = DNS_STRING_MAX): string[] {
  const out: string[] = [];
  for (let i = 0; i < value.length; i += max) out.push(value.slice(i, i + max));
  return out.length ? out : [''];
}
