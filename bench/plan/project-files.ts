// The synthetic project of generate.ts written as a project directory (Project manifest, one wave
// manifest and one members CSV per wave), so the benchmark can run the real `t2t plan` on it: the
// CLI loads and validates the manifests, hashes them, reads the cache and renders, as a user's
// run does. Kept equal to syntheticProject() in generate.ts (the cache load checks tenant ids).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Project } from '../../engine/manifest/model.js';

/** Writes `project` (from generateSyntheticProject) into dir. */
export async function writeProjectFiles(dir: string, project: Project): Promise<void> {
  await mkdir(join(dir, 'waves'), { recursive: true });
  const tenants = project.tenants
    .map(
      (t) => `    ${t.name}:
      role: ${t.role}
      tenantId: ${t.tenantId}
      auth: { clientId: 00000000-0000-4000-8000-00000000000${t.role === 'source' ? 1 : 2}, clientSecret: { fromEnv: BENCH_${t.name.toUpperCase()}_SECRET } }`,
    )
    .join('\n');
  const profile = project.profiles['standard']!;
  await writeFile(
    join(dir, 'project.yaml'),
    `apiVersion: t2t.dev/v1
kind: Project
metadata:
  name: ${project.name}
spec:
  tenants:
${tenants}
  domains:
${project.domains.map((d) => `    - { source: ${d.source}, target: ${d.target} }`).join('\n')}
  matching:
${project.matching.map((m) => `    - { source: ${m.source}, target: ${m.target}, mapDomain: ${m.mapDomain} }`).join('\n')}
  attributes:
${project.attributes
  .map((a) => `    - { target: ${a.target}, ${a.template !== undefined ? `template: "${a.template}"` : `from: ${a.from}`}${a.transform.length ? `, transform: [${a.transform.join(', ')}]` : ''} }`)
  .join('\n')}
  profiles:
    standard:
      createAs: ${profile.createAs}
      license: { skus: [${profile.license?.skus.join(', ')}] }
      workloads: [${profile.workloads.join(', ')}]
`,
  );
  for (const w of project.waves) {
    await writeFile(join(dir, 'waves', `${w.name}.csv`), w.members.users.join('\n') + '\n');
    await writeFile(
      join(dir, 'waves', `${w.name}.yaml`),
      `apiVersion: t2t.dev/v1
kind: Wave
metadata:
  name: ${w.name}
spec:
  profile: ${w.profile}
  phase: ${w.phase}
  members:
    csv: waves/${w.name}.csv
`,
    );
  }
}
