// The demo's emulator: the emulator program (dist/emulator/main.js) run as a child process, as
// `t2t emulator` runs it. The engine never imports emulator code; it only reads the two lines the
// emulator prints on start (its URL and its CA file).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { packageRoot } from '../util/package-root.js';

export interface DemoEmulator {
  readonly url: string;
  readonly caFile: string;
  readonly pid: number;
  /** Stops the child (SIGTERM, then SIGKILL after a grace period) and waits for it to exit. */
  stop(): Promise<void>;
}

export interface StartEmulatorOptions {
  configFile: string;
  dataDir: string;
  port: number;
  env: NodeJS.ProcessEnv;
  /** Milliseconds to wait for the two start lines before giving up. */
  startTimeoutMs?: number;
}

export function emulatorMain(): string {
  return join(packageRoot(), 'dist', 'emulator', 'main.js');
}

// Every child still running when this process exits (a second Ctrl-C exits at once) is killed.
const children = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): void {
  children.add(child);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    });
  }
}

export async function startDemoEmulator(o: StartEmulatorOptions): Promise<DemoEmulator> {
  const main = emulatorMain();
  if (!existsSync(main)) throw new UserError('the emulator is not built', 'demo.emulatorNotBuilt', "run 'npm run build' first (npm ci builds it too)");
  // The emulator's own CA lives in its data directory, so a demo never touches ~/.t2t.
  const child = spawn(process.execPath, [main, '--config', o.configFile, '--port', String(o.port), '--data', o.dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...o.env, T2T_HOME: join(o.dataDir, 'home') },
  });
  track(child);
  const exited = new Promise<void>((r) => child.once('exit', () => (children.delete(child), r())));
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => {
    if (stderr.length < 8000) stderr += c.toString();
  });
  let lines: string[];
  try {
    lines = await new Promise<string[]>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new UserError(`the emulator did not start within ${(o.startTimeoutMs ?? 20_000) / 1000} s`, 'demo.emulatorTimeout', `its last output: ${lastLine(stderr)}; run it alone to see why: t2t emulator --config examples/contoso-fabrikam/emulator.yaml --port 0`)), o.startTimeoutMs ?? 20_000);
      const onData = (c: Buffer) => {
        out += c.toString();
        const l = out.split('\n');
        if (l.length > 2) {
          clearTimeout(timer);
          child.stdout!.off('data', onData);
          resolve(l);
        }
      };
      child.stdout!.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(
          new UserError(
            `the emulator exited with code ${code} before listening${o.port ? ` (port ${o.port})` : ''}: ${lastLine(stderr)}`,
            'demo.emulatorFailed',
            o.port ? 'stop what uses that port, or pass --port 0 (a free port)' : 'run the emulator alone to see why: t2t emulator --config examples/contoso-fabrikam/emulator.yaml --port 0',
          ),
        );
      });
    });
  } catch (e) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    throw e;
  }
  child.stdout!.resume(); // keep draining so the child never blocks on a full pipe
  const url = /listening on (https:\/\/\S+)/.exec(lines[0]!)?.[1];
  const caFile = /CA: (.+)$/.exec(lines[1]!)?.[1]?.trim();
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(force);
    }
  };
  if (!url || !caFile) {
    await stop();
    throw new UserError(`unexpected emulator start output: '${lines[0]}'`, 'demo.emulatorOutput', 'rebuild with npm run build; the emulator must print its URL and CA path first');
  }
  return { url, caFile, pid: child.pid!, stop };
}

/** The emulator's own error line (it prints `error: …` then `hint: …`), else its last line. */
function lastLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  const error = lines.find((l) => l.startsWith('error:'));
  return error ? error.replace(/^error:\s*/, '') : lines.pop() ?? 'no output';
}
