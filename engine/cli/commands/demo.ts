// `t2t demo`: the README's first command. Starts an emulator seeded from the example's
// emulator.yaml, copies the example project into a temporary git repository pointed at it, and
// walks through validate, discover, plan, prepare, sync, a paused cutover and its rollback, each
// move a real commit, printing the plan and status along the way.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { Command } from '../command.js';
import { bool, str } from '../command.js';
import { colours, out } from '../io.js';
import { UserError } from '../../errors.js';
import { packageRoot } from '../../util/package-root.js';
import { COMMANDS } from '../registry.js';

const command: Command = {
  name: 'demo',
  summary: COMMANDS['demo']!.summary,
  usage: '[options]',
  description: `
Runs the example project (examples/contoso-fabrikam) against a local emulator, in under a minute:
validate, discover, plan; then the pilot wave is moved by commits to prepared, synced and cutover,
the cutover is interrupted and paused, and a git revert rolls it back. Each step prints the command
as you would type it and its output. Nothing outside a temporary directory is touched: the
emulator's CA, the project's git repository and its .t2t/ cache all live there, and are removed at
the end unless --keep is given. On a terminal the demo waits for Enter between steps.`,
  options: {
    keep: { type: 'boolean', description: 'keep the temporary project repository (and emulator data) afterwards' },
    port: { type: 'string', value: 'N', default: '0', description: 'emulator port on 127.0.0.1 (0 picks a free port)' },
    'no-pause': { type: 'boolean', description: 'do not wait for Enter between steps (never waits without a terminal)' },
  },
  maxPositionals: 0,
  examples: ['npm run demo', 't2t demo --no-pause', 't2t demo --keep --port 7365'],
  async run(args, io) {
    const portText = str(args.values, 'port') ?? '0';
    if (!/^\d+$/.test(portText) || Number(portText) > 65535) throw new UserError(`--port '${portText}' is not a port number`, 'demo.badPort', 'use 0..65535 (0 picks a free port)');
    const keep = bool(args.values, 'keep');
    const pause = !bool(args.values, 'no-pause') && Boolean(io.stdin.isTTY) && Boolean(io.stdout.isTTY);
    const example = join(packageRoot(), 'examples', 'contoso-fabrikam');
    if (!existsSync(join(example, 'project.yaml')) || !existsSync(join(example, 'emulator.yaml'))) {
      throw new UserError(`the example project is missing from ${example}`, 'demo.noExample', 'run the demo from a complete clone of the t2t repository');
    }
    const { startDemoEmulator } = await import('../../demo/emulator-process.js');
    const { keptProjectVariables, prepareWorkspace } = await import('../../demo/prepare-workspace.js');
    const { Transcript } = await import('../../demo/transcript.js');
    const { walkthrough, demoEmulatorConfig, DEMO_LATENCY_MS, INITIAL_WAVES, STEP_COUNT } = await import('../../demo/walkthrough.js');
    const c = colours(io);
    const started = Date.now();

    const root = mkdtempSync(join(tmpdir(), 't2t-demo-'));
    // A second Ctrl-C exits the process at once: the temporary directory still goes.
    const removeOnExit = () => rmSync(root, { recursive: true, force: true });
    if (!keep) process.once('exit', removeOnExit);
    let emulator: Awaited<ReturnType<typeof startDemoEmulator>> | undefined;
    try {
      const env: NodeJS.ProcessEnv = { ...io.env };
      // The demo's project keeps its own cache and trusts its own emulator's CA only.
      delete env.T2T_STATE_DIR;
      delete env.T2T_EMULATOR_CA;
      out(io, c.bold('t2t demo: an emulated Contoso -> Fabrikam migration, driven by git commits'));
      const configFile = join(root, 'emulator.yaml');
      writeFileSync(configFile, demoEmulatorConfig(readFileSync(join(example, 'emulator.yaml'), 'utf8')));
      emulator = await startDemoEmulator({ configFile, dataDir: join(root, 'emulator'), port: Number(portText), env });
      const dir = join(root, 'contoso-fabrikam');
      const ws = await prepareWorkspace({
        exampleDir: example,
        dir,
        emulator,
        env,
        waves: INITIAL_WAVES,
        message: 'Example project, every wave at phase discovered',
      });
      Object.assign(env, ws.env);
      out(io, `emulator:  ${emulator.url}  (contoso and fabrikam from ${relative(io.cwd, join(example, 'emulator.yaml')) || 'emulator.yaml'}, ${DEMO_LATENCY_MS} ms per response)`);
      out(io, `project:   ${dir}  (a git repository: a copy of examples/contoso-fabrikam pointed at the emulator)`);
      out(io, 'The pilot wave (alice, bob) moves discovered -> prepared -> synced -> cutover, is paused mid-cutover and');
      out(io, 'rolled back with git revert. Every move is a commit to waves/wave-01-pilot.yaml; t2t plans and applies it.');
      out(io, c.dim('Commands run in the project directory, as you would run them. Secrets (the emulator apps\' client secrets,'));
      out(io, c.dim('the certificate passwords) are passed in the environment and never printed.'));
      const transcript = new Transcript({ io, dir, env, pause }, STEP_COUNT);
      await walkthrough(transcript, dir, env);

      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      out(io);
      out(io, c.bold(`Done in ${seconds} s.`));
      out(io, keep ? `The project repository is kept in ${dir}` : 'The temporary project repository and emulator data were removed (keep them with: npm run demo -- --keep).');
      if (keep) {
        const port = new URL(emulator.url).port;
        out(io, `  to look again: cd ${dir} && git log --oneline && t2t history .`);
        out(io, `  to run its emulator again: t2t emulator --config ${join(root, 'emulator.yaml')} --port ${port} --data ${join(root, 'emulator')}`);
        const variables = keptProjectVariables(ws.project, io.env);
        if (variables) out(io, variables);
      }
      out(io, 'Your own project: copy the example into projects/<name>/ (see projects/README.md), set each tenant\'s');
      out(io, 'cloud, tenantId and app clientId, export the secrets its manifests name, then:');
      out(io, '  t2t validate projects/<name> && t2t tenants projects/<name> && t2t plan projects/<name>');
      return 0;
    } finally {
      await emulator?.stop();
      if (!keep) {
        removeOnExit();
        process.off('exit', removeOnExit);
      }
    }
  },
};

export default command;
