import type { DateTime } from 'luxon';
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
    const step: Step = { n: firstN + i, rungId: rung.id, dueAt: null, status: 'planned' };
    if (rung.trigger === 'time') {
      const base = rung.from === 'opening' || i === 0 ? clockStart : previous;
      if (base) setTiming(step, cal.add(base, rung.after), cal);
    }
    steps.push(step);
    previous = step.dueAt ? new Date(step.dueAt) : null;
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
      if (previous) setTiming(step, cal.add(previous, rung.after), cal);
      else clearTiming(step);
    }
    previous = step.dueAt ? new Date(step.dueAt) : null;
  }
}

/**
 * Moves every planned step later by the time between `from` and `to` (a pause, a reopening): on a
 * calendar ladder by the same local calendar time (days and time of day, so 09:00 stays 09:00
 * across a clock change), on a working-day ladder by the same number of working days.
 */
export function shiftPlanned(state: CaseState, clock: EffectiveLadder['clock'], cal: WorkCalendar, from: Date, to: Date): void {
  if (to <= from) return;
  for (const step of state.steps) {
    if (step.status !== 'planned' || !step.dueAt) continue;
    setTiming(step, carrySpan(cal, clock, timingOf(step, cal)!, from, to, { wholeWorkingDays: true }), cal);
  }
}

/** RESUME before the pause ran out: planned steps come back by the unused part (never before `now`). */
export function shiftBack(state: CaseState, clock: EffectiveLadder['clock'], cal: WorkCalendar, until: Date, now: Date): void {
  if (until <= now) return;
  for (const step of state.steps) {
    if (step.status !== 'planned' || !step.dueAt) continue;
    const moved = carrySpan(cal, clock, timingOf(step, cal)!, now, until, { back: true, wholeWorkingDays: true });
    setTiming(step, moved < now ? now : moved, cal);
  }
}

/**
 * EXTEND: the next step (and, so the spacing holds, the ones after it) by a policy duration,
 * counted from where each step's timing really is, not from the window opening it was moved
 * to: EXTEND 2 days twice lands where EXTEND 4 days does.
 */
export function extendPlanned(state: CaseState, cal: WorkCalendar, by: Duration): Instant | null {
  let first: Instant | null = null;
  for (const step of state.steps) {
    if (step.status !== 'planned' || !step.dueAt) continue;
    setTiming(step, cal.add(timingOf(step, cal)!, by), cal);
    first ??= step.dueAt;
  }
  return first;
}

/**
 * The step at `index` goes (or will go) at `to` rather than at `from`, when it was due: every
 * planned step after it moves by the same span, so the ladder keeps its spacing instead of
 * sending the overdue rungs together. Exact on both clocks (days and time of day; working days
 * on a working-day ladder).
 */
export function pushBackAfter(state: CaseState, ladder: EffectiveLadder, cal: WorkCalendar, index: number, from: Date, to: Date): void {
  if (to <= from) return;
  for (let i = index + 1; i < state.steps.length; i++) {
    const step = state.steps[i]!;
    if (step.status !== 'planned' || !step.dueAt) continue;
    setTiming(step, carrySpan(cal, ladder.clock, timingOf(step, cal)!, from, to), cal);
  }
}

/**
 * A dated promise holds the ladder: the step standing due before `until` now goes at `until`, and
 * every later step moves back by the same span (the held span), so the rungs after it keep
 * their spacing rather than all falling due the moment the hold ends.
 */
export function holdUntil(state: CaseState, ladder: EffectiveLadder, cal: WorkCalendar, until: Date): void {
  const step = currentStep(state);
  if (!step || step.status !== 'planned' || !step.dueAt) return;
  const due = new Date(step.dueAt);
  if (due >= until) return;
  const index = state.steps.indexOf(step);
  pushBackAfter(state, ladder, cal, index, due, until);
  setTiming(step, until, cal);
}

/**
 * The invariant between rungs: no later rung falls due before the deadline the last step sent
 * (the one at `index`) stated to its recipient. A rung that would is moved to that deadline and
 * the ones after it with it. Reg 5 is laid out so each rung falls due on the previous rung's
 * deadline, so on its normal timetable this moves nothing.
 */
