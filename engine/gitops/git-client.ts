// The one place that builds a simple-git instance for t2t. simple-git guards the environment
// (GIT_* and editor/pager variables); we pass on only what fetch/push over ssh or https in CI
// needs (the machine's own ssh command and askpass helper), drop the rest (so a GIT_DIR leaked
// from a hook never points us at another repository), and never prompt for credentials.
import { simpleGit, type SimpleGit } from 'simple-git';

const PASS_THROUGH = ['GIT_SSH_COMMAND', 'GIT_SSH', 'GIT_ASKPASS', 'SSH_ASKPASS'];
const GUARDED = new Set(['editor', 'visual', 'pager', 'prefix', 'ssh_askpass']);

export function gitAt(dir: string, options: { config?: string[]; signal?: AbortSignal } = {}): SimpleGit {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined) continue;
    const key = k.toLowerCase();
    if ((key.startsWith('git') || GUARDED.has(key)) && !PASS_THROUGH.includes(k)) continue;
    env[k] = v;
  }
  env.GIT_TERMINAL_PROMPT = '0';
  return simpleGit({
    baseDir: dir,
    allowEnvironment: [...PASS_THROUGH, 'GIT_TERMINAL_PROMPT'],
    unsafe: { allowUnsafeSshCommand: true, allowUnsafeAskPass: true },
    ...(options.config ? { config: options.config } : {}),
    ...(options.signal ? { abort: options.signal } : {}),
  }).env(env);
}

/** The first line of a git failure, without the simple-git wrapping: what the user needs to read. */
export function gitMessage(e: unknown): string {
  const text = (e as Error)?.message ?? String(e);
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('hint:'));
  return lines.find((l) => /^(fatal|error):/.test(l))?.replace(/^(fatal|error):\s*/, '') ?? lines[0] ?? 'git failed';
}
