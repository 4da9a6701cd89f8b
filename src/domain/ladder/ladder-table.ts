import { describeDuration, type Duration } from '../calendar/duration.js';
import { roleLabel } from '../roles.js';
import { effectiveLadder, type EffectiveLadder, type EffectiveRung } from './effective-ladder.js';
import type { CaseFlag, LadderDefinition, VariantName } from './ladder-schema.js';

/** The directive that sets a case flag, as the RM writes it. */
const FLAG_WORDS: Record<CaseFlag, string> = {
  psw: 'PSW: yes',
  'child-protection': 'Child protection: yes',
  safeguarding: 'Safeguarding: yes',
  iro: 'IRO: yes',
  'carer-informed': 'Foster carer informed: yes',
};

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();

function when(r: EffectiveRung, first: boolean): string {
  if (r.trigger === 'command') return 'only by `ESCALATE`';
  const d: Duration = r.after;
  const from = r.from === 'opening' || first ? 'the opening' : 'the previous step';
  return d.unit === 'same-day' ? `the same day as ${from}` : `${describeDuration(d)} after ${from}`;
}

/** Its copies: the flag-dependent ones the variant always sets (imminent risk sets `psw`) as plain copies, the rest under their flag. */
function copied(r: EffectiveRung, alwaysCc: string[], setByVariant: readonly CaseFlag[]): string {
  const roles = [...r.cc];
  for (const flag of setByVariant) roles.push(...(r.ccWhen[flag] ?? []));
  roles.push(...alwaysCc);
  const parts = [...new Set(roles)].map(roleLabel);
  for (const [flag, flagged] of Object.entries(r.ccWhen) as [CaseFlag, string[] | undefined][]) {
    if (setByVariant.includes(flag)) continue;
    for (const role of flagged ?? []) if (!roles.includes(role)) parts.push(`${roleLabel(role)} (if ${FLAG_WORDS[flag]})`);
  }
  return parts.join(', ');
}

/** Where a rung that goes out of hours also (or only) goes at once. */
function outOfHoursNote(eff: EffectiveLadder, r: EffectiveRung): string {
  const o = eff.outOfHours;
  if (!o) return '';
  const whose = o.authorityOnly ? `the authority's ${roleLabel(o.to)}` : `the ${roleLabel(o.to)}`;
  // Never due at night, it goes out of hours only when ESCALATE or APPROVE takes it then.
  if (!r.anyHour) return `ESCALATE/APPROVE out of hours: also ${whose} at once`;
  return o.mode === 'instead'
    ? `out of hours: the ${roleLabel(o.to)} instead, the rest at the working day's start`
    : `out of hours: also the ${roleLabel(o.to)}`;
}

function notes(eff: EffectiveLadder, r: EffectiveRung, waitsForForm: boolean): string {
  return [
    r.approval ? 'RM approves' : '',
    waitsForForm ? 'waits for the further form (`Remaining concerns:`)' : '',
    r.when ? `only if ${FLAG_WORDS[r.when]}` : '',
    r.anyHour ? 'any hour, to staff' : '',
    outOfHoursNote(eff, r),
    r.meeting ? 'asks for a meeting' : '',
  ]
    .filter(Boolean)
    .join('; ');
}

function rows(eff: EffectiveLadder, variant: VariantName): string[] {
  const alwaysCc = eff.def.alwaysCc;
  const setByVariant = variant === 'standard' ? [] : (eff.def.variants[variant]?.setsFlags ?? []);
  // Fostering panel step 6, on the standard timescales only (as the live case: waitsForPanelForm).
  const formBefore = variant === 'standard' ? eff.def.panelForm?.before : undefined;
  const out = eff.rungs.map(
    (r, i) =>
      `| ${variant} | ${i + 1} | ${cell(r.title)} | ${when(r, i === 0)} | ${cell(r.to.map(roleLabel).join(', '))} | ${cell(copied(r, alwaysCc, setByVariant))} | ${r.deadline ? describeDuration(r.deadline) : 'until the next step'} | ${cell(notes(eff, r, r.id === formBefore))} | ${cell(r.policyRef)} |`,
  );
  if (eff.repeat) {
    const r = eff.repeat;
    out.push(
      `| ${variant} | then | ${cell(r.title)} | every ${describeDuration(r.every)} | ${cell(r.to.map(roleLabel).join(', '))} | ${cell(copied(r, alwaysCc, setByVariant))} | ${r.deadline ? describeDuration(r.deadline) : 'until the next'} | ${cell(notes(eff, r, false))} | ${cell(r.policyRef)} |`,
    );
  }
  return out;
}

