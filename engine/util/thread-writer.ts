// Writes text to a file descriptor from a worker thread. `t2t plan --output json` of 100,000 users
// in flight writes 270 MiB while the planner keeps the main thread busy: the write system calls
// and the kernel's copy then run on the machine's other core. The planner yields only between
// steps of 2,000 users, so a stream or fs.write callback would hold a step's text at a time and
// write it on the planner's thread; a worker blocks on its own.
//
// The text goes through shared memory, not postMessage: this thread encodes each text as UTF-8
// straight into a ring of slots the worker writes from (TextEncoder.encodeInto: a copy at memory
// speed for ASCII), where posting the strings cost 0.2 to 0.6 s of this thread's time for such a
// plan, serialising and copying each one (docs/decisions.md).
import { Worker } from 'node:worker_threads';

/** The ring: SLOTS slots of SLOT_BYTES. Texts are packed into slots, so the worker makes one write
 *  call per MiB, and this thread wakes it as often. A slow disk or reader makes write() wait once
 *  every slot is full, rather than hold the whole output in memory. */
const SLOTS = 16;
const SLOT_BYTES = 1 << 20;

/** Atomics.waitAsync (Node 16 and later), which the ES2023 library of the compiler does not
 *  declare: a promise, settled when the value at `index` changes or after `timeout` ms. */
const waitAsync = (Atomics as unknown as {
  waitAsync(array: Int32Array, index: number, value: number, timeout: number): { async: false; value: string } | { async: true; value: Promise<string> };
}).waitAsync;

/** Indexes into the control array. PRODUCED and CONSUMED count slots since the start. */
export const PRODUCED = 0;
export const CONSUMED = 1;
/** Set by destroy(): the worker stops at once. */
export const STOP = 2;
/** Set by the worker when it ends for any reason, so that a write() waiting for a slot never
 *  waits for a worker that is gone. */
export const ENDED = 3;
/** A slot's length that marks the end of the text: the worker replies and ends. */
export const END_OF_TEXT = -1;

export interface RingBuffers {
  readonly control: Int32Array;
  /** The length in bytes of what each slot holds. */
  readonly lengths: Int32Array;
  readonly data: Uint8Array;
  readonly slots: number;
  readonly slotBytes: number;
}

export interface ThreadWriter {
  /** Queues the text; waits first while every slot of the ring is still unwritten. */
  write(text: string): void;
  /** Resolves once half the ring is free (or the worker has ended). A caller about to write much
   *  waits here, on the event loop, rather than in write(), where the thread blocks and a Ctrl-C
   *  is not heard until the reader reads again (`t2t plan -o json | less`, paused). */
  roomy(): Promise<void>;
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

/** `slots` and `slotBytes` are there for the tests, which make the ring wrap around and split
 *  characters' texts across slots; a slot holds at least one character (4 bytes). */
export function openThreadWriter(fd: number, slots = SLOTS, slotBytes = SLOT_BYTES): ThreadWriter {
  if (slots < 1 || slotBytes < 4) throw new RangeError(`a ring of ${slots} slots of ${slotBytes} bytes cannot hold a character`);
  const ring: RingBuffers = {
    control: new Int32Array(new SharedArrayBuffer(4 * 4)),
    lengths: new Int32Array(new SharedArrayBuffer(4 * slots)),
    data: new Uint8Array(new SharedArrayBuffer(slots * slotBytes)),
    slots,
    slotBytes,
  };
  const { control, lengths } = ring;
  const views = Array.from({ length: slots }, (_, i) => ring.data.subarray(i * slotBytes, (i + 1) * slotBytes));
  const encoder = new TextEncoder();
  // execArgv: none of the process's node options (the heap sizes of the #! line, a preloaded
  // module): the worker only writes
  const worker = new Worker(new URL('./thread-writer-worker.js', import.meta.url), { workerData: { fd, ring }, execArgv: [] });
  // a command that fails before close() must still exit: the worker does not hold the process
  worker.unref();
  let failure: Error | undefined;
  worker.once('error', (e) => (failure = e));
  let produced = 0;
  // the slot being filled (texts are packed: a slot is handed to the worker once full, or at the
  // end), and how many bytes it holds
  let open: number | undefined;
  let filled = 0;

  /** The next free slot's index, once the worker has written enough; undefined if it has ended. */
  function freeSlot(): number | undefined {
    for (;;) {
      if (Atomics.load(control, ENDED)) return undefined;
      const consumed = Atomics.load(control, CONSUMED);
      if (produced - consumed < slots) return produced % slots;
      Atomics.wait(control, CONSUMED, consumed, 1000);
    }
  }

  /** Slots neither written by the worker nor free: published ones and the one being filled. */
  const busy = () => produced - Atomics.load(control, CONSUMED) + (open === undefined ? 0 : 1);

  function publish(slot: number, length: number): void {
    lengths[slot] = length;
    Atomics.store(control, PRODUCED, ++produced);
    Atomics.notify(control, PRODUCED);
  }

  function publishOpen(): void {
    if (open !== undefined) publish(open, filled);
    open = undefined;
    filled = 0;
  }

  return {
    write(text) {
      let rest = text;
      while (rest.length > 0) {
        open ??= freeSlot();
        if (open === undefined) return; // the worker ended: close() reports why
        // encodeInto stops before a character that does not fit, never inside one
        const { read, written } = encoder.encodeInto(rest, views[open]!.subarray(filled));
        filled += written;
        if (read === rest.length) break;
        publishOpen(); // full
        rest = rest.slice(read);
      }
    },
    async roomy() {
      // an Atomics wait keeps nothing alive: the worker does, meanwhile (else node, seeing nothing
      // left to do, would end the process)
      worker.ref();
      try {
        while (!Atomics.load(control, ENDED) && busy() > slots / 2) {
          const consumed = Atomics.load(control, CONSUMED);
          if (busy() <= slots / 2) break;
          const wait = waitAsync(control, CONSUMED, consumed, 1000);
          if (wait.async) await wait.value;
        }
      } finally {
        worker.unref();
      }
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
        publishOpen();
        const slot = freeSlot();
        if (slot !== undefined) publish(slot, END_OF_TEXT);
      });
    },
    async destroy() {
      Atomics.store(control, STOP, 1);
      Atomics.notify(control, PRODUCED);
      // the worker is unref'd: without this, a process with nothing else to wait for (a plan
      // interrupted while its reader had stopped reading) would end here, before the caller goes on
      worker.ref();
      await worker.terminate();
      Atomics.store(control, ENDED, 1); // a later write() returns at once
    },
  };
}
