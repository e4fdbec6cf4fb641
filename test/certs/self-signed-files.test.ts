// The PFX files `t2t certs --self-signed` and the demo write: whole or not at all, the owner's
// only, and an existing file is left alone unless the caller replaces it on purpose.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingCertificates, writeSelfSignedCertificates } from '../../engine/certs/generate-project.js';
import { readPfx } from '../../engine/certs/pfx.js';
import type { CertificateRef, Project } from '../../engine/manifest/model.js';

const tmp = mkdtempSync(join(tmpdir(), 't2t-selfsigned-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));
let seq = 0;

const ref: CertificateRef = { name: 'signing', pfxFile: 'certs/signing.pfx', passwordFromEnv: 'SIGNING_PASSWORD' };

/** The parts of a project the certificate writer reads. */
function projectIn(dir: string): Project {
  return { dir, domains: [{ source: 'contoso.com', target: 'fabrikam.com' }], certificates: { signing: ref } } as unknown as Project;
}

test('a missing certificate is written whole, readable by its owner only, with no temp file left beside it', () => {
  const dir = join(tmp, `p${++seq}`);
  const project = projectIn(dir);
  assert.equal(missingCertificates(project), [ref]);
  assert.equal(writeSelfSignedCertificates(project, [ref], () => 'pw-1'), ['certs/signing.pfx']);
  const file = join(dir, 'certs', 'signing.pfx');
  assert.is(statSync(file).mode & 0o777, 0o600);
  assert.equal(readdirSync(join(dir, 'certs')), ['signing.pfx']);
  assert.match(readPfx(readFileSync(file), 'pw-1', ref).subject, /signing\.t2t\.invalid/);
  assert.equal(missingCertificates(project), []);
});

test('a file that appeared meanwhile is left as it is and not reported; the demo replaces it on purpose', () => {
  const dir = join(tmp, `p${++seq}`);
  mkdirSync(join(dir, 'certs'), { recursive: true });
  const file = join(dir, 'certs', 'signing.pfx');
  writeFileSync(file, 'the user\'s own file');
  assert.equal(writeSelfSignedCertificates(projectIn(dir), [ref], () => 'pw-2'), []);
  assert.is(readFileSync(file, 'utf8'), "the user's own file");
  assert.equal(readdirSync(join(dir, 'certs')), ['signing.pfx'], 'no temp file left');
  assert.equal(writeSelfSignedCertificates(projectIn(dir), [ref], () => 'pw-2', { overwrite: true }), ['certs/signing.pfx']);
  assert.match(readPfx(readFileSync(file), 'pw-2', ref).subject, /signing\.t2t\.invalid/);
});

test('a temp file a crash left is not taken for the certificate, and the next run writes it', () => {
  const dir = join(tmp, `p${++seq}`);
  mkdirSync(join(dir, 'certs'), { recursive: true });
  writeFileSync(join(dir, 'certs', `.signing.pfx.${process.pid}.tmp`), 'half a PFX');
  const project = projectIn(dir);
  assert.equal(missingCertificates(project), [ref]);
  assert.equal(writeSelfSignedCertificates(project, [ref], () => 'pw-3'), ['certs/signing.pfx']);
  assert.ok(readPfx(readFileSync(join(dir, 'certs', 'signing.pfx')), 'pw-3', ref));
  assert.equal(readdirSync(join(dir, 'certs')), ['signing.pfx']);
});

test.run();
