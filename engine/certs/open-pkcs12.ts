// node-forge's PKCS#12 reader, with a password that is not ASCII. A PFX's MAC (and its legacy
// PKCS#12 encryption) takes the password as a BMPString (UTF-16), which forge derives from the
// string; PBES2 (AES with PBKDF2: OpenSSL 3's default, Windows' AES256-SHA256 export) takes its
// UTF-8 bytes, but forge feeds PBKDF2 the string's char codes. So a PFX of either kind opened with
// 'pässwörd' passed the MAC and then failed to decrypt: "wrong password" for the right one.
import type Forge from 'node-forge';

export function openPkcs12(forge: typeof Forge, asn1: Forge.asn1.Asn1, password: string, strict = false): Forge.pkcs12.Pkcs12Pfx {
  try {
    return forge.pkcs12.pkcs12FromAsn1(asn1, strict, password);
  } catch (e) {
    // eslint-disable-next-line no-control-regex
    if (/^[\x00-\x7f]*$/.test(password) || !/decrypt/i.test((e as Error).message ?? '') || !Array.isArray(asn1.value)) throw e;
    // a decryption failure comes after the MAC check: the MAC (if any) held with the BMPString
    // password. Decrypt again with the UTF-8 bytes, the verified MAC left out (forge checks it
    // with the one password it is given)
    try {
      return forge.pkcs12.pkcs12FromAsn1({ ...asn1, value: asn1.value.slice(0, 2) }, strict, Buffer.from(password, 'utf8').toString('binary'));
    } catch {
      throw e;
    }
  }
}
