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

/**
 * When a rung falls due `after` its base. Working days are whole days: a rung due in N working days
 * goes at the opening of the Nth working day, so the day before it is the recipient's whole last
 * day (see deadlineFor). Calendar weeks and days keep the local time of day.
 */
export function rungDueFrom(base: Date, after: Duration, cal: WorkCalendar): Date {
  if (after.unit !== 'wd' || after.n === 0) return cal.add(base, after);
  return cal.openingOfDay(cal.addWorkingDays(base, after.n));
}

/**
 * Where a step stands on the ladder's own timetable (its anchor): the moment the policy's timing
 * put it, or where a hold, an ESCALATE or a late send moved it. The steps after it count from here,
 * never from the seconds a job ran late.
 */
export function anchorOf(step: Step, cal: WorkCalendar): Date | null {
  const timing = timingOf(step, cal);
  if (timing) return timing;
  const at = step.sentAt ?? step.decidedAt;
  return at ? new Date(at) : null;
}

/**
 * The dated plan for a fresh case: every rung from the clock start. An any-hour rung due "the same
 * day" at the start counts from `openedAt` itself (an imminent-risk case raised at 17:30 goes at
 * 17:30, not at the next morning's opening).
 */
export function planSteps(ladder: EffectiveLadder, clockStart: Date, cal: WorkCalendar, firstN = 1, openedAt?: Date): Step[] {
  const steps: Step[] = [];
  let previous: Date | null = clockStart;
  ladder.rungs.forEach((rung, i) => {
    const step: Step = { n: firstN + i, rungId: rung.id, dueAt: null, status: 'planned', ...(rung.anyHour ? { anyHour: true } : {}) };
    if (rung.trigger === 'time') {
      const fromStart = rung.from === 'opening' || i === 0;
      const start = fromStart && rung.anyHour && openedAt && rung.after.unit === 'same-day' && openedAt < clockStart ? openedAt : clockStart;
      const base = fromStart ? start : previous;
      if (base) setTiming(step, rungDueFrom(base, rung.after, cal), cal);
    }
    steps.push(step);
    previous = step.dueAt ? countFrom(step, cal) : null;
  });
  return steps;
}

/**
 * Where the rungs after a step count from: its timing, or for an any-hour step that went out of
 * hours, the next opening (its recipient's working days start then, so a rung one working day
 * after it still leaves them a whole working day).
 */
function countFrom(step: Step, cal: WorkCalendar): Date | null {
  const at = timingOf(step, cal);
  return at && step.anyHour ? cal.nextOpening(at) : at;
}

/**
 * The `from: previous` rungs after the step at `index` count again from its anchor. On a normal
 * run this changes nothing; after an ESCALATE (the step went early) or a step re-dated by a hold,
 * the rungs after it keep their spacing from where it really stands.
 */
export function replanAfter(state: CaseState, ladder: EffectiveLadder, cal: WorkCalendar, index: number): void {
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- callers pass the index of an existing step
  let previous = anchorFrom(state.steps[index]!, cal);
  for (let i = index + 1; i < state.steps.length; i++) {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the index is within the array (the loop's bound)
    const step = state.steps[i]!;
    if (step.status !== 'planned') {
      previous = anchorFrom(step, cal);
      continue;
    }
    const rung = rungOf(ladder, step);
    if (rung.trigger === 'command') {
      previous = null;
      continue;
    }
    if (rung.from === 'previous' || rung.repeat) {
      if (previous) setTiming(step, rungDueFrom(previous, rung.repeat && ladder.repeat ? ladder.repeat.every : rung.after, cal), cal);
      else clearTiming(step);
    }
    previous = step.dueAt ? countFrom(step, cal) : null;
  }
}

/** A step's anchor, as the rungs after it count from it (see countFrom). */
function anchorFrom(step: Step, cal: WorkCalendar): Date | null {
  const at = anchorOf(step, cal);
  return at && step.anyHour ? cal.nextOpening(at) : at;
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
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- a step with a dueAt (checked above) always has a timing
    setTiming(step, carrySpan(cal, clock, timingOf(step, cal)!, from, to, { wholeWorkingDays: true }), cal);
  }
}

