// `t2t emulator`: runs the emulator program (dist/emulator/main.js) as a child process, passes its
// output through, and stops it on Ctrl-C / SIGTERM. The engine never imports emulator code.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from '../command.js';
import { str } from '../command.js';
import { UserError } from '../../errors.js';
import { packageRoot } from '../../util/package-root.js';
import { COMMANDS } from '../registry.js';

const command: Command = {
  name: 'emulator',
  summary: COMMANDS['emulator']!.summary,
  usage: '--config FILE [--port N] [--data DIR]',
  description: [
    'Serves the tenants of FILE on https://127.0.0.1:PORT: sign-in (OpenID metadata, client credentials),',
    'Microsoft Graph (/v1.0, /beta) and the Exchange admin API (/adminapi). Prints',
    '"t2t emulator listening on https://127.0.0.1:PORT" and "t2t emulator CA: <ca.pem>", then runs until',
    'Ctrl-C or SIGTERM. Its certificate comes from a local CA kept in DIR (or $T2T_HOME/emulator):',
    'tenants with `cloud: emulator` trust it through their caFile, T2T_EMULATOR_CA, or that path.',
    'With --data the tenants persist across restarts; without it they live in memory.',
  ].join('\n'),
  options: {
    config: { type: 'string', value: 'FILE', description: 'emulator config (tenants, apps, licences, limits, faults)' },
    port: { type: 'string', value: 'N', default: '7365', description: 'port on 127.0.0.1 (0 picks a free port)' },
    data: { type: 'string', value: 'DIR', description: 'keep tenants and the CA in DIR across restarts' },
  },
  maxPositionals: 0,
  examples: ['t2t emulator --config examples/contoso-fabrikam/emulator.yaml', 't2t emulator --config emulator.yaml --port 0 --data .emulator'],
  async run(args, io) {
    const config = str(args.values, 'config');
    if (!config) throw new UserError('--config FILE is required', 'emulator.noConfig', 'example: t2t emulator --config examples/contoso-fabrikam/emulator.yaml');
    const configPath = resolve(io.cwd, config);
    if (!existsSync(configPath)) throw new UserError(`emulator config '${config}' does not exist`, 'emulator.configMissing', `looked for ${configPath}`);
    const port = str(args.values, 'port') ?? '7365';
    if (!/^\d+$/.test(port) || Number(port) > 65535) throw new UserError(`--port '${port}' is not a port number`, 'emulator.badPort', 'use 0..65535 (0 picks a free port)');
    const main = join(packageRoot(), 'dist', 'emulator', 'main.js');
    if (!existsSync(main)) throw new UserError('the emulator is not built', 'emulator.notBuilt', "run 'npm run build' first");
    const data = str(args.values, 'data');
    const argv = [main, '--config', configPath, '--port', port, ...(data ? ['--data', resolve(io.cwd, data)] : []), '--stop-with-parent'];
    // the child's stdin is a pipe this process holds: if it dies without stopping the child (a
    // SIGKILL), the pipe closes and the emulator stops itself instead of keeping the port
    const child = spawn(process.execPath, argv, { stdio: ['pipe', 'pipe', 'pipe'], env: io.env, cwd: io.cwd });
    child.stdout.pipe(io.stdout, { end: false });
    child.stderr.pipe(io.stderr, { end: false });
    const stop = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    };
    io.signal.addEventListener('abort', stop, { once: true });
    const code = await new Promise<number>((r) => child.once('exit', (c, sig) => r(c ?? (sig === 'SIGTERM' || sig === 'SIGINT' ? 0 : 1))));
    io.signal.removeEventListener('abort', stop);
    return code;
  },
};

export default command;
