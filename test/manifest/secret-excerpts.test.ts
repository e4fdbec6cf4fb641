// A literal secret in a manifest never reaches `t2t validate`'s output, whatever the diagnostic:
// every excerpt is masked where it is made (mask-secrets.ts), in text and in JSON.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from '../helpers/cli.js';
import { isSecretKeyName, maskLine } from '../../engine/manifest/mask-secrets.js';
import { cleanup, PROJECT, testdir, wave } from './helpers.js';

test.after.each(cleanup);

const SRC_SECRET = '        clientSecret: { fromEnv: SRC_SECRET }';

/** The inline project with the source tenant's clientSecret line (line 12) replaced. */
function project(lines: string): string {
  assert.ok(PROJECT.includes(SRC_SECRET));
  return PROJECT.replace(SRC_SECRET, lines);
}

interface JsonDiagnostic {
  code: string;
  file: string;
  line: number;
  col: number;
  message: string;
  excerpt?: string;
}

async function validate(projectYaml: string): Promise<{ text: string; json: { errors: JsonDiagnostic[] }; raw: string }> {
  const dir = testdir({ 'project.yaml': projectYaml, 'waves/a.yaml': wave('a', '    users: [x@src.com]\n') });
  const text = await runCli(['validate', dir]);
  const json = await runCli(['validate', dir, '--output', 'json']);
  assert.is(text.code, 1);
  assert.is(json.code, 1);
  return { text: text.stdout + text.stderr, json: JSON.parse(json.stdout) as { errors: JsonDiagnostic[] }, raw: json.stdout + json.stderr };
}

// The three forms an audit found quoted unmasked, each with the diagnostics it must still give.
const LEAKS: { name: string; line: string; secret: string; expected: [code: string, line: number, col: number, message: RegExp, excerpt: string][] }[] = [
  {
    name: 'a literal value inside a secret reference (flow mapping)',
    line: '        clientSecret: { fromEnv: X, value: s3cr3t-literal-value }',
    secret: 's3cr3t-literal-value',
    expected: [
      ['bad-value', 12, 23, /clientSecret must name exactly one source/, '        clientSecret: { fromEnv: X, value: *** }'],
      ['secret-literal', 12, 37, /clientSecret takes only fromEnv or file, not 'value'/, '        clientSecret: { fromEnv: X, value: *** }'],
    ],
  },
  {
    name: 'a misspelled secret key (unknown-key)',
    line: '        clientSecrett: s3cr3t-B',
    secret: 's3cr3t-B',
    expected: [['unknown-key', 12, 9, /unknown key 'clientSecrett' in spec\.tenants\.src\.auth/, '        clientSecrett: ***']],
  },
  {
    name: 'a secret in a flow sequence (wrong-type)',
    line: '        clientSecret: [s3cr3t-D]',
    secret: 's3cr3t-D',
    expected: [['wrong-type', 12, 23, /clientSecret must be a mapping, not a list/, '        clientSecret: [***]']],
  },
];

for (const leak of LEAKS) {
  test(`validate masks ${leak.name}, in text and JSON, and still names file, line and cause`, async () => {
    const { text, json, raw } = await validate(project(leak.line));
    assert.not.ok(text.includes(leak.secret), text);
    assert.not.ok(raw.includes(leak.secret), raw);
    assert.equal(
      json.errors.map((e) => [e.code, e.file, e.line, e.col, e.excerpt]),
      leak.expected.map(([code, line, col, , excerpt]) => [code, 'project.yaml', line, col, excerpt]),
    );
    for (const [code, line, col, message, excerpt] of leak.expected) {
      const d = json.errors.find((e) => e.code === code)!;
      assert.match(d.message, message);
      assert.ok(text.includes(`project.yaml:${line}:${col}: error: ${d.message} [${code}]\n  ${line} | ${excerpt}\n`), text);
    }
  });
}

test('a secret spread over lines (block mapping, block scalar) is masked on each line', async () => {
  const { text, raw } = await validate(project('        clientSecret:\n          fromEnv: X\n          value: s3cr3t-block\n          extra: |\n            s3cr3t-scalar'));
  for (const secret of ['s3cr3t-block', 's3cr3t-scalar']) {
    assert.not.ok(text.includes(secret), text);
    assert.not.ok(raw.includes(secret), raw);
  }
  assert.ok(text.includes('  14 |           value: ***\n'), text);
  assert.ok(text.includes('  13 |           fromEnv: X\n'), text); // a reference is not a secret
});

test('a secret written at an anchor and used through an alias is masked at the anchor too', async () => {
  const yaml = project('        clientSecret: *s').replace('  name: inline\n', '  name: inline\n  note: &s s3cr3t-anchored\n');
  const { text, json, raw } = await validate(yaml);
  assert.not.ok(text.includes('s3cr3t-anchored'), text);
  assert.not.ok(raw.includes('s3cr3t-anchored'), raw);
  assert.equal(
    json.errors.map((e) => [e.code, e.line, e.excerpt]),
    [
      ['unknown-key', 5, '  note: &s ***'],
      ['secret-literal', 13, '        clientSecret: *s'],
    ],
  );
});

test('a secret key where a tenant\'s auth takes clientSecret is pointed at clientSecret, a certificate\'s at passwordFromEnv', async () => {
  const auth = await validate(project('        clientSecret: { fromEnv: SRC_SECRET }\n        secret: s3cr3t-beside'));
  const text = auth.text;
  assert.not.ok(text.includes('s3cr3t-beside'));
  assert.match(text, /auth\.secret would hold a literal secret/);
  assert.match(text, /hint: write clientSecret: \{ fromEnv: VARIABLE \}/);
  assert.not.match(text, /passwordFromEnv/);
});

test('near-miss secret keys hold secrets; the manifest keys of t2t do not', () => {
  for (const key of ['clientSecret', 'clientSecrett', 'clientSecert', 'pasword', 'passwrod', 'pwd', 'tokn', 'accessToken', 'apiKey', 'private_key', 'credentail', 'pfxPassword']) {
    assert.ok(isSecretKeyName(key), key);
  }
  for (const key of ['fromEnv', 'file', 'passwordFromEnv', 'passwordFile', 'pfxFile', 'clientId', 'dkimSelector', 'tlsCertificate', 'certificate', 'tenantId', 'value', 'subject']) {
    assert.not.ok(isSecretKeyName(key), key);
  }
});

test('a line read on its own (a broken file, a CSV) is masked too', () => {
  assert.is(maskLine('  clientSecret: { fromEnv: X, value: s3cr3t'), '  clientSecret: ***');
  assert.is(maskLine('  - { clientSecret: "s3cr3t", x: 1 } # note'), '  - { clientSecret: ***, x: 1 } # note');
  assert.is(maskLine('  clientSecret: { s3cr3t }'), '  clientSecret: { *** }');
  assert.is(maskLine('  clientSecret: { file: ./secret.txt }'), '  clientSecret: { file: ./secret.txt }');
  assert.is(maskLine('alice@src.com,Alice'), 'alice@src.com,Alice');
});

test.run();
