import type { WorkCalendar } from '../calendar/work-calendar.js';
import { describeDuration } from '../calendar/duration.js';
import { AWAITS_FURTHER_FORM } from '../case/panel-form.js';
import { outOfHoursAt } from '../case/out-of-hours.js';
import { fitBeforeDue, planSteps, repeatAfter, timingOf } from '../case/timetable.js';
import { effectiveLadder } from './effective-ladder.js';
import type { CaseFlag, LadderDefinition, OutOfHoursRule, VariantName } from './ladder-schema.js';

export interface SimulatedStep {
  rung: string;
  title: string;
  dueAt: string | null;
  to: string[];
  /** Roles copied whatever the case's flags (on this variant). */
  cc: string[];
  /** Roles copied only when the case has the flag (`PSW: yes`); absent when there are none. */
  ccWhen?: Partial<Record<CaseFlag, string[]>>;
  approval: boolean;
  policyRef: string;
  deadline?: string;
  when?: string;
  trigger: 'time' | 'command';
  repeat?: boolean;
  /** `sendWindow: always`: goes when due, at any hour, to the organisation's own staff. */
  anyHour?: boolean;
  /**
   * What the step waits for besides its date (fostering panel, step 6 on the standard timescales:
   * the further form), in the words the timetable uses: "once the ADM or panel chair has …".
   */
  waitsFor?: string;
  /** Due while the send window is closed on a ladder with an out-of-hours address: also (or instead) to it, at once. */
  outOfHours?: OutOfHoursRule;
}

export interface Simulation {
  ladder: string;
  start: string;
  clockStart: string;
  nation: string;
  variant: VariantName;
  /** `--due`: the date every step was drawn in before (absent when the policy's dates already were). */
  drawnInBefore?: string;
  steps: SimulatedStep[];
  repeatEvery?: string;
}

/** The dated timetable a case opened at `start` would follow (what `escalator simulate` prints). */
/**
 * A rung's copies as the timetable should state them: its cc, plus the flag-dependent copies the
 * variant always sets (imminent risk sets `psw`), and apart from them, under their flag, the
 * copies that depend on how the case is marked. The PSW was listed as always copied on the
 * practice-disagreement ladder, though only `PSW: yes` copies them.
 */
function copies(rung: { cc: string[]; ccWhen: Partial<Record<CaseFlag, string[]>> }, setByVariant: readonly CaseFlag[]) {
  const cc = [...rung.cc];
  const ccWhen: Partial<Record<CaseFlag, string[]>> = {};
  for (const [flag, roles] of Object.entries(rung.ccWhen) as [CaseFlag, string[] | undefined][]) {
    if (setByVariant.includes(flag)) {
      for (const role of roles ?? []) if (!cc.includes(role)) cc.push(role);
    }
  }
  for (const [flag, roles] of Object.entries(rung.ccWhen) as [CaseFlag, string[] | undefined][]) {
    if (setByVariant.includes(flag)) continue;
    const conditional = (roles ?? []).filter((role) => !cc.includes(role));
    if (conditional.length > 0) ccWhen[flag] = conditional;
  }
  return { cc, ...(Object.keys(ccWhen).length > 0 ? { ccWhen } : {}) };
}

export function simulateLadder(def: LadderDefinition, variant: VariantName, start: Date, cal: WorkCalendar, opts: { due?: string } = {}): Simulation {
  const ladder = effectiveLadder(def, variant);
  const setByVariant = variant === 'standard' ? [] : (def.variants[variant]?.setsFlags ?? []);
  const clockStart = cal.nextOpening(start);
  const steps = planSteps(ladder, clockStart, cal, 1, start);
  // `Due:` as the opening would read it: the steps drawn in before it where the policy asks.
  const drawn: { steps: typeof steps; drawnInBefore?: string } = { steps };
  if (opts.due) fitBeforeDue(drawn, ladder, cal, opts.due, clockStart);
  const out: SimulatedStep[] = steps.map((step, i) => {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- planSteps gives one step per rung, in order
    const rung = ladder.rungs[i]!;
    return {
      rung: rung.id,
      title: rung.title,
      dueAt: step.dueAt ? cal.iso(new Date(step.dueAt)) : null,
      to: rung.to,
      ...copies(rung, setByVariant),
      approval: rung.approval,
      policyRef: rung.policyRef,
      ...(rung.deadline ? { deadline: describeDuration(rung.deadline) } : {}),
      ...(rung.when ? { when: rung.when } : {}),
      trigger: rung.trigger,
      ...(rung.anyHour ? { anyHour: true } : {}),
      // As the live case decides it (waitsForPanelForm): no form is recorded on a case not yet opened.
      ...(def.panelForm?.before === rung.id && variant === 'standard' ? { waitsFor: AWAITS_FURTHER_FORM } : {}),
      ...(ladder.outOfHours && step.dueAt && outOfHoursAt(ladder, cal, new Date(step.dueAt)) ? { outOfHours: ladder.outOfHours } : {}),
    };
  });
  // The repeat counts from the last rung's place on the timetable, as the live case does; a ladder
  // ending in a rung only ESCALATE sends has no automatic repeat.
  const last = steps[steps.length - 1];
  const lastAnchor = last ? timingOf(last, cal) : null;
  if (ladder.repeat && lastAnchor) {
    const r = ladder.repeat;
    out.push({
      rung: 'repeat',
      title: r.title,
      dueAt: cal.iso(cal.nextOpening(repeatAfter(lastAnchor, ladder, cal))),
      to: r.to,
      ...copies(r, setByVariant),
      approval: r.approval,
      policyRef: r.policyRef,
      ...(r.deadline ? { deadline: describeDuration(r.deadline) } : {}),
      trigger: 'time',
      repeat: true,
    });
  }
  return {
    ladder: def.id,
    start: cal.iso(start),
    clockStart: cal.iso(clockStart),
    nation: cal.nation,
    variant,
    ...(drawn.drawnInBefore ? { drawnInBefore: drawn.drawnInBefore } : {}),
    steps: out,
    ...(ladder.repeat ? { repeatEvery: describeDuration(ladder.repeat.every) } : {}),
  };
}
