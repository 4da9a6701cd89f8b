import type { Duration } from '../calendar/duration.js';
import type { WorkCalendar } from '../calendar/work-calendar.js';
import { effectiveLadder, type EffectiveLadder, type EffectiveRung } from '../ladder/effective-ladder.js';
import type { CaseState, Instant, Step } from './case-state.js';

const DONE: ReadonlySet<Step['status']> = new Set(['sent', 'skipped', 'not-applicable']);

export function isDone(step: Step): boolean {
  return DONE.has(step.status);
}

/** The step the ladder is standing on: the first one not yet sent, skipped or set aside. */
export function currentStep(state: CaseState): Step | undefined {
  return state.steps.find((s) => !isDone(s));
}

export function rungOf(ladder: EffectiveLadder, step: Step): EffectiveRung {
  if (step.rungId === 'repeat' && ladder.repeat) return ladder.repeat;
  // A step done before a switch to a variant that skips its rung (IMMINENT skips the service manager
  // and head of service) still belongs to the case; it is described by the standard ladder's rung.
  // Without the fallback, the timetable of such a case could not be shown at all.
  const rung =
    ladder.rungs.find((r) => r.id === step.rungId) ??
    (ladder.variant === 'standard' ? undefined : effectiveLadder(ladder.def, 'standard').rungs.find((r) => r.id === step.rungId));
  if (!rung) throw new Error(`ladder ${ladder.def.id} (${ladder.variant}) has no rung "${step.rungId}"`);
  return rung;
}

/** The moment a step's successors count from: when it was sent (or decided), else when it was due. */
function baseOf(step: Step): Date | null {
  const at = step.sentAt ?? step.decidedAt ?? step.dueAt;
  return at ? new Date(at) : null;
}

/** The dated plan for a fresh case: every rung from the clock start. */
export function planSteps(ladder: EffectiveLadder, clockStart: Date, cal: WorkCalendar, firstN = 1): Step[] {
  const steps: Step[] = [];
  let previous: Date | null = clockStart;
  ladder.rungs.forEach((rung, i) => {
    let dueAt: Date | null = null;
    if (rung.trigger === 'time') {
      const base = rung.from === 'opening' || i === 0 ? clockStart : previous;
      dueAt = base ? cal.due(base, rung.after) : null;
    }
    steps.push({ n: firstN + i, rungId: rung.id, dueAt: dueAt?.toISOString() ?? null, status: 'planned' });
    previous = dueAt;
  });
  return steps;
}

/**
 * After a step is sent, skipped or set aside, the `from: previous` rungs after it count again from
 * the moment that really happened (a rung held for an address, or waiting for approval, pushes
 * the rest back rather than bunching them up).
 */
export function replanAfter(state: CaseState, ladder: EffectiveLadder, cal: WorkCalendar, index: number): void {
  // A step sent or decided outside the send window (APPROVE on a Saturday, a job that ran late)
  // only goes at the next opening: count from then, or the next rung can fall due an hour after it.
  const baseAt = (step: Step): Date | null => {
    const at = baseOf(step);
    return at ? cal.nextOpening(at) : null;
  };
  let previous = baseAt(state.steps[index]!);
  for (let i = index + 1; i < state.steps.length; i++) {
    const step = state.steps[i]!;
    if (step.status !== 'planned') {
      previous = baseAt(step);
      continue;
    }
    const rung = rungOf(ladder, step);
    if (rung.trigger === 'command') {
      previous = null;
      continue;
    }
    if (rung.from === 'previous' || rung.repeat) {
      step.dueAt = previous ? cal.due(previous, rung.after).toISOString() : null;
    }
    previous = step.dueAt ? new Date(step.dueAt) : null;
  }
}

