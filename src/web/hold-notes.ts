import type { CaseState } from '../domain/case/case-state.js';

/**
 * Why the timetable is held, in words, for the case page: a pause, a reply waiting for the RM's
 * confirmation, a promise or a meeting, a sender yet to confirm. The timetable's own rows say
 * why a single step is held (no address); these are the holds on the whole case.
 */
export function holdNotes(state: CaseState, format: (iso: string) => string, formatDate: (isoDate: string) => string): string[] {
  const notes: string[] = [];
  if (state.status === 'paused' && state.pause) notes.push(`Paused until ${format(state.pause.until)}: nothing is sent before then.`);
  const c = state.confirmation;
  if (state.status === 'awaiting-confirmation') {
    if (c) {
      const why = c.reason === 'done' ? 'a reply says it is done' : 'the reply is behind a secure-mail link only you can open';
      const silence = c.onSilence === 'resolve' ? 'the case is resolved' : 'the reminders go on';
      notes.push(
        `Held for your confirmation since ${format(c.since)}: ${why}. ${c.remindedAt ? 'You were reminded' : `You are reminded ${format(c.remindAt)}`}; if nobody answers by ${format(c.until)}, ${silence}.`,
      );
    } else if (state.awaitingConfirmationSince) {
      notes.push(`Held for your confirmation since ${format(state.awaitingConfirmationSince)}: a reply says it is done.`);
    }
  }
  if (state.hold)
    notes.push(
      `Held until ${format(state.hold.until)} for ${state.hold.meetingOn ? `the meeting on ${formatDate(state.hold.meetingOn)}` : `a promise of ${formatDate(state.hold.promisedFor)}`}.`,
    );
  if (state.senderConfirmation)
    notes.push(`Held until the person who opened it confirms it was them (by ${format(state.senderConfirmation.until)}); no chaser goes before.`);
  return notes;
}
