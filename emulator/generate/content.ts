// Generated mail (Graph message JSON of received and sent items) and OneDrive file bodies:
// deterministic under the seed.
import type { Rng } from '../core/prng.js';
import { FILE_KINDS, PROJECTS, SUBJECT_TOPICS } from './names.js';

export interface Person {
  displayName: string;
  address: string;
}

export const pick = <T>(rng: Rng, list: readonly T[]): T => list[Math.floor(rng() * list.length)]!;

/** Fixed epoch, so generated dates do not depend on when the emulator starts. */
const EPOCH = Date.UTC(2026, 0, 15, 9, 0, 0);

interface Letter {
  subject: string;
  date: Date;
  id: string;
  text: string;
}

/** The random parts of one message. */
function letter(rng: Rng, from: Person, to: Person, index: number, domain: string): Letter {
  const subject = `${pick(rng, SUBJECT_TOPICS)}: ${pick(rng, PROJECTS)}${index ? ` #${index}` : ''}`;
  const date = new Date(EPOCH - Math.floor(rng() * 180 * 86_400_000));
  date.setUTCMilliseconds(0);
  const id = `<${Math.floor(rng() * 2 ** 48).toString(36)}.${index}@${domain}>`;
  const paragraphs = [
    `Hi ${to.displayName.split(' ')[0]},`,
    `Following up on ${subject.toLowerCase()}: the numbers look ${pick(rng, ['good', 'tight', 'better than expected', 'on track'])}, and I would like to ${pick(rng, ['review them together', 'close this by Friday', 'share them with the team', 'get your sign-off'])}.`,
    `Best regards,\r\n${from.displayName}`,
  ];
  return { subject, date, id, text: paragraphs.join('\r\n\r\n') };
}

/** A received (or sent) message as Graph JSON: the message flags (PidTagMessageFlags 0x0E07) and
 *  dates (0x0E06 delivery, 0x0039 submit) make it a real item, not a draft, as migration tools and
 *  mail flow produce; a MIME import would make a draft. */
export function receivedMessage(rng: Rng, from: Person, to: Person, index: number, domain: string): Record<string, unknown> {
  const l = letter(rng, from, to, index, domain);
  const read = rng() < 0.7;
  const at = l.date.toISOString();
  const address = (p: Person) => ({ emailAddress: { name: p.displayName, address: p.address } });
  return {
    subject: l.subject,
    body: { contentType: 'text', content: l.text },
    from: address(from),
    sender: address(from),
    toRecipients: [address(to)],
    internetMessageId: l.id,
    singleValueExtendedProperties: [
      { id: 'Integer 0x0E07', value: String(read ? 1 : 0) },
      { id: 'SystemTime 0x0E06', value: at },
      { id: 'SystemTime 0x0039', value: at },
    ],
  };
}

export function driveFile(rng: Rng, owner: string, index: number): { path: string; content: Buffer } {
  const kind = pick(rng, FILE_KINDS);
  const name = `${pick(rng, kind.words)} ${pick(rng, PROJECTS)} ${index + 1}.${kind.ext}`;
  const lines = Array.from({ length: 3 + Math.floor(rng() * 20) }, (_, i) => `${i + 1}. ${pick(rng, SUBJECT_TOPICS)} — ${pick(rng, PROJECTS)} (${owner})`);
  return { path: `${kind.folder}/${name}`, content: Buffer.from(`${name}\n\n${lines.join('\n')}\n`) };
}
