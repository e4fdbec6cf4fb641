// Semantic rules of Wave documents and across waves: references to the Project, unique names,
// and one wave per user.
import { didYouMean } from '../util/suggest.js';
import { cronProblem } from './cron.js';
import { CRON_HINT } from './project-rules.js';
import { at, where, type MemberRef, type Rule, type WaveDoc } from './rule-context.js';
import type { Location } from './source-files.js';

export const waveCron: Rule = (ctx) => {
  for (const w of ctx.waves) {
    const cron = w.raw.spec.schedule?.deltaSync;
    if (cron === undefined) continue;
    const problem = cronProblem(cron);
    if (problem) ctx.report('bad-cron', `spec.schedule.deltaSync: ${problem}`, at(w.doc, ['spec', 'schedule', 'deltaSync']), { hint: CRON_HINT });
  }
};

export const waveProfiles: Rule = (ctx) => {
  const p = ctx.project;
  if (!p) return;
  const profiles = Object.keys(p.raw.spec.profiles ?? {});
  for (const w of ctx.waves) {
    const name = w.raw.spec.profile;
    if (profiles.includes(name)) continue;
    ctx.report('unknown-profile', `wave '${w.raw.metadata.name}' names profile '${name}', which the Project does not define${didYouMean(name, profiles)}`, at(w.doc, ['spec', 'profile']), {
      hint: profiles.length ? `defined profiles: ${profiles.join(', ')}` : 'define it under spec.profiles in the Project',
    });
  }
};

/** A wave at synced or cutover whose profile assigns no licence: its users get no mailbox in the
 *  target unless the tenant licenses them another way (group-based licensing), so the forwarding
 *  and content sync of synced would wait on a mailbox that never comes. A warning: such licensing
 *  is legitimate, and t2t cannot see it in the manifests. */
export const waveLicences: Rule = (ctx) => {
  const profiles = ctx.project?.raw.spec.profiles ?? {};
  for (const w of ctx.waves) {
    const { phase, profile: name } = w.raw.spec;
    const profile = profiles[name];
    if ((phase !== 'synced' && phase !== 'cutover') || !profile || (profile.license?.skus ?? []).length > 0) continue;
    ctx.report(
      'unlicensed-profile',
      `wave '${w.raw.metadata.name}' is at ${phase} with profile '${name}', which assigns no licence: its users get a mailbox in the target only if the tenant licenses them another way (group-based licensing); until then the forwarding and the mailbox sync wait (apply.recipientMissing)`,
      at(w.doc, ['spec', 'phase']),
      { severity: 'warning', hint: `add license: { skus: [...] } (an Exchange Online plan, cheapest first) to profile '${name}', or license its users through a group in the target` },
    );
  }
};

export const waveEmailRewrite: Rule = (ctx) => {
  const p = ctx.project;
  if (!p || p.raw.spec.emailRewrite) return;
  for (const w of ctx.waves) {
    const mode = w.raw.spec.emailRewrite ?? 'none';
    if (mode === 'none') continue;
    ctx.report('email-rewrite-not-configured', `wave '${w.raw.metadata.name}' sets emailRewrite: ${mode} but the Project has no spec.emailRewrite`, at(w.doc, ['spec', 'emailRewrite']), {
      hint: 'add spec.emailRewrite (with its certificates) to the Project, or set emailRewrite: none',
    });
  }
};

export const uniqueWaveNames: Rule = (ctx) => {
  const first = new Map<string, WaveDoc>();
  for (const w of ctx.waves) {
    const name = w.raw.metadata.name;
    const prior = first.get(name);
    if (!prior) {
      first.set(name, w);
      continue;
    }
    ctx.report('duplicate-wave', `wave name '${name}' is used twice (also at ${where(at(prior.doc, ['metadata', 'name']))})`, at(w.doc, ['metadata', 'name']), { hint: 'give each wave its own name' });
  }
};

interface Membership {
  wave: WaveDoc;
  /** Where the member is listed. */
  at: { readonly loc: Location };
}

/**
 * A user (listed, or from the CSV) or a group belongs to one wave only, except across waves whose
 * phase is `discovered` (those change nothing, so planning several is harmless).
 */
export const oneWavePerMember: Rule = (ctx) => {
  // user address -> the first wave that lists it: no object per member (100,000 of them in a large
  // project); where the wave lists it is looked up again only for a diagnostic
  const users = new Map<string, WaveDoc>();
  const groups = new Map<string, Membership>();
  const firstRefs = new Map<WaveDoc, Map<string, MemberRef>>();
  const firstRef = (wave: WaveDoc, address: string): MemberRef => {
    let refs = firstRefs.get(wave);
    if (!refs) {
      refs = new Map();
      for (const list of [wave.users, wave.csvUsers]) for (const r of list) if (!refs.has(r.address)) refs.set(r.address, r);
      firstRefs.set(wave, refs);
    }
    return refs.get(address)!;
  };
  const phase = (w: WaveDoc) => w.raw.spec.phase ?? 'discovered';
  // The wave kept for a member is the first that lists it, until a wave that is not at discovered
  // lists it after one that is: from then on that one, so that a user in a discovered wave, then
  // in a prepared and a synced one, is still reported for the last two.
  const supersedes = (prior: WaveDoc, w: WaveDoc) => prior !== w && phase(prior) === 'discovered' && phase(w) !== 'discovered';
  for (const w of ctx.waves) {
    for (const list of [w.users, w.csvUsers]) {
      for (let i = 0; i < list.length; i++) {
        const ref = list[i]!;
        const prior = users.get(ref.address);
        if (prior === undefined || supersedes(prior, w)) users.set(ref.address, w);
        else report({ wave: prior, at: firstRef(prior, ref.address) }, w, ref, 'user', ref.address);
      }
    }
    (w.raw.spec.members.groups ?? []).forEach((g, i) => {
      const key = g.trim().toLowerCase();
      const listed = { loc: at(w.doc, ['spec', 'members', 'groups', i]) };
      const prior = groups.get(key);
      if (prior === undefined || supersedes(prior.wave, w)) groups.set(key, { wave: w, at: listed });
      else report(prior, w, listed, 'group', g);
    });
  }

  function report(prior: Membership, wave: WaveDoc, listed: { readonly loc: Location }, what: 'user' | 'group', label: string): void {
    const loc = listed.loc;
    const name = wave.raw.metadata.name;
    const priorName = prior.wave.raw.metadata.name;
    if (prior.wave === wave) {
      ctx.report('duplicate-member', `${what} ${label} is listed twice in wave '${name}' (also at ${where(prior.at.loc)})`, loc, { severity: 'warning', hint: 'remove one of the entries' });
      return;
    }
    if (phase(wave) === 'discovered' || phase(prior.wave) === 'discovered') return;
    ctx.report(what === 'user' ? 'member-in-two-waves' : 'group-in-two-waves', `${what} ${label} is in wave '${name}' and in wave '${priorName}' (at ${where(prior.at.loc)})`, loc, {
      hint: 'a user moves with one wave only: remove it from one of them',
    });
  }
};

export const WAVE_RULES: readonly Rule[] = [waveCron, waveProfiles, waveLicences, waveEmailRewrite, uniqueWaveNames, oneWavePerMember];
