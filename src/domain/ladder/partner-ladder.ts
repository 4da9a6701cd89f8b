import { AGENCY_KIND_TEXT, type AgencyRole, type Authority } from '../directory.js';
import type { Directory } from '../directory.js';
import { normaliseRoleWords, roleLabel } from '../roles.js';
import type { LadderDefinition } from './ladder-schema.js';

/**
 * Which of a partner agency's roles stands in for each role of the ladder, or undefined when the
 * ladder takes no partner agencies or the agency gives no ladder of its own.
 *
 * The agency's first role is the professional's own. Its roles above the professional take the
 * ladder's `replaces` in order, lowest first (reg 5: the team manager's 3 weeks, the Assistant
 * Director's 4, the Director of Children's Services' 6); with fewer of them than that, the top
 * role takes the rest, so every one of the policy's dates is still kept (a trust with a designated
 * nurse and a head of service: the designated nurse at 3 weeks, the head of service at 4 and again
 * at 6, then fortnightly).
 */
export function partnerRoles(
  def: Pick<LadderDefinition, 'partnerAgencies' | 'professionalRole'>,
  agency: Pick<Authority, 'ladder'> | undefined,
): Map<string, AgencyRole> | undefined {
  const replaces = def.partnerAgencies?.replaces;
  const own = agency?.ladder;
  if (!replaces || !own || own.length < 2) return undefined;
  const [first, ...above] = own;
  if (!first) return undefined;
  const roles = new Map<string, AgencyRole>([[def.professionalRole, first]]);
  replaces.forEach((role, i) => {
    const standIn = above[Math.min(i, above.length - 1)];
    if (standIn) roles.set(role, standIn);
  });
  return roles;
}

const memo = new WeakMap<LadderDefinition, WeakMap<Authority, LadderDefinition>>();
const partnered = new WeakSet<LadderDefinition>();

/**
 * The ladder as a case with a partner agency reads it: each replaced role called by the agency's
 * title (`roleTitles`), rung titles, asks, policy references and the summary naming the agency's
 * roles instead of the council's ("Reminder to the designated nurse"), a second rung to the same
 * person called a further email, and the rungs the ladder lists under `partnerAgencies.templates`
 * written with those templates. Rung ids, roles and timescales are the ladder's own, so a case's
 * steps and timetable are the same whichever way it is read. One copy per ladder and agency.
 */
export function partnerLadder(def: LadderDefinition, agency: Authority | undefined): LadderDefinition {
  if (!agency || partnered.has(def)) return def;
  const roles = partnerRoles(def, agency);
  const partner = def.partnerAgencies;
  if (!roles || !partner) return def;
  let byAgency = memo.get(def);
  if (!byAgency) memo.set(def, (byAgency = new WeakMap<Authority, LadderDefinition>()));
  let out = byAgency.get(agency);
  if (!out) {
    out = build(def, partner, roles);
    partnered.add(out);
    byAgency.set(agency, out);
  }
  return out;
}

interface Wordy {
  title?: string;
  asks?: string;
  policyRef?: string;
  template?: string;
}

function build(def: LadderDefinition, partner: NonNullable<LadderDefinition['partnerAgencies']>, roles: Map<string, AgencyRole>): LadderDefinition {
  const words = renamer(roles);
  const templates = partner.templates;
  const reword = <R extends Wordy>(r: R, id: string | undefined, further = false): R => {
    const title = r.title ? words(r.title) : undefined;
    const template = id ? templates[id] : undefined;
    return {
      ...r,
      ...(title ? { title: further ? `Further ${title.replace(/^Email/, 'email')}` : title } : {}),
      ...(r.asks ? { asks: words(r.asks) } : {}),
      ...(r.policyRef ? { policyRef: words(r.policyRef) } : {}),
      ...(template ? { template } : {}),
    };
  };
  // A rung whose recipients' stand-in an earlier rung already wrote to is a further email to them
  // (a trust with two roles above the nurse: its head of service at 4 weeks and again at 6).
  const inOrder = <R extends Wordy & { id: string; to: string[] }>(list: R[]): R[] => {
    const writtenTo = new Set<AgencyRole>();
    return list.map((r) => {
      const standIns = r.to.filter((role) => partner.replaces.includes(role)).map((role) => roles.get(role));
      const further = standIns.length > 0 && standIns.every((x) => !!x && writtenTo.has(x));
      for (const x of standIns) if (x) writtenTo.add(x);
      return reword(r, r.id, further);
    });
  };
  const variants = Object.fromEntries(
    Object.entries(def.variants).map(([name, v]) => [
      name,
      {
        ...v,
        ...(v.rungs ? { rungs: inOrder(v.rungs) } : {}),
        // An override keeps its rung's template (effectiveLadder takes it from the rung).
        ...(v.overrides ? { overrides: Object.fromEntries(Object.entries(v.overrides).map(([id, o]) => [id, reword(o, undefined)])) } : {}),
        ...(v.repeat ? { repeat: reword(v.repeat, undefined) } : {}),
      },
    ]),
  );
  return {
    ...def,
    summary: words(def.summary),
    roleTitles: { ...def.roleTitles, ...Object.fromEntries([...roles].map(([role, r]) => [role, r.title])) },
    rungs: inOrder(def.rungs),
    ...(def.repeat ? { repeat: reword(def.repeat, 'repeat') } : {}),
    variants,
  };
}

/**
 * Renames the council's roles in the ladder's own words: "the Assistant Director" becomes "the head
 * of service", "their team manager" "the designated nurse", "the professional" "the named nurse".
 */
function renamer(roles: Map<string, AgencyRole>): (text: string) => string {
  const swaps = [...roles].map(([role, r]) => {
    const label = roleLabel(role).replace(/^the /, '');
    const pattern = escape(label).replace(/’/g, "[’']");
    return { re: new RegExp(`\\b(?:(?:their|the) )?${pattern}\\b`, 'g'), title: r.title };
  });
  return (text) => swaps.reduce((t, s) => t.replace(s.re, (m) => (/^(their|the) /.test(m) ? `the ${s.title}` : s.title)), text);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * "Northshire NHS Foundation Trust (health service): named nurse → designated nurse → head of
 * service": the agency and its roles, for the confirmation, `simulate`, `cases show` and the
 * evidence pack.
 */
export function partnerLine(agency: Pick<Authority, 'name' | 'kind' | 'ladder'>): string {
  const kind = AGENCY_KIND_TEXT[agency.kind ?? 'council'];
  return `${agency.name} (${kind}): ${(agency.ladder ?? []).map((r) => r.title).join(' → ')}`;
}

/** The role a directive naming an agency's title gives ("Designated nurse: …" → `designated-nurse`). */
export function titleRole(title: string): string {
  return normaliseRoleWords(title).replace(/ /g, '-');
}

/** Every agency title of the directory as a role a directive may name. */
export function agencyTitleRoles(directory: Directory): string[] {
  return directory.authorities.flatMap((a) => (a.ladder ?? []).map((r) => titleRole(r.title))).filter((r) => /^[a-z][a-z0-9-]*$/.test(r));
}
