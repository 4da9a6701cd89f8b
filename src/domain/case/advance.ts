import { effectiveLadder, type EffectiveLadder } from '../ladder/effective-ladder.js';
import type { LadderDefinition } from '../ladder/ladder-schema.js';
import { partnerLadder } from '../ladder/partner-ladder.js';
import { casePartner } from './role-resolution.js';
import type { CaseContext } from './case-context.js';
import type { CaseState } from './case-state.js';
import { DecisionBuilder, type Decision } from './decision.js';
import { fireStep } from './fire-step.js';
import { MAX_APPROVAL_REMINDERS, withNextAction } from './next-action.js';
import { staffRecipients } from './staff-recipients.js';
import { currentStep } from './timetable.js';
import { runConfirmationHold } from './awaiting-confirmation.js';
import { tellKeptInformed } from './kept-informed.js';

export function cloneState(state: CaseState): CaseState {
  return structuredClone(state);
}

/**
 * The ladder as this case reads it: with a partner agency's own roles (reg 5: an NHS trust's
 * designated nurse and head of service) named where the council's would be. Same rungs, same dates.
 */
export function caseLadder(state: CaseState, ctx: Pick<CaseContext, 'ladder' | 'directory'>): LadderDefinition {
  return partnerLadder(ctx.ladder, casePartner(state, ctx));
}

export function ladderFor(state: CaseState, ctx: Pick<CaseContext, 'ladder' | 'directory'>): EffectiveLadder {
  return effectiveLadder(caseLadder(state, ctx), state.variant);
}

/**
 * Runs whatever has fallen due by `ctx.now`: steps, the end of a pause or a promise, reminders.
 * It sends (or drafts) at most one rung of the case: when several are overdue (the service was
 * down), the earliest goes and the rest move back with it (see fireStep), and anything still due
 * waits for the next run rather than going in the same instant.
 */
export function runDue(b: DecisionBuilder, ctx: CaseContext): void {
  runDueSteps(b, ctx);
  // After the steps: the carer's opening note goes with (not before) a case that opened, and the
  // end note with whatever ended it in this decision.
  tellKeptInformed(b, ctx);
}

function runDueSteps(b: DecisionBuilder, ctx: CaseContext): void {
  const ladder = ladderFor(b.state, ctx);
  const now = ctx.now.toISOString();
  let fired = false;
  // Each pass either moves the ladder on or returns; the bound only guards against a bad ladder.
  for (let guard = 0; guard < 100; guard++) {
    const state = b.state;
    if (state.status === 'awaiting-confirmation') {
      // The reminder at the end of the first hold, the outcome at the end of the second; once
      // the ladder goes on again, the step the hold moved goes in this same run.
      if (!runConfirmationHold(b, ctx)) return;
      continue;
    }
    if (state.status !== 'open' && state.status !== 'paused') return;
    if (state.senderConfirmation) {
      // Nothing goes to anyone until the sender has proven the request is theirs.
      if (state.senderConfirmation.until <= now) expireUnconfirmedOpening(b, ctx);
      return;
    }
    if (state.status === 'paused') {
      if (!state.pause || state.pause.until > now) return;
      b.event('resumed', 'system', { reason: 'pause ended', pausedFrom: state.pause.from });
      state.status = 'open';
      state.pause = undefined;
      continue;
    }
    if (state.hold && state.hold.until <= now) {
      if (state.hold.meetingOn) b.event('meeting-hold-ended', 'system', { meetingOn: state.hold.meetingOn, by: state.hold.by });
      else b.event('promise-lapsed', 'system', { promisedFor: state.hold.promisedFor, by: state.hold.by });
      state.hold = undefined;
    }
    const step = currentStep(state);
    if (!step) return;
    if (step.status === 'awaiting-approval') {
      remindApproval(b, step, ctx);
      return;
    }
    if (step.status !== 'planned' || !step.dueAt) return;
    if (step.dueAt > now || (state.hold && state.hold.until > now)) return;
    if (fired) return;
    const outcome = fireStep(b, ladder, step, ctx, 'system');
    fired = outcome !== 'held' && outcome !== 'not-applicable';
  }
  throw new Error(`case ${b.state.ref}: the ladder did not settle`);
}

function remindApproval(b: DecisionBuilder, step: NonNullable<ReturnType<typeof currentStep>>, ctx: CaseContext): void {
  const reminders = step.approvalReminders ?? 0;
  if (!step.approvalRequestedAt || reminders >= MAX_APPROVAL_REMINDERS) return;
  const dueAt = ctx.calendar.nextOpening(ctx.calendar.addWorkingDays(new Date(step.approvalRequestedAt), reminders + 1));
  if (dueAt > ctx.now) return;
  step.approvalReminders = reminders + 1;
  b.mail({
    kind: 'approval-reminder',
    key: `s${step.n}-approval-reminder-${reminders + 1}`,
    ...staffRecipients(b.state, ctx),
    timing: 'now',
    step: step.n,
    data: { draftKey: `s${step.n}-chaser`, reminder: reminders + 1, rungId: step.rungId },
  });
  b.event('approval-reminded', 'system', { step: step.n, reminder: reminders + 1 });
}

/** The time-driven entry point: the advance-case job calls this with the injected clock. */
export function advanceCase(state: CaseState, ctx: CaseContext): Decision {
  const b = new DecisionBuilder(cloneState(state), ctx.now);
  runDue(b, ctx);
  withNextAction(b.state, ctx.calendar);
  return b.build();
}

/** Nobody confirmed the opening in time: the case closes and nothing ever went outside the organisation. */
export function expireUnconfirmedOpening(b: DecisionBuilder, ctx: CaseContext): void {
  const s = b.state;
  s.senderConfirmation = undefined;
  s.status = 'closed';
  s.closedAt = ctx.now.toISOString();
  b.draft({ kind: 'cancel-all' });
  b.event('closed', 'system', { by: 'unconfirmed', reason: 'the request was not confirmed by its sender in time' });
  b.mail({
    kind: 'sender-confirm',
    key: 'opening-unconfirmed',
    ...staffRecipients(s, ctx),
    timing: 'now',
    data: { expired: true, opening: true, token: '', commands: [], until: ctx.now.toISOString() },
  });
}
