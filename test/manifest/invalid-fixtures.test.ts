// One fixture directory per rule under test/fixtures/invalid/<case>/: each must produce exactly
// these errors (code, file, line, column, message), and never a Project.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIAGNOSTIC_CODES } from '../../engine/manifest/diagnostics.js';
import { loadProject } from '../../engine/manifest/load-project.js';
import { packageRoot } from '../../engine/util/package-root.js';

const INVALID = join(packageRoot(), 'test', 'fixtures', 'invalid');

type Row = [caseName: string, code: string, file: string, line: number, col: number, message: string];

// Every error of each case, in the order they are reported (sorted by file, line, column).
const EXPECTED: Row[] = [
  ["attribute-source","attribute-source","project.yaml",23,7,"spec.attributes[1] (target companyName) needs exactly one of from, value or template, it has from and value"],
  ["bad-api-version","bad-api-version","project.yaml",1,13,"apiVersion must be 't2t.dev/v1', not 't2t.dev/v2'"],
  ["bad-client-id","bad-guid","project.yaml",11,19,"spec.tenants.src.auth.clientId is not a GUID: 'not-a-guid'"],
  ["bad-cron-field","bad-cron","waves/wave-a.yaml",9,16,"spec.schedule.deltaSync: hour field '25' is out of range 0-23"],
  ["bad-cron-fields","bad-cron","project.yaml",14,19,"spec.tenants.src.discovery.schedule: a cron expression has 5 fields (minute hour day-of-month month day-of-week) or 6 (with a leading second), this one has 3"],
  ["bad-csv","bad-csv","waves/wave-a.csv",3,1,"line 3 holds more than one value: a members CSV has one address a line"],
  ["bad-date-cutover","bad-date","waves/wave-a.yaml",9,16,"spec.schedule.cutoverAt is not a date-time: '2026-13-05T22:00:00Z'"],
  ["bad-date-no-zone","bad-date","project.yaml",14,25,"spec.tenants.src.discovery.deltaTimestamp is not a date-time: '2026-01-01T00:00:00'"],
  ["bad-email","bad-value","waves/wave-a.yaml",9,24,"spec.members.users[1] is not an e-mail address: 'not-an-address'"],
  ["bad-enum-cloud","bad-value","project.yaml",10,14,"spec.tenants.src.cloud must be one of global, usgov, usgovdod, china, emulator, not 'azure'"],
  ["bad-enum-phase","bad-value","waves/wave-a.yaml",7,10,"spec.phase must be one of discovered, prepared, synced, cutover, not 'synched' (did you mean 'synced'?)"],
  ["bad-failure-rate","bad-value","project.yaml",25,29,"spec.safety.maxFailureRate must be <= 1"],
  ["bad-project-name","bad-value","project.yaml",4,9,"metadata.name 'My_Project' may only hold lower-case letters, digits and '-', and must start and end with a letter or digit"],
  ["bad-tenant-id","bad-guid","project.yaml",15,17,"spec.tenants.dst.tenantId is neither a GUID nor a domain name: 'dst tenant'"],
  ["bad-tenant-name","bad-value","project.yaml",13,5,"spec.tenants.Dst: the name 'Dst' may only hold lower-case letters, digits and '-', and must start and end with a letter or digit"],
  ["csv-outside-project","path-outside-project","waves/wave-a.yaml",9,10,"spec.members.csv '../shared/wave-a.csv' is outside the project directory: a members CSV must be inside the project, versioned with its manifests"],
  ["duplicate-domain","duplicate-domain","project.yaml",21,17,"source domain 'src.com' is mapped twice (first at line 20)"],
  ["duplicate-key","duplicate-key","project.yaml",13,5,"duplicate key 'src': keys of a map must be unique"],
  ["duplicate-project","duplicate-project","project.yaml",1,1,"a second Project document (the first is at other/project.yaml:1:1): a project has exactly one"],
  ["duplicate-wave","duplicate-wave","waves/wave-b.yaml",4,9,"wave name 'wave-a' is used twice (also at waves/wave-a.yaml:4:9)"],
  ["email-rewrite-not-configured","email-rewrite-not-configured","waves/wave-a.yaml",8,17,"wave 'wave-a' sets emailRewrite: dayOne but the Project has no spec.emailRewrite"],
  ["empty-members","bad-value","waves/wave-a.yaml",8,3,"spec.members is empty: list users, groups or a csv file"],
  ["emulator-without-endpoint","endpoint-cloud","project.yaml",7,5,"spec.tenants.src has cloud: emulator but no endpoint"],
  ["endpoint-not-emulator","endpoint-cloud","project.yaml",10,7,"spec.tenants.src.endpoint is only allowed with cloud: emulator (this tenant is cloud: global)"],
  ["group-in-two-waves","group-in-two-waves","waves/wave-b.yaml",9,14,"group sales is in wave 'wave-b' and in wave 'wave-a' (at waves/wave-a.yaml:9:14)"],
  ["guest-invite-member-profile","guest-invite-member-profile","project.yaml",26,7,"profile 'standard' has guestInvite but creates members (createAs: member)"],
  ["guest-without-domains","guest-without-domains","project.yaml",22,27,"profile 'standard' creates guests but spec.domains is empty: guest matching needs the domain mapping"],
  ["map-domain-without-domains","map-domain-without-domains","project.yaml",20,73,"spec.attributes[0] uses the mapDomain transform but spec.domains is empty"],
  ["matching-map-domain-without-domains","map-domain-without-domains","project.yaml",20,48,"spec.matching[0] sets mapDomain but spec.domains is empty"],
  ["member-in-two-waves","member-in-two-waves","waves/wave-b.yaml",9,24,"user a@src.com is in wave 'wave-b' and in wave 'wave-a' (at waves/wave-a.yaml:9:13)"],
  ["member-in-two-waves-csv","member-in-two-waves","waves/wave-b.csv",3,1,"user a@src.com is in wave 'wave-b' and in wave 'wave-a' (at waves/wave-a.yaml:9:13)"],
  ["missing-body-file","missing-file","project.yaml",25,67,"bodyFile 'templates/missing.html' of profile 'standard' does not exist"],
  ["missing-csv","missing-file","waves/wave-a.yaml",9,10,"members csv 'waves/missing.csv' does not exist"],
  ["missing-key","missing-key","waves/wave-a.yaml",5,1,"spec is missing the required key 'profile'"],
  ["missing-kind","unknown-kind","waves/wave-a.yaml",1,1,"the document has no kind"],
  ["missing-message-file","missing-file","project.yaml",26,35,"messageFile 'templates/missing.txt' of profile 'standard' does not exist"],
  ["project-kind-typo","unknown-kind","project.yaml",2,7,"unknown kind 'project' (did you mean 'Project'?)"],
  ["secret-literal","secret-literal","project.yaml",12,23,"spec.tenants.src.auth.clientSecret is a literal secret: secrets are never written in manifests"],
  ["secret-literal-password","secret-literal","project.yaml",20,11,"spec.tenants.dst.auth.certificate.password would hold a literal secret: secrets are never written in manifests"],
  ["secret-literal-value-key","secret-literal","project.yaml",12,25,"spec.tenants.src.auth.clientSecret takes only fromEnv or file, not 'value': secrets are never written in manifests"],
  ["secret-two-sources","bad-value","project.yaml",18,23,"spec.tenants.dst.auth.clientSecret must name exactly one source: fromEnv or file"],
  ["tenant-auth","tenant-auth","project.yaml",16,7,"spec.tenants.dst.auth needs exactly one of clientSecret or certificate, it has neither"],
  ["tenant-roles","tenant-roles","project.yaml",6,3,"no tenant has role: target"],
  ["unknown-attribute","unknown-attribute","project.yaml",23,33,"source attribute 'jobtitel' is not a Graph user attribute t2t knows (did you mean 'jobTitle'?)"],
  ["unknown-certificate","unknown-certificate","project.yaml",26,21,"spec.emailRewrite.tlsCertificate names certificate 'rewrite-tls', which spec.certificates does not define (did you mean 'rewrite-tsl'?)"],
  ["unknown-key","missing-key","waves/wave-a.yaml",5,1,"spec is missing the required key 'profile'"],
  ["unknown-key","unknown-key","waves/wave-a.yaml",6,3,"unknown key 'profle' in spec (did you mean 'profile'?)"],
  ["unknown-key-nested","unknown-key","project.yaml",19,9,"unknown key 'tenantID' in spec.tenants.dst.auth"],
  ["unknown-kind","unknown-kind","waves/wave-a.yaml",2,7,"unknown kind 'Wav' (did you mean 'Wave'?)"],
  ["unknown-matching-attribute","unknown-attribute","project.yaml",22,17,"matching source attribute 'employeID' is not a Graph user attribute t2t knows (did you mean 'employeeId'?)"],
  ["unknown-profile","unknown-profile","waves/wave-a.yaml",6,12,"wave 'wave-a' names profile 'standrd', which the Project does not define (did you mean 'standard'?)"],
  ["unknown-template-field","unknown-template-field","project.yaml",23,53,"template placeholder {surnmae} is not a Graph user attribute t2t knows (did you mean 'surname'?)"],
  ["wrong-type","wrong-type","waves/wave-a.yaml",8,11,"spec.paused must be a boolean, not a string"],
  ["yaml-syntax","yaml-syntax","project.yaml",20,7,"YAML syntax error: Implicit keys of flow sequence pairs need to be on a single line"],
  ['no-project', 'no-project', '.', 0, 0, `no Project document in ${join(INVALID, 'no-project')} (searched 1 YAML file)`],
];

const cases = [...new Set(EXPECTED.map((r) => r[0]))].sort();

test('the corpus has one directory per case, at least 30, and every directory is in the table', () => {
  const dirs = readdirSync(INVALID).sort();
  assert.ok(dirs.length >= 30, `only ${dirs.length} invalid fixtures`);
  assert.equal(dirs, cases);
});

for (const name of cases) {
  test(`invalid/${name}`, async () => {
    const result = await loadProject(join(INVALID, name));
    const errors = result.diagnostics.filter((d) => d.severity === 'error').map((d) => [name, d.code, d.file, d.line, d.col, d.message]);
    assert.equal(errors, EXPECTED.filter((r) => r[0] === name));
    assert.is(result.project, undefined, 'no Project model when there is an error');
  });
}

test('every diagnostic code is documented in docs/errors.md', () => {
  const doc = readFileSync(join(packageRoot(), 'docs', 'errors.md'), 'utf8');
  for (const code of DIAGNOSTIC_CODES) assert.ok(doc.includes(`| \`${code}\` |`), `${code} missing from docs/errors.md`);
});

test.run();
