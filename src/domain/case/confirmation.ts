import { addressKey } from '../address.js';
import type { EffectiveLadder } from '../ladder/effective-ladder.js';
import type { CaseContext } from './case-context.js';
import type { CaseState } from './case-state.js';
import type { DecisionBuilder } from './decision.js';
import { resolveRoles } from './role-resolution.js';
import { appendRepeat, currentStep, replanAfter, rungOf } from './timetable.js';

/**
 * Who gave the response the confirmers were asked about. Cases stored before the responder was
 * recorded fall back to the To roles of the last step sent (the person chased most recently), or
 * the ladder's professional when nothing has been sent yet: a reply from anyone else would have
 * had to be a chased recipient too, and the opening request went to the professional.
 */
function responderOf(state: CaseState, ladder: EffectiveLadder): { email?: string; roles: string[] } {
  const known = state.awaitingConfirmationFrom;
  if (known) return { email: addressKey(known.email), roles: [known.role] };
  const lastSent = [...state.steps].reverse().find((s) => s.status === 'sent');
  return { roles: lastSent ? rungOf(ladder, lastSent).to : [ladder.def.professionalRole] };
}

/**
 * ESCALATE from a confirmer while a response awaits confirmation (the fostering panel's ADM or
 * panel chair, policy step 6): the response has been given, only found wanting, so the rungs
 * still pending that chase whoever gave it for that response (the responsible manager's
 * reminder) are skipped, each recorded with its reason, and the ladder moves on to the next one.
 * Only the rungs at the head of the ladder addressed to the responder alone are skipped; a rung
 * that also writes to someone else, a command-only rung and the repeat are left as they are.
 * Returns the titles of the rungs skipped.
 */
export function skipRungsAlreadyAnswered(b: DecisionBuilder, ladder: EffectiveLadder, actor: string, ctx: CaseContext): string[] {
  const state = b.state;
  const responder = responderOf(state, ladder);
  const isResponder = (role: string): boolean => {
    if (responder.roles.includes(role)) return true;
    if (!responder.email) return false;
    const contacts = resolveRoles(state, [role], ctx).contacts;
    return contacts.length > 0 && contacts.every((c) => addressKey(c.email) === responder.email);
  };
  const skipped: string[] = [];
  for (let step = currentStep(state); step; step = currentStep(state)) {
    if (step.rungId === 'repeat') break;
    const rung = rungOf(ladder, step);
    if (rung.trigger === 'command' || !rung.to.every(isResponder)) break;
    if (step.status === 'awaiting-approval') b.draft({ kind: 'cancel', step: step.n });
    step.status = 'skipped';
    step.decidedBy = actor;
    step.decidedAt = ctx.now.toISOString();
    b.event('skipped', actor, {
      step: step.n,
      rung: rung.id,
      reason: 'already-responded',
      responder: responder.email ?? responder.roles.join(', '),
    });
    skipped.push(rung.title);
    const index = state.steps.indexOf(step);
    replanAfter(state, ladder, ctx.calendar, index);
    if (index === state.steps.length - 1) appendRepeat(state, ladder, ctx.calendar);
  }
  return skipped;
}
