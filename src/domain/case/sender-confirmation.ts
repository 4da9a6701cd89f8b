import type { CommandLine } from '../commands/command.js';
import { cloneState, runDue } from './advance.js';
import type { CaseContext } from './case-context.js';
import type { CaseState, Contact } from './case-state.js';
import { DecisionBuilder, type Decision } from './decision.js';
import { withNextAction } from './next-action.js';

/** How long a one-time confirmation stays valid: two working days of the organisation's calendar. */
export const CONFIRMATION_WORKING_DAYS = 2;

export function confirmationDeadline(ctx: Pick<CaseContext, 'calendar' | 'now'>): Date {
  return ctx.calendar.addWorkingDays(ctx.now, CONFIRMATION_WORKING_DAYS);
}

/**
 * Commands from a sender nobody could verify: nothing changes yet. The claimed sender's own
 * mailbox is asked "did you send this?" with a one-time code; only `CONFIRM <code>` from there
 * carries them out (the pending commands are stored with the code, outside the case state).
 */
export function requestSenderConfirmation(
  state: CaseState,
  input: { from: Contact; lines: CommandLine[]; token: string; until: Date; reason: string; messageKey: string },
  ctx: CaseContext,
): Decision {
  const b = new DecisionBuilder(cloneState(state), ctx.now);
  b.event('confirmation-requested', input.from.email, {
    commands: input.lines.map((l) => l.command.kind),
    until: input.until.toISOString(),
    reason: input.reason,
    message: input.messageKey,
  });
  b.mail({
    kind: 'sender-confirm',
    key: `m${input.messageKey}-confirm-sender`,
    to: [input.from],
    cc: [],
    timing: 'now',
    data: { token: input.token.toUpperCase(), commands: input.lines.map((l) => l.line), until: input.until.toISOString(), opening: false },
  });
  return b.build();
}

/** The opening's sender confirmed it: the ladder starts (anything overdue goes now, one rung at a time). */
export function confirmOpening(state: CaseState, input: { from: Contact; messageKey: string }, ctx: CaseContext): Decision {
  const b = new DecisionBuilder(cloneState(state), ctx.now);
  b.state.senderConfirmation = undefined;
  b.event('sender-confirmed', input.from.email, { what: 'opening', message: input.messageKey });
  runDue(b, ctx);
  withNextAction(b.state, ctx.calendar);
  b.mail({
    kind: 'command-ack',
    key: `m${input.messageKey}-ack`,
    to: [input.from],
    cc: [],
    timing: 'now',
    // The confirmation already gave the timetable and every command: this answer says only what changed.
    data: { done: ['Confirmed: the request is yours. The chasers now go as the timetable says.'], fullTimetable: false, allCommands: false },
  });
  return b.build();
}
