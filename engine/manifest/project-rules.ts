// Semantic rules of the Project document (pass two; the document already matches its schema).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { closest, didYouMean } from '../util/suggest.js';
import { cronProblem } from './cron.js';
import { GRAPH_USER_ATTRIBUTES, isGraphUserAttribute, templateFields } from './graph-attributes.js';
import { at, atChar, type Rule, type RuleContext } from './rule-context.js';
import { outsideProject, type PathSegment } from './source-files.js';

const TENANT_HINT = 'a project needs one tenant with role: source and one with role: target';

export const tenantRoles: Rule = (ctx) => {
  const p = ctx.project;
  if (!p) return;
  const tenants = Object.values(p.raw.spec.tenants);
  for (const role of ['source', 'target'] as const) {
    if (!tenants.some((t) => t.role === role)) {
      ctx.report('tenant-roles', `no tenant has role: ${role}`, at(p.doc, ['spec', 'tenants'], 'key'), { hint: TENANT_HINT });
    }
  }
};

export const tenantAuth: Rule = (ctx) => {
  const p = ctx.project;
  if (!p) return;
  for (const [name, t] of Object.entries(p.raw.spec.tenants)) {
    const count = (t.auth.clientSecret ? 1 : 0) + (t.auth.certificate ? 1 : 0);
    if (count !== 1) {
      ctx.report('tenant-auth', `spec.tenants.${name}.auth needs exactly one of clientSecret or certificate, it has ${count === 0 ? 'neither' : 'both'}`, at(p.doc, ['spec', 'tenants', name, 'auth'], 'key'), {
        hint: 'clientSecret: { fromEnv: VARIABLE }  or  certificate: { pfxFile: PATH, passwordFromEnv: VARIABLE }',
      });
    }
  }
};

export const endpointOnlyForEmulator: Rule = (ctx) => {
  const p = ctx.project;
  if (!p) return;
  for (const [name, t] of Object.entries(p.raw.spec.tenants)) {
    const cloud = t.cloud ?? 'global';
    if (cloud === 'emulator' && !t.endpoint) {
      ctx.report('endpoint-cloud', `spec.tenants.${name} has cloud: emulator but no endpoint`, at(p.doc, ['spec', 'tenants', name], 'key'), { hint: 'add endpoint: https://127.0.0.1:PORT (the address `t2t emulator` prints)' });
    }
    for (const key of ['endpoint', 'caFile'] as const) {
      if (cloud !== 'emulator' && t[key] !== undefined) {
        ctx.report('endpoint-cloud', `spec.tenants.${name}.${key} is only allowed with cloud: emulator (this tenant is cloud: ${cloud})`, at(p.doc, ['spec', 'tenants', name, key], 'key'), {
          hint: 'real clouds use their published endpoints and the system trust store; remove the key',
        });
      }
    }
  }
};

export const cronSchedules: Rule = (ctx) => {
  const p = ctx.project;
  if (!p) return;
  for (const [name, t] of Object.entries(p.raw.spec.tenants)) {
    const schedule = t.discovery?.schedule;
    if (schedule === undefined) continue;
    const problem = cronProblem(schedule);
    if (problem) ctx.report('bad-cron', `spec.tenants.${name}.discovery.schedule: ${problem}`, at(p.doc, ['spec', 'tenants', name, 'discovery', 'schedule']), { hint: CRON_HINT });
  }
};

export const CRON_HINT = 'cron fields: minute hour day-of-month month day-of-week, e.g. "0 2 * * *" (daily at 02:00) or "0 */6 * * *" (every 6 hours)';

export const attributeSource: Rule = (ctx) => {
  const p = ctx.project;
  if (!p) return;
  (p.raw.spec.attributes ?? []).forEach((a, i) => {
    const set = (['from', 'value', 'template'] as const).filter((k) => a[k] !== undefined);
    if (set.length !== 1) {
      ctx.report('attribute-source', `spec.attributes[${i}] (target ${a.target}) needs exactly one of from, value or template, it has ${set.length === 0 ? 'none' : set.join(' and ')}`, at(p.doc, ['spec', 'attributes', i]), {
        hint: 'from: copies a source attribute, value: writes a constant, template: "{givenName} {surname}" combines attributes',
      });
    }
  });
};