export function keepAfterDeadline(state: CaseState, ladder: EffectiveLadder, cal: WorkCalendar, index: number): void {
  const sent = state.steps[index];
  if (!sent || sent.status !== 'sent' || !sent.deadlineAt) return;
  const floor = new Date(sent.deadlineAt);
  for (let i = index + 1; i < state.steps.length; i++) {
    const step = state.steps[i]!;
    if (step.status !== 'planned' || !step.dueAt) continue;
    const due = new Date(step.dueAt);
    if (due >= floor) continue;
    pushBackAfter(state, ladder, cal, i, due, floor);
    setTiming(step, floor, cal);
  }
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

export function replanFromNow(state: CaseState, ladder: EffectiveLadder, cal: WorkCalendar, now: Date): void {
  const done = state.steps.filter(isDone);
  const doneIds = new Set(done.map((s) => s.rungId));
  const lastDoneIndex = Math.max(-1, ...done.map((s) => ladder.rungs.findIndex((r) => r.id === s.rungId)));
  const remaining = ladder.rungs.map((r, i) => ({ r, i })).filter(({ r, i }) => i > lastDoneIndex && !doneIds.has(r.id));
  let previous: Date | null = now;
  let n = Math.max(0, ...state.steps.map((s) => s.n)) + 1;
  const open = state.steps.filter((s) => !isDone(s));
  const planned: Step[] = remaining.map(({ r, i }) => {
    const existing = open.find((s) => s.rungId === r.id);
    const step: Step = { n: existing?.n ?? n++, rungId: r.id, dueAt: null, status: 'planned' };
    if (r.trigger === 'time' && previous) setTiming(step, cal.add(previous, gapBefore(ladder.rungs, i)), cal);
    previous = step.dueAt ? new Date(step.dueAt) : null;
    return step;
  });
  // At the repeat stage no rung is left to plan: the planned repeat used to be dropped here, which
  // stopped the chasing altogether. Keep it, on the new variant's spacing from now.
  const openRepeat = open.find((s) => s.rungId === 'repeat');
  if (planned.length === 0 && openRepeat && ladder.repeat) {
    const repeat: Step = { n: openRepeat.n, rungId: 'repeat', dueAt: null, status: 'planned' };
    setTiming(repeat, cal.add(now, ladder.repeat.every), cal);
    planned.push(repeat);
  }
  state.steps = [...done, ...planned].sort((a, b) => a.n - b.n);
}

/** After the last rung is sent, the policy's "continue to persist" step. */
export function appendRepeat(state: CaseState, ladder: EffectiveLadder, cal: WorkCalendar, from: Date): Step | undefined {
  if (!ladder.repeat) return undefined;
  const n = Math.max(0, ...state.steps.map((s) => s.n)) + 1;
  // Counted from when the last mail actually goes (the next opening, if `from` is outside the window).
  const step: Step = { n, rungId: 'repeat', dueAt: null, status: 'planned' };
  setTiming(step, cal.add(cal.nextOpening(from), ladder.repeat.every), cal);
  state.steps.push(step);
  return step;
}

/**
 * Where a planned step's timing really is: its due moment before the send window moved it (a
 * rung falling on a Saturday or a bank holiday is due at the next opening, but the time after it
 * still counts from the Saturday). Ignored once anything else has re-dated the step.
 */
export function timingOf(step: Step, cal: WorkCalendar): Date | null {
  if (!step.dueAt) return null;
  if (step.timingAt && cal.nextOpening(new Date(step.timingAt)).toISOString() === step.dueAt) return new Date(step.timingAt);
  return new Date(step.dueAt);
}

/** Dates a step: `raw` moved into the send window, keeping `raw` when the window moved it. */
export function setTiming(step: Step, raw: Date, cal: WorkCalendar): void {
  const due = cal.nextOpening(raw);
  step.dueAt = due.toISOString();
  if (due.getTime() !== raw.getTime()) step.timingAt = raw.toISOString();
  else delete step.timingAt;
}

function clearTiming(step: Step): void {
  step.dueAt = null;
  delete step.timingAt;
}

const DAY_MS = 86_400_000;

/** Milliseconds since local midnight, by the wall clock. */
function wallMs(dt: DateTime): number {
  return ((dt.hour * 60 + dt.minute) * 60 + dt.second) * 1000 + dt.millisecond;
}

/** Days since the epoch of a local calendar date. */
function dayNumber(dt: DateTime): number {
  return Date.UTC(dt.year, dt.month - 1, dt.day) / DAY_MS;
}

/**
 * `at` moved by the span from `from` to `to` (back by it with `back`), as the ladder's clock counts:
 * on a calendar ladder in local calendar days and wall-clock time (a rung due at 09:00 stays at
 * 09:00 when the span crosses a clock change); on a working-day ladder in working days, keeping
 * the time of day with `wholeWorkingDays` (PAUSE), else also moving it by the span's change in
 * time of day. The result may fall outside the send window; `setTiming` moves it in.
 */
export function carrySpan(
  cal: WorkCalendar,
  clock: EffectiveLadder['clock'],
  at: Date,
  from: Date,
  to: Date,
  opts: { back?: boolean; wholeWorkingDays?: boolean } = {},
): Date {
  const sign = opts.back ? -1 : 1;
  const f = cal.local(from);
  const t = cal.local(to);
  let base = cal.local(at);
  let days = 0;
  if (clock === 'working-days') {
    const n = cal.workingDaysBetween(from, to);
    base = cal.local(opts.back ? cal.subtractWorkingDays(at, n) : cal.addWorkingDays(at, n));
    if (opts.wholeWorkingDays) return base.toJSDate();
  } else {
    days = sign * (dayNumber(t) - dayNumber(f));
  }
  let ms = wallMs(base) + sign * (wallMs(t) - wallMs(f));
  days += Math.floor(ms / DAY_MS);
  ms = ((ms % DAY_MS) + DAY_MS) % DAY_MS;
  return base
    .startOf('day')
    .plus({ days })
    .set({ hour: Math.floor(ms / 3_600_000), minute: Math.floor(ms / 60_000) % 60, second: Math.floor(ms / 1000) % 60, millisecond: ms % 1000 })
    .toJSDate();
}
