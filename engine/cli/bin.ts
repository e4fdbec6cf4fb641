#!/usr/bin/env -S node --max-semi-space-size=32 --initial-old-space-size=512
// The `t2t` executable: a few lines around main(), which tests call in-process.
// The node options above size V8's heap for a 100,000-user plan, which reads some 400 MB of
// inventory that all survives: a larger young generation promotes it in fewer scavenges, and a
// larger first old-generation limit saves the full collections V8 would run while the heap grows
// to that size (10 to 15 % of such a plan, measured by bench/plan). V8 reads them only at start-up.
// npm passes them on where it installs the command (a symlink here, a shim on Windows); `node
// dist/engine/cli/bin.js` runs without them, slower for huge projects only.
import { main } from './main.js';

const controller = new AbortController();
let interrupts = 0;
const onSignal = (signal: NodeJS.Signals) => {
  interrupts++;
  if (interrupts > 1) process.exit(130); // a second Ctrl-C does not wait
  process.stderr.write(`\n${signal} received: finishing in-flight work, then stopping (again to force)\n`);
  controller.abort(signal);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

// A reader that goes away early (`t2t plan | head`, a pager quit) is no failure of the command:
// what is still to print is dropped, and the command finishes with its own exit code. Without a
// listener, node would crash on the EPIPE with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
  });
}

const code = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
  signal: controller.signal,
  stopAnnounced: true,
});
// Exit as soon as what was printed has reached stdout and stderr: left to end by itself, node
// would first tear down a heap of half a GiB after a large plan (about 0.1 s, measured by
// bench/plan). Every command has finished its own work when main returns (files written, worker
// threads closed); only the streams, asynchronous on a pipe, may still hold output, and a write's
// callback runs once everything written before it is out (or the reader has gone).
const flushed = (stream: NodeJS.WriteStream) => new Promise<void>((resolve) => stream.write('', () => resolve()));
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(code);
