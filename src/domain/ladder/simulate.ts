import type { WorkCalendar } from '../calendar/work-calendar.js';
import { describeDuration } from '../calendar/duration.js';
import { planSteps } from '../case/timetable.js';
import { effectiveLadder } from './effective-ladder.js';
import type { LadderDefinition, VariantName } from './ladder-schema.js';

export interface SimulatedStep {
  rung: string;
  title: string;
  dueAt: string | null;
  to: string[];
  cc: string[];
  approval: boolean;
  policyRef: string;
  deadline?: string;
  when?: string;
  trigger: 'time' | 'command';
  repeat?: boolean;
}

export interface Simulation {
  ladder: string;
  start: string;
  clockStart: string;
  nation: string;
  variant: VariantName;
  steps: SimulatedStep[];
  repeatEvery?: string;
}

/** The dated timetable a case opened at `start` would follow (what `escalator simulate` prints). */
export function simulateLadder(def: LadderDefinition, variant: VariantName, start: Date, cal: WorkCalendar): Simulation {
  const ladder = effectiveLadder(def, variant);
  const clockStart = cal.nextOpening(start);
  const steps = planSteps(ladder, clockStart, cal);
  const out: SimulatedStep[] = steps.map((step, i) => {
    const rung = ladder.rungs[i]!;
    return {
      rung: rung.id,
      title: rung.title,
      dueAt: step.dueAt ? cal.iso(new Date(step.dueAt)) : null,
      to: rung.to,
      cc: [...rung.cc, ...Object.entries(rung.ccWhen).flatMap(([, r]) => r ?? [])],
      approval: rung.approval,
      policyRef: rung.policyRef,
      ...(rung.deadline ? { deadline: describeDuration(rung.deadline) } : {}),
      ...(rung.when ? { when: rung.when } : {}),
      trigger: rung.trigger,
    };
  });
  const lastTimed = [...steps].reverse().find((s) => s.dueAt);
  if (ladder.repeat && lastTimed?.dueAt) {
    const r = ladder.repeat;
    out.push({
      rung: 'repeat',
      title: r.title,
      dueAt: cal.iso(cal.due(new Date(lastTimed.dueAt), r.every)),
      to: r.to,
      cc: r.cc,
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
    steps: out,
    ...(ladder.repeat ? { repeatEvery: describeDuration(ladder.repeat.every) } : {}),
  };
}
