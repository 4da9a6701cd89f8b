import { countryOf, type Country, type Nation } from '../calendar/nation.js';
import { roleLabel } from '../roles.js';
import type { LadderDefinition } from './ladder-schema.js';

/** The ladder's regulator and citation in one country of the UK. */
export interface LocalPolicy {
  country: Country;
  /** The regulator named there ("Care Inspectorate Wales"), or null when the ladder names none. */
  regulator: string | null;
  /** What is cited there (by title only outside the policy's own country), or null. */
  citation: string | null;
  /** The country is the policy's own: its citation states the duty the policy follows. */
  own: boolean;
}

/** Where a ladder is used: the calendar's nation and the organisation's `country`, if it gives one. */
export interface Whereabouts {
  nation: Nation;
  country?: Country | undefined;
}

/** The organisation's country, and what its regulator is called there, for this ladder. */
export function localPolicy(ladder: Pick<LadderDefinition, 'policy'>, where: Whereabouts): LocalPolicy {
  const policy = ladder.policy;
  const country = countryOf(where.nation, where.country);
  const there = policy.countries[country];
  if (!there) return { country, regulator: policy.regulator ?? null, citation: policy.citation ?? null, own: true };
  return { country, regulator: there.regulator, citation: there.citation ?? null, own: false };
}

/** The ladder's words with its own regulator's name changed for the one of the country ("Ofsted" → "Care Inspectorate Wales"). */
export function localise(ladder: Pick<LadderDefinition, 'policy'>, where: Whereabouts, text: string): string {
  const own = ladder.policy.regulator;
  const local = localPolicy(ladder, where);
  return own && !local.own && local.regulator ? text.replaceAll(own, local.regulator) : text;
}

/** A role's label on this ladder: its own title for it (a partner agency's "designated nurse"), else the usual one. */
export function ladderRoleLabel(ladder: Pick<LadderDefinition, 'roleTitles'>, role: string): string {
  return ladder.roleTitles?.[role] ?? roleLabel(role);
}

/** A role's label in the country ("Care Inspectorate Wales inspector"). */
export function localRoleLabel(ladder: Pick<LadderDefinition, 'policy' | 'roleTitles'>, where: Whereabouts, role: string): string {
  return localise(ladder, where, ladderRoleLabel(ladder, role));
}

/**
 * "Escalation Policy for Children's Homes (Regulation 5 template), Regulation 5(c) of the Children's
 * Homes (England) Regulations 2015" in England; elsewhere the policy, read in keeping with the
 * country's framework (cited by title only) — never the English regulation.
 */
export function policyLine(ladder: Pick<LadderDefinition, 'policy'>, where: Whereabouts): string {
  const local = localPolicy(ladder, where);
  if (local.own) return `${ladder.policy.title}${local.citation ? ` (${local.citation})` : ''}`;
  return `${ladder.policy.title}${local.citation ? `, in keeping with ${local.citation}` : ''}${local.regulator ? ` (regulator: ${local.regulator})` : ''}`;
}

const localised = new WeakMap<LadderDefinition, Map<Country, LadderDefinition>>();

/**
 * The ladder as an organisation in this country names things: its summary, rung titles, asks,
 * warnings and policy references with the regulator of its country. One copy per ladder and country, so the
 * effective ladders (memoised per ladder object) stay memoised.
 */
export function localLadder(ladder: LadderDefinition, where: Whereabouts): LadderDefinition {
  const local = localPolicy(ladder, where);
  if (local.own) return ladder;
  let byCountry = localised.get(ladder);
  if (!byCountry) localised.set(ladder, (byCountry = new Map<Country, LadderDefinition>()));
  let def = byCountry.get(local.country);
  if (!def) {
    const l = (t: string) => localise(ladder, where, t);
    const rung = <R extends { title?: string; asks?: string; warning?: string; policyRef?: string }>(r: R): R => ({
      ...r,
      ...(r.title ? { title: l(r.title) } : {}),
      ...(r.policyRef ? { policyRef: l(r.policyRef) } : {}),
      ...(r.asks ? { asks: l(r.asks) } : {}),
      ...(r.warning ? { warning: l(r.warning) } : {}),
    });
    def = {
      ...ladder,
      summary: l(ladder.summary),
      rungs: ladder.rungs.map(rung),
      ...(ladder.repeat ? { repeat: rung(ladder.repeat) } : {}),
      variants: Object.fromEntries(
        Object.entries(ladder.variants).map(([name, v]) => [
          name,
          {
            ...v,
            ...(v.rungs ? { rungs: v.rungs.map(rung) } : {}),
            ...(v.overrides ? { overrides: Object.fromEntries(Object.entries(v.overrides).map(([id, o]) => [id, rung(o)])) } : {}),
            ...(v.repeat ? { repeat: rung(v.repeat) } : {}),
          },
        ]),
      ),
    };
    byCountry.set(local.country, def);
  }
  return def;
}
