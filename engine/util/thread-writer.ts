// Writes text to a file descriptor from a worker thread. `t2t plan --output json` of 100,000 users
// in flight writes 270 MiB while the planner keeps the main thread busy: encoding that text and
// the write system calls (0.5 to 0.8 s) then run on the machine's other core. The planner does not
// yield, so a stream or fs.write callback could not run before the end; a worker blocks on its own.
import { Worker } from 'node:worker_threads';

/** Messages posted and not yet written, at most: a slow disk or reader makes write() wait rather
 *  than hold the whole output in memory (a message is one batch of the plan, under 1 MiB). */
const MAX_PENDING = 32;

export interface ThreadWriter {
  /** Queues the text; waits first while MAX_PENDING messages are not yet written. */
  write(text: string): void;
  /** Resolves when everything queued is written. Rejects with the first write error, except
   *  EPIPE: a reader that went away (`| head`) drops the rest, as the executable does for stdout. */
  close(): Promise<void>;
  /** Stops the worker, dropping what it has not written; resolves once it no longer touches the
   *  descriptor (which the caller may then close). */
  destroy(): Promise<void>;
}

export interface WorkerReply {
  /** The first write error, other than EPIPE. */
  error?: { message: string; code?: string };
}

export function openThreadWriter(fd: number): ThreadWriter {
  // [0]: messages written (or dropped) so far, counted by the worker
  const written = new Int32Array(new SharedArrayBuffer(4));
  // execArgv: none of the process's node options (the heap sizes of the #! line, a preloaded
  // module): the worker only writes
  const worker = new Worker(new URL('./thread-writer-worker.js', import.meta.url), { workerData: { fd, written }, execArgv: [] });
  // a command that fails before close() must still exit: the worker does not hold the process
  worker.unref();
  let failure: Error | undefined;
  worker.once('error', (e) => (failure = e));
  let posted = 0;
  return {
    write(text) {
      for (;;) {
        const done = Atomics.load(written, 0);
        if (posted - done < MAX_PENDING || failure) break;
        Atomics.wait(written, 0, done, 1000);
      }
      worker.postMessage(text);
      posted++;
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        if (failure) return reject(failure);
        worker.ref(); // the reply is all the process waits for now
        worker.once('error', reject);
        worker.once('message', (reply: WorkerReply) => {
          void worker.terminate();
          if (!reply.error) return resolve();
          reject(Object.assign(new Error(reply.error.message), reply.error.code ? { code: reply.error.code } : {}));
        });
        worker.postMessage(null);
      });
    },
    async destroy() {
      await worker.terminate();
    },
  };
}
