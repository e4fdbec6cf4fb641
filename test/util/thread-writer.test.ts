// ThreadWriter writes from a worker thread what the plan command prints and saves: every text in
// order, all of it written when close() resolves, and a write error reported, not lost.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openThreadWriter } from '../../engine/util/thread-writer.js';

const dir = mkdtempSync(join(tmpdir(), 't2t-thread-writer-'));

/** Writes 500 texts of sizes from a few bytes to 10 * maxRepeat bytes (200 KB), with characters
 *  that take 2 to 4 bytes in UTF-8, and reads back what arrived. */
async function writeMany(name: string, ring: [slots: number, slotBytes: number] | [], maxRepeat = 20_000): Promise<{ arrived: string; expected: string }> {
  const path = join(dir, name);
  const fd = openSync(path, 'w');
  const writer = openThreadWriter(fd, ...ring);
  let expected = '';
  for (let i = 0; i < 500; i++) {
    const text = `${i}:` + 'ä€𝄞x'.repeat((i * 7919) % maxRepeat) + '\n';
    writer.write(text);
    expected += text;
  }
  await writer.close();
  closeSync(fd);
  return { arrived: readFileSync(path, 'utf8'), expected };
}

test('texts arrive in order and whole, more of them than the ring holds at once', async () => {
  const { arrived, expected } = await writeMany('ordered.txt', []);
  assert.ok(Buffer.byteLength(expected) > 16 << 20, 'more than the default ring of 16 MiB');
  assert.is(arrived, expected);
});

test('a small ring: texts split across slots, characters never cut, the ring wrapping around', async () => {
  // 7 bytes per slot: a 3- or 4-byte character often does not fit after another one
  const { arrived, expected } = await writeMany('small-ring.txt', [3, 7], 50);
  assert.is(arrived, expected);
});

test('a ring that cannot hold a character is refused', () => {
  assert.throws(() => openThreadWriter(1, 4, 3), /cannot hold a character/);
});

test('a write error rejects close() with its code', async () => {
  const path = join(dir, 'read-only.txt');
  writeFileSync(path, '');
  const fd = openSync(path, 'r');
  const writer = openThreadWriter(fd);
  writer.write('cannot be written');
  writer.write('nor this');
  try {
    await writer.close();
    assert.unreachable('close() resolved');
  } catch (e) {
    assert.is((e as NodeJS.ErrnoException).code, 'EBADF');
  } finally {
    closeSync(fd);
  }
});

test('destroy() stops the worker: once it resolves, the descriptor is written no more', async () => {
  const path = join(dir, 'destroyed.txt');
  const fd = openSync(path, 'w');
  const writer = openThreadWriter(fd);
  for (let i = 0; i < 30; i++) writer.write('x'.repeat(256 * 1024));
  await writer.destroy();
  const size = statSync(path).size;
  await new Promise((r) => setTimeout(r, 200));
  assert.is(statSync(path).size, size, 'nothing written after destroy() resolved');
  // the worker is gone: a write that would wait for a free slot returns instead
  for (let i = 0; i < 30; i++) writer.write('x'.repeat(256 * 1024));
  closeSync(fd);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
