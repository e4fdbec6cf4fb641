// The worker of thread-writer.ts: writes the ring's slots to the descriptor in order, counting each
// as consumed, until the end-of-text slot; then replies with the first write error and ends.
import { writeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { CONSUMED, END_OF_TEXT, ENDED, PRODUCED, STOP, type RingBuffers, type WorkerReply } from './thread-writer.js';

const { fd, ring } = workerData as { fd: number; ring: RingBuffers };
const { control, lengths, data, slots, slotBytes } = ring;
const pause = new Int32Array(new SharedArrayBuffer(4));
let error: WorkerReply['error'];
let failed = false;

function writeAll(bytes: Uint8Array): void {
  let at = 0;
  while (at < bytes.length) {
    try {
      at += writeSync(fd, bytes, at);
    } catch (e) {
      // a non-blocking descriptor (node makes a pipe on stdout one): wait for the reader, then go
      // on, unless told to stop (a reader that never reads again must not keep destroy() waiting)
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      if (Atomics.load(control, STOP)) return;
      Atomics.wait(pause, 0, 0, 5);
    }
  }
}

function run(): void {
  let consumed = 0;
  for (;;) {
    if (Atomics.load(control, STOP)) return;
    if (Atomics.load(control, PRODUCED) === consumed) {
      Atomics.wait(control, PRODUCED, consumed, 1000);
      continue;
    }
    const slot = consumed % slots;
    const length = lengths[slot]!;
    if (length === END_OF_TEXT) {
      parentPort!.postMessage(error ? { error } : {});
      return;
    }
    // after a failed write the rest is dropped, but still consumed: write() never waits for it
    if (!failed) {
      try {
        writeAll(data.subarray(slot * slotBytes, slot * slotBytes + length));
      } catch (e) {
        failed = true;
        const { message, code } = e as NodeJS.ErrnoException;
        if (code !== 'EPIPE') error = { message, ...(code ? { code } : {}) };
      }
    }
    Atomics.store(control, CONSUMED, ++consumed);
    Atomics.notify(control, CONSUMED);
  }
}

try {
  run();
} finally {
  Atomics.store(control, ENDED, 1);
  Atomics.notify(control, CONSUMED);
}