function checkAttributeName(ctx: RuleContext, name: string, path: PathSegment[], what: string): void {
  if (isGraphUserAttribute(name)) return;
  const suggestion = closest(name, GRAPH_USER_ATTRIBUTES);
  ctx.report('unknown-attribute', `${what} '${name}' is not a Graph user attribute t2t knows${suggestion ? ` (did you mean '${suggestion}'?)` : ''}`, at(ctx.project!.doc, path), {
    hint: 'known attributes: userPrincipalName, mail, displayName, givenName, surname, jobTitle, department, employeeId, … (docs/manifests.md lists them all)',
  });
}

export const knownAttributes: Rule = (ctx) => {
  const p = ctx.project;
  if (!p) return;
  (p.raw.spec.matching ?? []).forEach((m, i) => {
    checkAttributeName(ctx, m.source, ['spec', 'matching', i, 'source'], 'matching source attribute');
    checkAttributeName(ctx, m.target, ['spec', 'matching', i, 'target'], 'matching target attribute');
  });
  (p.raw.spec.attributes ?? []).forEach((a, i) => {
    checkAttributeName(ctx, a.target, ['spec', 'attributes', i, 'target'], 'target attribute');
    if (a.from !== undefined) checkAttributeName(ctx, a.from, ['spec', 'attributes', i, 'from'], 'source attribute');
    if (a.template !== undefined) {
      for (const f of templateFields(a.template)) {
        const loc = atChar(p.doc, ['spec', 'attributes', i, 'template'], f.index);
        if (f.name === undefined) {
          ctx.report('unknown-template-field', `spec.attributes[${i}].template has an unmatched brace`, loc, { hint: 'placeholders are written {attributeName}' });
        } else if (!isGraphUserAttribute(f.name)) {
          ctx.report('unknown-template-field', `template placeholder {${f.name}} is not a Graph user attribute t2t knows${didYouMean(f.name, GRAPH_USER_ATTRIBUTES)}`, loc, {
            hint: 'placeholders name source user attributes, e.g. {givenName} {surname}',
          });
        }
      }
    }
  });
};

export const mapDomainNeedsDomains: Rule = (ctx) => {
  const p = ctx.project;
  if (!p || (p.raw.spec.domains ?? []).length > 0) return;
  const hint = 'add spec.domains: [{ source: contoso.com, target: fabrikam.com }], or remove mapDomain';
  (p.raw.spec.attributes ?? []).forEach((a, i) => {
    const j = (a.transform ?? []).indexOf('mapDomain');
    if (j >= 0) ctx.report('map-domain-without-domains', `spec.attributes[${i}] uses the mapDomain transform but spec.domains is empty`, at(p.doc, ['spec', 'attributes', i, 'transform', j]), { hint });
  });
  (p.raw.spec.matching ?? []).forEach((m, i) => {
    if (m.mapDomain) ctx.report('map-domain-without-domains', `spec.matching[${i}] sets mapDomain but spec.domains is empty`, at(p.doc, ['spec', 'matching', i, 'mapDomain']), { hint });
  });
};

export const profileRules: Rule = (ctx) => {
  const p = ctx.project;
  if (!p) return;
  const hasDomains = (p.raw.spec.domains ?? []).length > 0;
  for (const [name, profile] of Object.entries(p.raw.spec.profiles ?? {})) {
    const guest = profile.createAs === 'guest';
    if (guest && !hasDomains) {
      ctx.report('guest-without-domains', `profile '${name}' creates guests but spec.domains is empty: guest matching needs the domain mapping`, at(p.doc, ['spec', 'profiles', name, 'createAs']), {
        hint: 'add spec.domains with the source and target domains',
      });
    }
    if (!guest && profile.guestInvite) {
      ctx.report('guest-invite-member-profile', `profile '${name}' has guestInvite but creates members (createAs: ${profile.createAs ?? 'member'})`, at(p.doc, ['spec', 'profiles', name, 'guestInvite'], 'key'), {
        hint: 'set createAs: guest, or remove guestInvite',
      });
    }
  }
};

export const certificateReferences: Rule = (ctx) => {
  const p = ctx.project;
  const rewrite = p?.raw.spec.emailRewrite;
  if (!p || !rewrite) return;
  const names = Object.keys(p.raw.spec.certificates ?? {});
  for (const key of ['tlsCertificate', 'dkimCertificate'] as const) {
    const ref = rewrite[key];
    if (ref === undefined || names.includes(ref)) continue;
    ctx.report('unknown-certificate', `spec.emailRewrite.${key} names certificate '${ref}', which spec.certificates does not define${didYouMean(ref, names)}`, at(p.doc, ['spec', 'emailRewrite', key]), {
      hint: names.length ? `defined certificates: ${names.join(', ')}` : 'add it under spec.certificates: { NAME: { pfxFile: PATH, passwordFromEnv: VARIABLE } }',
    });
  }
};

