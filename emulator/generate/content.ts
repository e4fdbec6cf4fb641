// Generated mail (RFC 5322 MIME text) and OneDrive file bodies: deterministic under the seed.
import type { Rng } from '../core/prng.js';
import { FILE_KINDS, PROJECTS, SUBJECT_TOPICS } from './names.js';

export interface Person {
  displayName: string;
  address: string;
}

export const pick = <T>(rng: Rng, list: readonly T[]): T => list[Math.floor(rng() * list.length)]!;

/** Fixed epoch, so generated dates do not depend on when the emulator starts. */
const EPOCH = Date.UTC(2026, 0, 15, 9, 0, 0);

export function mimeMessage(rng: Rng, from: Person, to: Person, index: number, domain: string): { mime: string; subject: string } {
  const subject = `${pick(rng, SUBJECT_TOPICS)}: ${pick(rng, PROJECTS)}${index ? ` #${index}` : ''}`;
  const date = new Date(EPOCH - Math.floor(rng() * 180 * 86_400_000)).toUTCString().replace('GMT', '+0000');
  const id = `<${Math.floor(rng() * 2 ** 48).toString(36)}.${index}@${domain}>`;
  const paragraphs = [
    `Hi ${to.displayName.split(' ')[0]},`,
    `Following up on ${subject.toLowerCase()}: the numbers look ${pick(rng, ['good', 'tight', 'better than expected', 'on track'])}, and I would like to ${pick(rng, ['review them together', 'close this by Friday', 'share them with the team', 'get your sign-off'])}.`,
    `Best regards,\r\n${from.displayName}`,
  ];
  const mime = [
    `From: ${from.displayName} <${from.address}>`,
    `To: ${to.displayName} <${to.address}>`,
    `Subject: ${subject}`,
    `Date: ${date}`,
    `Message-ID: ${id}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset="utf-8"',
    'Content-Transfer-Encoding: 7bit',
    '',
    paragraphs.join('\r\n\r\n'),
    '',
  ].join('\r\n');
  return { mime, subject };
}

export function driveFile(rng: Rng, owner: string, index: number): { path: string; content: Buffer } {
  const kind = pick(rng, FILE_KINDS);
  const name = `${pick(rng, kind.words)} ${pick(rng, PROJECTS)} ${index + 1}.${kind.ext}`;
  const lines = Array.from({ length: 3 + Math.floor(rng() * 20) }, (_, i) => `${i + 1}. ${pick(rng, SUBJECT_TOPICS)} — ${pick(rng, PROJECTS)} (${owner})`);
  return { path: `${kind.folder}/${name}`, content: Buffer.from(`${name}\n\n${lines.join('\n')}\n`) };
}
