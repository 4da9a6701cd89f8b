import { parseDuration } from '../calendar/duration.js';
import { ladderFor } from './advance.js';
import type { CaseContext } from './case-context.js';
import type { DecisionBuilder } from './decision.js';
import { holdsAnything, holdUntil as holdStepsUntil, rungOf } from './timetable.js';

/**
 * A chased recipient confirmed the date of the meeting the last rung asked for (FIRO stage 2:
 * "the FSM will confirm the date of the meeting"; stage 3 the same of the Head of Service).
 * The date is noted on the case (`meeting-date-noted`). On a ladder with `holdForMeetings`, the
 * next stage follows only "if no resolution has been achieved from the meeting", so the ladder is
 * held like a dated promise: until the meeting's date plus the ladder's promise grace. Other
 * ladders with meeting rungs keep their timescales (the practice disagreement procedure gives
 * each level one working day at most, 5.2, and lets the escalation go on, 5.4).
 *
 * Only a reply while the last rung sent asks for a meeting counts: a date in a reply to the
 * opening request, which asks for a response, is no meeting confirmation.
 * Returns whether the ladder is held for the meeting (the reply is then no "done" or promise).
 */
export function noteMeetingDate(
  b: DecisionBuilder,
  classification: { meetingDate?: string; meetingEvidence?: string },
  by: string,
  ctx: CaseContext,
): { meetingOn: string; holds: boolean } | undefined {
  const s = b.state;
  const meetingOn = classification.meetingDate;
  if (!meetingOn || s.status === 'resolved' || s.status === 'closed') return undefined;
  const ladder = ladderFor(s, ctx);
  const last = s.steps
    .filter((step) => step.status === 'sent')
    .sort((x, y) => (x.sentAt ?? '').localeCompare(y.sentAt ?? '') || x.n - y.n)
    .at(-1);
  if (!last || last.rungId === 'repeat' || !rungOf(ladder, last).meeting) return undefined;

  const holds = ctx.ladder.holdForMeetings;
  let holdUntil: string | null = null;
  if (holds) {
    const until = ctx.calendar.due(ctx.calendar.openingOf(meetingOn), parseDuration(ctx.ladder.promiseGrace));
    if (until > ctx.now && (!s.hold || s.hold.until < until.toISOString()) && holdsAnything(s, until)) {
      s.hold = { until: until.toISOString(), promisedFor: meetingOn, by, meetingOn };
      // As with a dated promise, the held span moves the next stage and every later one with it.
      holdStepsUntil(s, ladder, ctx.calendar, until);
      b.because(`the meeting is on ${ctx.calendar.formatDate(ctx.calendar.openingOf(meetingOn))} and the next stage waits for its outcome`);
    }
    holdUntil = s.hold && s.hold.until >= until.toISOString() ? s.hold.until : null;
  }
  b.event('meeting-date-noted', by, {
    meetingOn,
    step: last.n,
    rung: last.rungId,
    holdUntil,
    evidence: classification.meetingEvidence ?? null,
  });
  return { meetingOn, holds };
}