/** Moves every planned step later by the time between `from` and `to` (a pause, a reopening). */
export function shiftPlanned(
  state: CaseState,
  clock: EffectiveLadder['clock'],
  cal: WorkCalendar,
  from: Date,
  to: Date,
): void {
  if (to <= from) return;
  const workingDays = cal.workingDaysBetween(from, to);
  for (const step of state.steps) {
    if (step.status !== 'planned' || !step.dueAt) continue;
    const due = new Date(step.dueAt);
    const moved =
      clock === 'working-days'
        ? cal.addWorkingDays(due, workingDays)
        : new Date(due.getTime() + (to.getTime() - from.getTime()));
    step.dueAt = cal.nextOpening(moved).toISOString();
  }
}

/** EXTEND: the next step (and, so the spacing holds, the ones after it) by a policy duration. */
export function extendPlanned(state: CaseState, cal: WorkCalendar, by: Duration): Instant | null {
  let first: Instant | null = null;
  for (const step of state.steps) {
    if (step.status !== 'planned' || !step.dueAt) continue;
    step.dueAt = cal.due(new Date(step.dueAt), by).toISOString();
    first ??= step.dueAt;
  }
  return first;
}

/**
 * The gap before each remaining rung when a case switches variant part-way (SAFEGUARDING):
 * rungs counted from the opening keep their spacing relative to each other, so the next
 * rung falls one interval after the switch instead of all at once.
 */
export function gapBefore(rungs: EffectiveRung[], i: number): Duration {
  const rung = rungs[i]!;
  const prev = rungs[i - 1];
  if (rung.from === 'previous' || !prev || prev.after.unit !== rung.after.unit) return rung.after;
  const n = Math.max(0, rung.after.n - prev.after.n);
  return { ...rung.after, n } as Duration;
}

export function replanFromNow(
  state: CaseState,
  ladder: EffectiveLadder,
  cal: WorkCalendar,
  now: Date,
): void {
  const done = state.steps.filter(isDone);
  const doneIds = new Set(done.map((s) => s.rungId));
  const lastDoneIndex = Math.max(-1, ...done.map((s) => ladder.rungs.findIndex((r) => r.id === s.rungId)));
  const remaining = ladder.rungs.map((r, i) => ({ r, i })).filter(({ r, i }) => i > lastDoneIndex && !doneIds.has(r.id));
  let previous: Date | null = now;
  let n = Math.max(0, ...state.steps.map((s) => s.n)) + 1;
  const open = state.steps.filter((s) => !isDone(s));
  const planned: Step[] = remaining.map(({ r, i }) => {
    const existing = open.find((s) => s.rungId === r.id);
    let dueAt: Date | null = null;
    if (r.trigger === 'time' && previous) dueAt = cal.due(previous, gapBefore(ladder.rungs, i));
    previous = dueAt;
    return { n: existing?.n ?? n++, rungId: r.id, dueAt: dueAt?.toISOString() ?? null, status: 'planned' };
  });
  // At the repeat stage no rung is left to plan: the planned repeat used to be dropped here, which
  // stopped the chasing altogether. Keep it, on the new variant's spacing from now.
  const openRepeat = open.find((s) => s.rungId === 'repeat');
  if (planned.length === 0 && openRepeat && ladder.repeat) {
    planned.push({ n: openRepeat.n, rungId: 'repeat', dueAt: cal.due(now, ladder.repeat.every).toISOString(), status: 'planned' });
  }
  state.steps = [...done, ...planned].sort((a, b) => a.n - b.n);
}

/** After the last rung is sent, the policy's "continue to persist" step. */
export function appendRepeat(state: CaseState, ladder: EffectiveLadder, cal: WorkCalendar, from: Date): Step | undefined {
  if (!ladder.repeat) return undefined;
  const n = Math.max(0, ...state.steps.map((s) => s.n)) + 1;
  // Counted from when the last mail actually goes (the next opening, if `from` is outside the window).
  const step: Step = { n, rungId: 'repeat', dueAt: cal.due(cal.nextOpening(from), ladder.repeat.every).toISOString(), status: 'planned' };
  state.steps.push(step);
  return step;
}
