// `t2t plan --out FILE` of a plan that spec.safety.maxDeletes refuses: the file is saved for
// review, exit 1, and stderr does not tell the user to apply it (apply refuses it too). Found by a
// review helper: "plan saved to FILE: run 't2t apply … --plan FILE' to apply exactly this" came
// right before "error: the plan deletes 8 objects … refused".
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSynthetic } from '../../bench/plan/generate.js';
import { writeProjectFiles } from '../../bench/plan/project-files.js';
import { writeCache } from '../../bench/plan/run.js';
import { runCli } from '../helpers/cli.js';

test('a plan refused by maxDeletes, saved with --out: saved for review, not offered to apply', async () => {
  const dir = await mkdtemp(join(tmpdir(), 't2t-plan-refused-'));
  try {
    // waves rolled back from synced: with spec.prune: true their licences and content are deleted
    const { project, inventory } = generateSynthetic(60, { settled: false });
    await writeProjectFiles(dir, project);
    await writeCache(join(dir, '.t2t'), project, inventory);
    const yaml = join(dir, 'project.yaml');
    await writeFile(yaml, (await readFile(yaml, 'utf8')).replace(/^spec:$/m, 'spec:\n  prune: true'));
    const r = await runCli(['plan', dir, '--offline', '--out', 'plan.json'], { cwd: dir });
    assert.is(r.code, 1, r.stderr);
    assert.match(r.stderr, /^plan saved to plan\.json for review only: apply refuses it as well \(see the error below\)$/m);
    assert.not.match(r.stderr, /to apply exactly this/);
    assert.match(r.stderr, /^error: the plan deletes \d+ objects \(users or content\), more than spec\.safety\.maxDeletes \(0\): refused$/m);
    const saved = JSON.parse(await readFile(join(dir, 'plan.json'), 'utf8')) as { refusal: { code: string } | null };
    assert.is(saved.refusal?.code, 'MaxDeletesExceeded');
    // without the refusal, the hint to apply it stays
    await writeFile(yaml, (await readFile(yaml, 'utf8')).replace('  prune: true\n', ''));
    const ok = await runCli(['plan', dir, '--offline', '--out', 'plan.json'], { cwd: dir });
    assert.is(ok.code, 0, ok.stderr);
    assert.match(ok.stderr, /^plan saved to plan\.json: run 't2t apply .* --plan plan\.json' to apply exactly this$/m);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
