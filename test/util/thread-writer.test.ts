// ThreadWriter writes from a worker thread what the plan command prints and saves: every text in
// order, all of it written when close() resolves, and a write error reported, not lost.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openThreadWriter } from '../../engine/util/thread-writer.js';

const dir = mkdtempSync(join(tmpdir(), 't2t-thread-writer-'));

test('texts arrive in order and whole, more of them than may be pending at once', async () => {
  const path = join(dir, 'ordered.txt');
  const fd = openSync(path, 'w');
  const writer = openThreadWriter(fd);
  let expected = '';
  for (let i = 0; i < 500; i++) {
    // sizes from a few bytes to 200 KB, with characters that take 2 to 4 bytes in UTF-8
    const text = `${i}:` + 'ä€𝄞x'.repeat((i * 7919) % 50_000) + '\n';
    writer.write(text);
    expected += text;
  }
  await writer.close();
  closeSync(fd);
  assert.is(readFileSync(path, 'utf8'), expected);
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
  closeSync(fd);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