/** Who is kept informed, on which cases, when, whom they ask, and the words each step is told in. */
function keptInformedLine(def: LadderDefinition): string {
  const who = def.keepInformed.map(roleLabel).join(', ');
  const only = def.keepInformedWhen ? `, only if \`${FLAG_WORDS[def.keepInformedWhen]}\`` : '';
  const when = [
    def.keepInformedAt.includes('opening') ? 'when it opens' : '',
    'at each step',
    def.keepInformedAt.includes('end') ? 'when it ends (and that it is looked at again, if it is reopened after that)' : '',
  ]
    .filter(Boolean)
    .join(', ');
  const ask = def.keepInformedAsk === 'originator' ? ' Their questions go to whoever raised the case, not the supervising social worker.' : '';
  const said = def.rungs.filter((r) => r.carerSays);
  const words = said.length
    ? ` Each step is told in plain words, not by its title: ${said.map((r) => `${cell(r.title)}: "${cell(r.carerSays ?? '')}"`).join('; ')}.`
    : '';
  return `Kept informed: ${who}${only}; told ${when}.${ask}${words}`;
}

/**
 * The ladders as Markdown tables (docs/ladders.md; `escalator ladders table`): for each ladder and
 * variant, its rungs in order, when each falls due, who it goes to and who is copied, the deadline
 * it gives and the policy paragraph it follows. Written from the ladder files, so it cannot drift.
 */
export function ladderTables(ladders: readonly LadderDefinition[]): string {
  const parts: string[] = [];
  for (const def of [...ladders].sort((a, b) => a.id.localeCompare(b.id))) {
    const extra = (['urgent', 'imminent'] as const).filter((v) => def.variants[v]);
    const variants: VariantName[] = ['standard', ...extra];
    parts.push(`## ${cell(def.title)} (\`${def.id}\`)`, '');
    parts.push(`Policy: ${def.policy.title} (\`${def.policy.file}\`)${def.policy.citation ? `; cites ${def.policy.citation}` : ''}.`);
    parts.push(
      `Clock: ${def.clock === 'calendar' ? 'calendar weeks and days' : 'working days'}. The request asks for it within ${describeDuration(effectiveLadder(def).request.deadline)} (${def.request.policyRef}).`,
    );
    for (const v of extra) {
      const variant = def.variants[v];
      if (!variant) continue;
      const by = v === 'urgent' ? ['Safeguarding: yes', 'SAFEGUARDING', ...variant.chosenBy.map((f) => FLAG_WORDS[f])] : ['Imminent: yes', 'IMMINENT'];
      parts.push(`The ${v} variant (${cell(variant.label)}; ${cell(variant.policyRef)}): \`${[...new Set(by)].join('`, `')}\`.`);
    }
    if (def.partnerAgencies) {
      const replaced = def.partnerAgencies.replaces.map((r) => roleLabel(r));
      parts.push(
        `A partner agency whose directory entry gives its own roles (${cell(def.partnerAgencies.policyRef)}): its roles above the professional stand in for the ${replaced.join(', ')}, lowest first, on the same dates; with fewer of them, the top one takes the places left.`,
      );
    }
    if (def.keepInformed.length > 0) parts.push(keptInformedLine(def));
    parts.push('');
    parts.push('| variant | step | rung | falls due | to | copied | deadline given | notes | policy |', '|---|---|---|---|---|---|---|---|---|');
    for (const v of variants) parts.push(...rows(effectiveLadder(def, v), v));
    parts.push('');
  }
  return parts.join('\n');
}
