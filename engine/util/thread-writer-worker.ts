// The worker of thread-writer.ts: writes each text it is sent to the descriptor, in order, and
// counts it as written; replies to the final null with the first error.
import { writeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerReply } from './thread-writer.js';

const { fd, written } = workerData as { fd: number; written: Int32Array };
const pause = new Int32Array(new SharedArrayBuffer(4));
let stopped = false;
let error: WorkerReply['error'];

function writeAll(text: string): void {
  const bytes = Buffer.from(text);
  let at = 0;
  while (at < bytes.length) {
    try {
      at += writeSync(fd, bytes, at);
    } catch (e) {
      // a descriptor another program left non-blocking: wait for the reader, then go on
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      Atomics.wait(pause, 0, 0, 5);
    }
  }
}

parentPort!.on('message', (text: string | null) => {
  if (text === null) {
    parentPort!.postMessage(error ? { error } : {});
    return;
  }
  if (!stopped) {
    try {
      writeAll(text);
    } catch (e) {
      stopped = true;
      const { message, code } = e as NodeJS.ErrnoException;
      if (code !== 'EPIPE') error = { message, ...(code ? { code } : {}) };
    }
  }
  Atomics.add(written, 0, 1);
  Atomics.notify(written, 0);
});
