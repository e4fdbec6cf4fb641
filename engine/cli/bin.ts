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
});
process.exitCode = code;
