// `--wave NAME` must name a wave of the project: one check, one message, for every command.
import type { Project, Wave } from '../manifest/model.js';
import { UserError } from '../errors.js';
import { didYouMean } from '../util/suggest.js';

export function requireWave(project: Project, name: string): Wave {
  const wave = project.waves.find((w) => w.name === name);
  if (wave) return wave;
  const names = project.waves.map((w) => w.name);
  throw new UserError(
    `no wave named '${name}' in project ${project.name}${didYouMean(name, names)}`,
    'project.unknownWave',
    `waves: ${names.join(', ') || '(none)'}`,
  );
}
