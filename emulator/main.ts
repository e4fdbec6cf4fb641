// The emulator program: `node dist/emulator/main.js --config FILE [--port N] [--data DIR]`.
// Prints `t2t emulator listening on https://127.0.0.1:PORT` then `t2t emulator CA: <ca.pem>`, and
// runs until SIGINT/SIGTERM, saving the tenants (with --data) before it exits.
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { loadConfigFile, ConfigError, type EmulatorConfig } from './config.js';
import { Emulator, tenantFromConfig, applyConfig } from './store/emulator-state.js';
import { allRoutes } from './core/routes.js';
import { defaultKeyDir, loadOrCreateTls } from './core/ca.js';
import { startServer, type RunningServer } from './core/server.js';
import { TokenSigner } from './auth/jwt.js';
import { loadSaved, Persistence } from './store/persistence.js';
import { backfillGuestRecipients } from './store/exchange-state.js';
import { generateTenant } from './generate/generate-tenant.js';

export const DEFAULT_PORT = 7365;

export interface StartOptions {
  config: EmulatorConfig;
  port: number;
  dataDir?: string;
  env?: NodeJS.ProcessEnv;
  /** Progress lines (generation) go here; stdout stays for the two contract lines. */
  log?: (line: string) => void;
}

export interface StartedEmulator {
  emulator: Emulator;
  server: RunningServer;
  caFile: string;
  persistence?: Persistence;
  stop(): Promise<void>;
}

/** Build the tenants (load saved ones, generate fresh ones), then listen. */
export async function startEmulatorProgram(o: StartOptions): Promise<StartedEmulator> {
  const keyDir = o.dataDir ? resolve(o.dataDir) : defaultKeyDir(o.env);
  const tls = loadOrCreateTls(keyDir);
  const emulator = new Emulator(o.config, allRoutes());
  emulator.signer = new TokenSigner(tls.signingKey);
  const saved = o.dataDir ? loadSaved(o.dataDir) : undefined;
  if (saved) emulator.clockOffsetMs = saved.clockOffsetMs;
  const fresh: string[] = [];
  for (const c of o.config.tenants) {
    const old = saved?.tenants.find((t) => t.name === c.name);
    if (old) {
      applyConfig(old, c);
      // saves made before guests had an Exchange recipient
      backfillGuestRecipients(old, emulator.now());
      emulator.addTenant(old);
    } else {
      emulator.addTenant(tenantFromConfig(c));
      fresh.push(c.name);
    }
  }
  // The server must be up for generated content that the handlers address by URL; the contract
  // line is printed only once generation is done, so clients never see a half-built tenant.
  const server = await startServer(emulator, tls, o.port);
  for (const name of fresh) {
    const c = o.config.tenants.find((x) => x.name === name)!;
    await generateTenant(emulator, emulator.tenant(emulator.tenants.find((t) => t.name === name)!.id)!, c, o.log ?? (() => {}));
  }
  let persistence: Persistence | undefined;
  if (o.dataDir) {
    persistence = new Persistence(emulator, resolve(o.dataDir));
    const p = persistence;
    emulator.onWrite = () => p.changed();
    p.saveNow();
  }
  return {
    emulator,
    server,
    caFile: tls.caFile,
    ...(persistence ? { persistence } : {}),
    async stop() {
      await server.close();
      if (persistence) await persistence.close();
    },
  };
}

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: { config: { type: 'string' }, port: { type: 'string' }, data: { type: 'string' }, help: { type: 'boolean', short: 'h' }, 'stop-with-parent': { type: 'boolean' } },
      strict: true,
    }).values;
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message.split('\n')[0]}\nhint: usage: t2t emulator --config FILE [--port N] [--data DIR]\n`);
    return 1;
  }
  if (args.help) {
    process.stdout.write('usage: node dist/emulator/main.js --config FILE [--port N] [--data DIR]\n');
    return 0;
  }
  if (!args.config) {
    process.stderr.write('error: --config FILE is required\nhint: usage: t2t emulator --config FILE [--port N] [--data DIR]\n');
    return 1;
  }
  const port = args.port === undefined ? DEFAULT_PORT : Number(args.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`error: --port '${args.port}' is not a port number\nhint: use 0..65535 (0 picks a free port)\n`);
    return 1;
  }
  let config: EmulatorConfig;
  try {
    config = loadConfigFile(args.config);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`error: ${e.message}\nhint: fix the listed keys; examples/contoso-fabrikam/emulator.yaml shows each section, with comments\n`);
      return 1;
    }
    throw e;
  }
  let started: StartedEmulator;
  try {
    started = await startEmulatorProgram({ config, port, ...(args.data ? { dataDir: args.data } : {}), log: (l) => process.stderr.write(`${l}\n`) });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') {
      process.stderr.write(`error: port ${port} on 127.0.0.1 is already in use\nhint: stop the other process or pass --port 0 for a free port\n`);
      return 1;
    }
    process.stderr.write(`error: the emulator could not start: ${err.message}\n`);
    return 1;
  }
  process.stdout.write(`t2t emulator listening on ${started.server.url}\nt2t emulator CA: ${started.caFile}\n`);
  await new Promise<void>((resolveStop) => {
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      started.stop().then(resolveStop, (e: unknown) => {
        process.stderr.write(`error: saving the emulator data failed: ${(e as Error).message}\n`);
        resolveStop();
      });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    // `t2t emulator` passes --stop-with-parent and holds our stdin open: when it ends, however it
    // ends (SIGKILL included, which it cannot pass on), the pipe closes and we stop too, rather than
    // hold the port with no one to stop us
    if (args['stop-with-parent']) {
      process.stdin.on('end', stop).on('close', stop).on('error', stop).resume();
    }
  });
  return 0;
}

const isMain = process.argv[1] && import.meta.url === new URL(`file://${resolve(process.argv[1])}`).href;
if (isMain) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`error: the emulator failed: ${(e as Error).stack ?? String(e)}\n`);
      process.exit(1);
    },
  );
}