/** RESUME before the pause ran out: planned steps come back by the unused part (never before `now`). */
export function shiftBack(state: CaseState, clock: EffectiveLadder['clock'], cal: WorkCalendar, until: Date, now: Date): void {
  if (until <= now) return;
  for (const step of state.steps) {
    if (step.status !== 'planned' || !step.dueAt) continue;
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- a step with a dueAt (checked above) always has a timing
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
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- a step with a dueAt (checked above) always has a timing
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
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the index is within the array (the loop's bound)
    const step = state.steps[i]!;
    if (step.status !== 'planned' || !step.dueAt) continue;
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- a step with a dueAt (checked above) always has a timing
    setTiming(step, carrySpan(cal, ladder.clock, timingOf(step, cal)!, from, to, { wholeWorkingDays: ladder.clock === 'working-days' }), cal);
  }
}

/**
 * The step at `index` goes at `goesAt`. When that is on a later day than it was due (held for an
 * address, an approval given days later, a service that was down), it is re-dated to when it goes
 * and every later step moves back by the held span. Going a little late on the day it was due
 * counts as on time. Returns the moment it was due when it goes late.
 */
export function goLate(state: CaseState, ladder: EffectiveLadder, cal: WorkCalendar, index: number, goesAt: Date): Date | undefined {
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- callers pass the index of an existing step
  const step = state.steps[index]!;
  if (!step.dueAt) return undefined;
  const due = new Date(step.dueAt);
  if (!(due < goesAt && cal.localDate(due) < cal.localDate(goesAt))) return undefined;
  pushBackAfter(state, ladder, cal, index, due, goesAt);
  step.dueAt = goesAt.toISOString();
  delete step.timingAt;
  return due;
}

/**
 * When the next step after the one at `index` goes if nothing changes: the next dated rung the case
 * will really send (a rung set aside for a flag the case does not have is passed over), else the
 * repeat that will follow the last rung. Null at the top of the ladder, or when what comes next
 * waits for an ESCALATE.
 */
export function nextDueAfter(state: CaseState, ladder: EffectiveLadder, cal: WorkCalendar, index: number): Date | null {
  for (let i = index + 1; i < state.steps.length; i++) {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the index is within the array (the loop's bound)
    const step = state.steps[i]!;
    if (isDone(step)) continue;
    const rung = rungOf(ladder, step);
    if (rung.trigger === 'command' || !step.dueAt) return null;
    if (rung.when && !state.flags[rung.when]) continue;
    return new Date(step.dueAt);
  }
  const last = state.steps[state.steps.length - 1];
  const base = last ? anchorFrom(last, cal) : null;
  if (!ladder.repeat || !base) return null;
  const raw = repeatAfter(base, ladder, cal);
  return ladder.repeat.anyHour ? raw : cal.nextOpening(raw);
}

/**
 * The deadline the step at `index` gives when it goes at `goesAt`: the close of the last working
 * day before the next step goes (the policy's date for the next rung is the anchor, so a reminder
 * sent late after a bank holiday still asks for a reply before the next rung, not a week later).
 * At the top of the ladder, the rung's own timescale counted from when it goes, the same way.
 * Undefined when the rung states no deadline, or when the next step goes the same day.
 */
export function deadlineFor(state: CaseState, ladder: EffectiveLadder, cal: WorkCalendar, index: number, goesAt: Date): Date | undefined {
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- callers pass the index of an existing step
  const step = state.steps[index]!;
  const rung = rungOf(ladder, step);
  if (!rung.deadline) return undefined;
  // An any-hour step sent out of hours gives its timescale from the next opening, as the working days count.
  const from = step.anyHour ? cal.nextOpening(goesAt) : goesAt;
  const next = nextDueAfter(state, ladder, cal, index) ?? cal.nextOpening(rungDueFrom(from, rung.deadline, cal));
  const deadline = cal.deadlineBefore(next);
  return deadline > goesAt ? deadline : undefined;
}

/**
 * The deadline the opening request gives: the close of the last working day before the first rung
 * the case will send. Undefined when that rung goes the same day (an imminent-risk case).
 */
export function requestDeadline(state: CaseState, ladder: EffectiveLadder, cal: WorkCalendar): Date | undefined {
  const next = nextDueAfter(state, ladder, cal, -1);
  if (!next) return undefined;
  const deadline = cal.deadlineBefore(next);
  return deadline > new Date(state.clockStartAt) ? deadline : undefined;
}

/**
 * A dated promise holds the ladder: the step standing due before `until` now goes at `until`, and
 * every later step moves back by the same span (the held span), so the rungs after it keep
 * their spacing rather than all falling due the moment the hold ends.
 */
/**
 * Whether holding until `until` holds anything: the step standing due would otherwise go before it.
 * A promise or meeting after which the next step comes anyway holds nothing, so no "held until" is
 * recorded or said that the timetable would contradict.
 */
export function holdsAnything(state: CaseState, until: Date): boolean {
  const step = currentStep(state);
  return !!step && step.status === 'planned' && !!step.dueAt && new Date(step.dueAt) < until;
}

export function holdUntil(state: CaseState, ladder: EffectiveLadder, cal: WorkCalendar, until: Date): void {
  const step = currentStep(state);
  if (step?.status !== 'planned' || !step.dueAt) return;
  const due = new Date(step.dueAt);
  if (due >= until) return;
  const index = state.steps.indexOf(step);
  pushBackAfter(state, ladder, cal, index, due, until);
  setTiming(step, until, cal);
}

/**
 * The gap before each remaining rung when a case switches variant part-way (SAFEGUARDING):
 * rungs counted from the opening keep their spacing relative to each other, so the next
 * rung falls one interval after the switch instead of all at once.
 */
export function gapBefore(rungs: EffectiveRung[], i: number): Duration {
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- callers pass the index of an existing rung
  const rung = rungs[i]!;
  const prev = rungs[i - 1];
  if (rung.from === 'previous' || prev?.after.unit !== rung.after.unit) return rung.after;
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
    const step: Step = { n: existing?.n ?? n++, rungId: r.id, dueAt: null, status: 'planned', ...(r.anyHour ? { anyHour: true } : {}) };
    if (r.trigger === 'time' && previous) setTiming(step, rungDueFrom(previous, gapBefore(ladder.rungs, i), cal), cal);
    previous = step.dueAt ? countFrom(step, cal) : null;
    return step;
  });
  // At the repeat stage no rung is left to plan: the planned repeat used to be dropped here, which
  // stopped the chasing altogether. Keep it, on the new variant's spacing from now.
  const openRepeat = open.find((s) => s.rungId === 'repeat');
  if (planned.length === 0 && openRepeat && ladder.repeat) {
    const repeat: Step = { n: openRepeat.n, rungId: 'repeat', dueAt: null, status: 'planned', ...(ladder.repeat.anyHour ? { anyHour: true } : {}) };
    setTiming(repeat, repeatAfter(now, ladder, cal), cal);
    planned.push(repeat);
  }
  state.steps = [...done, ...planned].sort((a, b) => a.n - b.n);
}