export const uniqueDomains: Rule = (ctx) => {
  const p = ctx.project;
  if (!p) return;
  const seen = new Map<string, number>();
  (p.raw.spec.domains ?? []).forEach((d, i) => {
    const source = d.source.toLowerCase();
    const first = seen.get(source);
    if (first === undefined) {
      seen.set(source, i);
      return;
    }
    const firstLoc = at(p.doc, ['spec', 'domains', first, 'source']);
    ctx.report('duplicate-domain', `source domain '${source}' is mapped twice (first at line ${firstLoc.line})`, at(p.doc, ['spec', 'domains', i, 'source']), { hint: 'each source domain maps to exactly one target domain' });
  });
};

/** Files the project reads at run time: a missing template is an error, a missing PFX a warning (the demo generates them). */
export const referencedFilesExist: Rule = (ctx) => {
  const p = ctx.project;
  if (!p) return;
  const exists = (rel: string) => existsSync(resolve(ctx.dir, rel));
  // A template is what apply sends: it must be versioned with the manifests that name it, as a
  // members CSV must (a PFX need not: it holds a private key and is best kept out of git).
  const template = (key: 'bodyFile' | 'messageFile', file: string | undefined, profile: string, path: readonly PathSegment[]) => {
    if (file === undefined) return;
    const outside = outsideProject(ctx.dir, file);
    if (outside) {
      ctx.report('path-outside-project', `${key} '${file}' of profile '${profile}' ${outside}: a template must be inside the project, versioned with its manifests`, at(p.doc, path), {
        hint: `move the file into the project directory and give ${key} its path relative to it, e.g. templates/${key === 'bodyFile' ? 'cutover' : 'invite'}.html`,
      });
    } else if (!exists(file)) {
      ctx.report('missing-file', `${key} '${file}' of profile '${profile}' does not exist`, at(p.doc, path), { hint: 'paths are relative to the project directory' });
    }
  };
  for (const [name, profile] of Object.entries(p.raw.spec.profiles ?? {})) {
    template('bodyFile', profile.notification?.bodyFile, name, ['spec', 'profiles', name, 'notification', 'bodyFile']);
    template('messageFile', profile.guestInvite?.messageFile, name, ['spec', 'profiles', name, 'guestInvite', 'messageFile']);
  }
  const pfxHint = 'create the PFX there before `t2t certs` or apply needs it (`t2t certs --self-signed` makes self-signed ones for a rehearsal against the emulator)';
  for (const [name, cert] of Object.entries(p.raw.spec.certificates ?? {})) {
    if (!exists(cert.pfxFile)) {
      ctx.report('missing-certificate-file', `pfxFile '${cert.pfxFile}' of certificate '${name}' does not exist yet`, at(p.doc, ['spec', 'certificates', name, 'pfxFile']), { severity: 'warning', hint: pfxHint });
    }
  }
  for (const [name, t] of Object.entries(p.raw.spec.tenants)) {
    const pfx = t.auth.certificate?.pfxFile;
    if (pfx !== undefined && !exists(pfx)) {
      ctx.report('missing-certificate-file', `pfxFile '${pfx}' of tenant '${name}' does not exist yet`, at(p.doc, ['spec', 'tenants', name, 'auth', 'certificate', 'pfxFile']), { severity: 'warning', hint: pfxHint });
    }
    if (t.caFile !== undefined && !exists(t.caFile)) {
      ctx.report('missing-certificate-file', `caFile '${t.caFile}' of tenant '${name}' does not exist yet`, at(p.doc, ['spec', 'tenants', name, 'caFile']), { severity: 'warning', hint: 'the emulator writes its CA when it starts; see docs/manifests.md' });
    }
  }
};

export const PROJECT_RULES: readonly Rule[] = [
  tenantRoles,
  tenantAuth,
  endpointOnlyForEmulator,
  cronSchedules,
  attributeSource,
  knownAttributes,
  mapDomainNeedsDomains,
  profileRules,
  certificateReferences,
  uniqueDomains,
  referencedFilesExist,
];
