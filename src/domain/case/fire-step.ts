import type { EffectiveLadder } from '../ladder/effective-ladder.js';
import type { CaseContext } from './case-context.js';
import type { Step } from './case-state.js';
import type { DecisionBuilder } from './decision.js';
import { dedupe, resolveRoles } from './role-resolution.js';
import { staffRecipients } from './staff-recipients.js';
import { appendRepeat, replanAfter, rungOf } from './timetable.js';

/** The roles a rung copies on this case: its cc, its flag-dependent cc, and the ladder's always-cc. */
export function ccRolesFor(ladder: EffectiveLadder, step: Step, flags: Record<string, boolean>): string[] {
  const rung = rungOf(ladder, step);
  const roles = [...rung.cc];
  for (const [flag, extra] of Object.entries(rung.ccWhen)) if (flags[flag]) roles.push(...(extra ?? []));
  roles.push(...ladder.def.alwaysCc);
  return [...new Set(roles)];
}

export function recipientsFor(b: DecisionBuilder, ladder: EffectiveLadder, step: Step, ctx: CaseContext) {
  const rung = rungOf(ladder, step);
  const to = resolveRoles(b.state, rung.to, ctx);
  const cc = resolveRoles(b.state, ccRolesFor(ladder, step, b.state.flags), ctx);
  return { to: to.contacts, cc: dedupe(cc.contacts, to.contacts), missingTo: to.missing, missingCc: cc.missing };
}

/**
 * A step has fallen due (or been escalated to, or approved): send its chaser, or hold it for a
 * missing address, or put the draft to the RM when the rung is approval-gated.
 */
export function fireStep(b: DecisionBuilder, ladder: EffectiveLadder, step: Step, ctx: CaseContext, actor: string): void {
  const state = b.state;
  const rung = rungOf(ladder, step);
  const index = state.steps.indexOf(step);
  const now = ctx.now.toISOString();

  if (rung.when && !state.flags[rung.when]) {
    step.status = 'not-applicable';
    step.decidedAt = now;
    b.event('step-not-applicable', 'system', { step: step.n, rung: rung.id, when: rung.when });
    replanAfter(state, ladder, ctx.calendar, index);
    // Set aside as the last rung (reg 5's LSCP rung on a case that is not child protection), the
    // ladder still goes on to its repeat; without this the fortnightly emails never started.
    if (index === state.steps.length - 1) appendRepeat(state, ladder, ctx.calendar, ctx.now);
    return;
  }

  const { to, cc, missingTo, missingCc } = recipientsFor(b, ladder, step, ctx);
  if (missingTo.length > 0) {
    step.status = 'held';
    step.heldSince ??= now;
    step.missingRoles = missingTo;
    b.event('step-held', 'system', { step: step.n, rung: rung.id, missingRoles: missingTo });
    if (!step.contactRequestedAt) {
      step.contactRequestedAt = now;
      const staff = staffRecipients(state, ctx);
      b.mail({ kind: 'contact-request', key: `s${step.n}-contact`, ...staff, timing: 'now', step: step.n, data: { missingRoles: missingTo } });
    }
    return;
  }
  step.missingRoles = undefined;

  // The chaser waits for the send window, so its deadline counts from when it actually goes: a step
  // fired (or approved) at night or at a weekend otherwise stated a deadline up to a day short.
  const deadlineAt = rung.deadline
    ? ctx.calendar.due(ctx.calendar.nextOpening(ctx.now), rung.deadline).toISOString()
    : undefined;
  const chaser = {
    kind: 'chaser' as const,
    key: `s${step.n}-chaser`,
    to,
    cc,
    timing: 'window' as const,
    step: step.n,
    data: { rungId: rung.id, deadlineAt, missingCc },
  };

  if (rung.approval && step.status !== 'awaiting-approval') {
    step.status = 'awaiting-approval';
    step.approvalRequestedAt = now;
    step.approvalReminders = 0;
    step.deadlineAt = deadlineAt;
    b.mail({ ...chaser, held: true });
    b.mail({
      kind: 'approval-request',
      key: `s${step.n}-approval`,
      ...staffRecipients(state, ctx),
      timing: 'now',
      step: step.n,
      data: { draftKey: chaser.key, rungId: rung.id },
    });
    b.event('approval-requested', actor, { step: step.n, rung: rung.id, to: to.map((c) => c.email), cc: cc.map((c) => c.email) });
    return;
  }

  // Approved drafts were composed when they were put to the RM; only fresh chasers are composed now.
  const approved = step.status === 'awaiting-approval';
  step.status = 'sent';
  step.sentAt = now;
  step.sentTo = to.map((c) => c.email);
  step.sentCc = cc.map((c) => c.email);
  step.deadlineAt ??= deadlineAt;
  if (approved) b.draft({ kind: 'release', step: step.n });
  else b.mail(chaser);
  b.event('step-sent', actor, {
    step: step.n,
    rung: rung.id,
    to: step.sentTo,
    cc: step.sentCc,
    notCopied: missingCc,
    deadlineAt: step.deadlineAt ?? null,
  });
  notifyStep(b, ladder, step, ctx);
  replanAfter(state, ladder, ctx.calendar, index);
  if (index === state.steps.length - 1) appendRepeat(state, ladder, ctx.calendar, ctx.now);
}

/** The originator is told what was sent and to whom, with the policy's duties for this step. */
function notifyStep(b: DecisionBuilder, ladder: EffectiveLadder, step: Step, ctx: CaseContext): void {
  const rung = rungOf(ladder, step);
  b.mail({
    kind: 'step-notice',
    key: `s${step.n}-notice`,
    ...staffRecipients(b.state, ctx),
    timing: 'now',
    step: step.n,
    data: { rungId: rung.id, duties: rung.duties },
  });
  const informed = resolveRoles(b.state, ladder.def.keepInformed.filter((r) => r !== 'originator' && r !== 'rm'), ctx);
  if (informed.contacts.length > 0) {
    b.mail({
      kind: 'kept-informed',
      key: `s${step.n}-informed`,
      to: informed.contacts,
      cc: [],
      timing: 'window',
      step: step.n,
      data: { rungId: rung.id },
    });
  }
}