/** When the repeat after a step anchored at `base` falls due (before the send window moves it). */
export function repeatAfter(base: Date, ladder: EffectiveLadder, cal: WorkCalendar): Date {
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- every caller has checked that the ladder has a repeat
  return rungDueFrom(base, ladder.repeat!.every, cal);
}

/**
 * After the last rung, the policy's "continue to persist" step: counted from the last step's anchor
 * (reg 5's fortnightly emails fall 10, 12, 14 … weeks from the opening, whatever day the send
 * window moved the 8-week rung to).
 */
export function appendRepeat(state: CaseState, ladder: EffectiveLadder, cal: WorkCalendar): Step | undefined {
  if (!ladder.repeat) return undefined;
  const last = state.steps[state.steps.length - 1];
  const base = (last && anchorFrom(last, cal)) ?? null;
  if (!base) return undefined;
  const n = Math.max(0, ...state.steps.map((s) => s.n)) + 1;
  const step: Step = { n, rungId: 'repeat', dueAt: null, status: 'planned', ...(ladder.repeat.anyHour ? { anyHour: true } : {}) };
  setTiming(step, repeatAfter(base, ladder, cal), cal);
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
  if (step.anyHour) return new Date(step.dueAt);
  if (step.timingAt && cal.nextOpening(new Date(step.timingAt)).toISOString() === step.dueAt) return new Date(step.timingAt);
  return new Date(step.dueAt);
}

/**
 * Dates a step: `raw` moved into the send window, keeping `raw` when the window moved it. An
 * any-hour step is due at `raw` itself.
 */
export function setTiming(step: Step, raw: Date, cal: WorkCalendar): void {
  const due = step.anyHour ? raw : cal.nextOpening(raw);
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

/**
 * A date the request is needed by (`Due:`) that comes before the policy's date for a planned rung:
 * on a ladder whose policy asks for it (reg 5: "where a child might be at risk during a planned
 * time with family all the steps may need to be taken prior to the time of the visit") the planned
 * rungs are drawn in, in their order and in proportion to the policy's spacing, onto the working
 * days after `from` and before `dueDate`, each at the opening of its day; the last goes on the last
 * working day before it. A rung already due earlier stays. With no working day left before the
 * date, everything still planned goes at `from`. A date not after `from`'s own day draws in nothing
 * (it is recorded, not acted on). Returns whether anything moved.
 */
export function fitBeforeDue(
  state: Pick<CaseState, 'steps' | 'drawnInBefore'>,
  ladder: EffectiveLadder,
  cal: WorkCalendar,
  dueDate: string,
  from: Date,
): boolean {
  if (!ladder.def.neededBy || dueDate <= cal.localDate(from)) return false;
  const planned: { step: Step; at: number }[] = [];
  for (const step of state.steps) {
    if (step.status === 'planned' && step.dueAt && !rungOf(ladder, step).repeat) planned.push({ step, at: new Date(step.dueAt).getTime() });
  }
  if (!planned.some(({ at }) => cal.localDate(new Date(at)) >= dueDate)) return false;
  const lastDay = cal.lastWorkingDayBefore(cal.closeOf(dueDate));
  const days: string[] = [];
  for (let d = cal.addWorkingDays(from, 1); cal.localDate(d) <= lastDay && days.length < 400; d = cal.addWorkingDays(d, 1)) days.push(cal.localDate(d));
  const span = Math.max(1, Math.max(...planned.map(({ at }) => at)) - from.getTime());
  let moved = false;
  for (const { step, at } of planned) {
    const share = Math.min(1, Math.max(0, (at - from.getTime()) / span));
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the index is within days (clamped to its length)
    const target = days.length === 0 ? from : cal.openingOf(days[Math.min(days.length, Math.max(1, Math.ceil(share * days.length))) - 1]!);
    if (target.getTime() >= at) continue;
    setTiming(step, target, cal);
    moved = true;
  }
  if (moved) state.drawnInBefore = dueDate;
  return moved;
}
