import type { WorkCalendar } from '../calendar/work-calendar.js';
import type { CaseState, NextAction } from './case-state.js';
import { currentStep } from './timetable.js';

/** How many working-day reminders an undecided approval gets before it is left to the digest. */
export const MAX_APPROVAL_REMINDERS = 3;

/**
 * When the case next needs the engine, and why. Stored on the case row: the delayed job is only
 * a cache of this, so it can always be rebuilt from Postgres.
 */
export function nextAction(state: CaseState, cal: WorkCalendar): { at: string; kind: NextAction } | null {
  if (state.status === 'awaiting-confirmation') {
    // Cases that waited before the hold existed wait for a command, with no time limit.
    const c = state.confirmation;
    return c ? { at: c.remindedAt ? c.until : c.remindAt, kind: 'confirmation-hold' } : null;
  }
  if (state.status === 'resolved' || state.status === 'closed') return null;
  if (state.senderConfirmation) return { at: state.senderConfirmation.until, kind: 'confirmation-expires' };
  if (state.status === 'paused' && state.pause) return { at: state.pause.until, kind: 'resume' };
  const step = currentStep(state);
  if (!step) return null;
  if (step.status === 'awaiting-approval') {
    const reminders = step.approvalReminders ?? 0;
    if (!step.approvalRequestedAt || reminders >= MAX_APPROVAL_REMINDERS) return null;
    const at = cal.addWorkingDays(new Date(step.approvalRequestedAt), reminders + 1);
    return { at: cal.nextOpening(at).toISOString(), kind: 'approval-reminder' };
  }
  if (step.status !== 'planned' || !step.dueAt) return null;
  // A promise moves the step it holds to the end of the hold (see holdUntil): it then waits for that.
  if (state.hold && state.hold.until >= step.dueAt) return { at: state.hold.until, kind: 'hold-ends' };
  return { at: step.dueAt, kind: 'step' };
}

export function withNextAction(state: CaseState, cal: WorkCalendar): CaseState {
  const next = nextAction(state, cal);
  state.nextActionAt = next?.at ?? null;
  state.nextAction = next?.kind ?? null;
  return state;
}
