import type { EffectiveLadder } from '../ladder/effective-ladder.js';
import { insideOrganisation, type CaseContext } from './case-context.js';
import type { CaseState, Step } from './case-state.js';
import type { DecisionBuilder } from './decision.js';
import { keptInformedContacts } from './kept-informed.js';
import { outOfHoursRoute, type OutOfHoursRoute } from './out-of-hours.js';
import { dedupe, resolveRoles } from './role-resolution.js';
import { staffRecipients } from './staff-recipients.js';
import { appendRepeat, deadlineFor, goLate, replanAfter, rungOf } from './timetable.js';

/**
 * The people who get the step notice (the person who raised the request and the RM: staffRecipients)
 * are not copied on the chaser itself: the notice is their copy, quoting it (issue 20.4, one mail
 * per step), so they get one mail per step, not the chaser and a notice beside it.
 */
const TOLD_BY_STEP_NOTICE = new Set(['originator', 'rm']);

/** The roles a rung copies on this case: its cc, its flag-dependent cc, and the ladder's always-cc (but the staff the step notice tells). */
export function ccRolesFor(ladder: EffectiveLadder, step: Step, flags: Record<string, boolean>): string[] {
  const rung = rungOf(ladder, step);
  const roles = [...rung.cc];
  for (const [flag, extra] of Object.entries(rung.ccWhen)) if (flags[flag]) roles.push(...extra);
  roles.push(...ladder.def.alwaysCc);
  return [...new Set(roles)].filter((r) => !TOLD_BY_STEP_NOTICE.has(r));
}

export function recipientsFor(b: DecisionBuilder, ladder: EffectiveLadder, step: Step, ctx: CaseContext) {
  const rung = rungOf(ladder, step);
  const to = resolveRoles(b.state, rung.to, ctx);
  const cc = resolveRoles(b.state, ccRolesFor(ladder, step, b.state.flags), ctx);
  // Someone copied for another role who also gets the step notice (the RM as "responsible manager"): the notice is their copy.
  const staff = staffRecipients(b.state, ctx);
  return { to: to.contacts, cc: dedupe(cc.contacts, [...to.contacts, ...staff.to, ...staff.cc]), missingTo: to.missing, missingCc: cc.missing };
}

/**
 * Whether a step goes the moment it fires rather than at the send window's next opening: its rung
 * may go at any hour (`sendWindow: always`) and everyone on the mail is the organisation's own
 * staff, unless the ladder or variant lets out-of-hours mail go to people outside it too.
 */
export function goesAtOnce(step: Step, ladder: EffectiveLadder, recipients: readonly { email: string }[], ctx: CaseContext): boolean {
  if (!step.anyHour) return false;
  return ladder.outOfHoursOutside || recipients.every((c) => insideOrganisation(c.email, ctx));
}

/**
 * The To recipients of the step at `index` who have had no mail of the case: not the request's
 * own recipients, not anyone an earlier step went to or copied. They never saw the RM's email,
 * so their chaser says what this is about ("What this is about" block, issue 15.2).
 */
export function newcomers(state: CaseState, index: number, to: readonly { email: string }[], professionalRole: string): string[] {
  const seen = new Set<string>([state.originator.email.toLowerCase()]);
  // The request went to the professional (however their address was learned) and to whoever it copied.
  for (const p of state.participants) if (p.source === 'request' || p.role === professionalRole) seen.add(p.email.toLowerCase());
  for (const st of state.steps.slice(0, index)) {
    if (st.status !== 'sent') continue;
    for (const a of [...(st.sentTo ?? []), ...(st.sentCc ?? [])]) seen.add(a.toLowerCase());
  }
  return to.map((c) => c.email.toLowerCase()).filter((e) => !seen.has(e));
}

/**
 * What firing a step did: sent it (or released an approved draft), put the draft to the RM, held
 * it for an address, or set it aside. `redrafted`: an approved draft was composed again because
 * it leaves on a later day than it was drafted, so its dates count from when it goes.
 */
export type FireOutcome = 'sent' | 'redrafted' | 'drafted' | 'held' | 'not-applicable';

/**
 * A step has fallen due (or been escalated to, or approved): send its chaser, or hold it for a
 * missing address, or put the draft to the RM when the rung is approval-gated.
 *
 * The timetable is the anchor: a step sent on time gives a deadline just before the next step's
 * date. A step that goes on a later day than it was due (held for an address, the RM approved the
 * draft days later, the service was down) moves every later step back by the same span, so the
 * ladder keeps its spacing and never sends its overdue rungs together.
 */
export function fireStep(
  b: DecisionBuilder,
  ladder: EffectiveLadder,
  step: Step,
  ctx: CaseContext,
  actor: string,
  /** `escalated`: ESCALATE brought it forward (the out-of-hours mail says so rather than "fell due"). */
  trigger?: 'escalated',
): FireOutcome {
  const state = b.state;
  const cal = ctx.calendar;
  const rung = rungOf(ladder, step);
  const index = state.steps.indexOf(step);
  const now = ctx.now.toISOString();

  if (rung.when && !state.flags[rung.when]) {
    step.status = 'not-applicable';
    step.decidedAt = now;
    b.event('step-not-applicable', 'system', { step: step.n, rung: rung.id, when: rung.when });
    goLate(state, ladder, cal, index, cal.nextOpening(ctx.now));
    replanAfter(state, ladder, cal, index);
    // Set aside as the last rung (reg 5's LSCP rung on a case that is not child protection), the
    // ladder still goes on to its repeat; without this the fortnightly emails never started.
    if (index === state.steps.length - 1) appendRepeat(state, ladder, cal);
    return 'not-applicable';
  }

  if (waitsForPanelForm(state, ladder, step)) {
    const asked = step.awaitingForm === true;
    step.status = 'held';
    step.heldSince ??= now;
    step.awaitingForm = true;
    b.event('step-held', 'system', { step: step.n, rung: rung.id, missingRoles: [], awaitingForm: true });
    if (!asked) {
      // The ADM and the panel chair complete the further form; the panel adviser (the RM) is copied.
      const confirmers = resolveRoles(state, ladder.def.confirmers, ctx).contacts;
      const staff = staffRecipients(state, ctx);
      const to = confirmers.length > 0 ? confirmers : staff.to;
      const cc = dedupe(staff.to.concat(staff.cc), to);
      b.mail({ kind: 'contact-request', key: `s${step.n}-form`, to, cc, timing: 'now', step: step.n, data: { missingRoles: [], furtherForm: true } });
    }
    return 'held';
  }
  step.awaitingForm = undefined;

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
    return 'held';
  }
  step.missingRoles = undefined;

  // The chaser waits for the send window. Gone on a later day than it was due, it is re-dated and
  // the later steps move back by the held span; its deadline is the close of the last working day
  // before the next step goes (see deadlineFor), so the dates it states are the timetable's own.
  // For a draft being approved, `dueAt` is when it was drafted to go.
  // Out of hours on a ladder with an out-of-hours address: the duty team is written to now; with
  // `instead`, the rung's own recipients wait for the window (outOfHoursRoute).
  const ooh = outOfHoursRoute(state, ladder, ctx, [...to, ...cc]);
  const atOnce = !ooh?.holdsDaytime && goesAtOnce(step, ladder, [...to, ...cc], ctx);
  const goesAt = atOnce ? ctx.now : cal.nextOpening(ctx.now);
  const late = goLate(state, ladder, cal, index, goesAt);
  if (late) {
    b.because(
      step.status === 'awaiting-approval'
        ? `“${rung.title}” was drafted for ${cal.formatDate(late)} and approved on ${cal.formatDate(ctx.now)}`
        : `“${rung.title}” was due on ${cal.formatDate(late)} and goes on ${cal.formatDate(goesAt)}`,
    );
  }
  replanAfter(state, ladder, cal, index);
  const deadlineAt = deadlineFor(state, ladder, cal, index, goesAt)?.toISOString();
  const someoneNew = newcomers(state, index, to, ladder.def.professionalRole).length > 0;
  const chaser = {
    kind: 'chaser' as const,
    key: `s${step.n}-chaser`,
    to,
    cc,
    timing: atOnce ? ('now' as const) : ('window' as const),
    step: step.n,
    data: { rungId: rung.id, deadlineAt, missingCc, ...(someoneNew ? { about: true } : {}) },
    // Someone new gets the request's own documents too (within the organisation's budget for them).
    ...(someoneNew && state.requestMessageRef ? { forward: { message: state.requestMessageRef } } : {}),
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
    return 'drafted';
  }

  // An approved draft goes byte for byte as it was put to the RM when it leaves on the day it was
  // drafted for. Approved on a later day, its deadline and the dates in it would be stale (a
  // "two-week window" with days left), so it is composed again, counted from when it goes.
  const approved = step.status === 'awaiting-approval';
  const redrafted = approved && late !== undefined;
  step.status = 'sent';
  // When it leaves: the send window's next opening when decided at night or at a weekend, so the
  // timetable says the moment the recipient receives it (the step-sent event keeps when it was decided).
  step.sentAt = goesAt.toISOString();
  step.sentTo = to.map((c) => c.email);
  step.sentCc = cc.map((c) => c.email);
  if (!approved || redrafted) step.deadlineAt = deadlineAt;
  else step.deadlineAt ??= deadlineAt;
  if (redrafted) b.mail({ ...chaser, replacesDraft: true });
  if (approved) b.draft({ kind: 'release', step: step.n });
  else b.mail(chaser);
  // Once per step: the duty team is not written to again when the rung's own mail goes at the opening.
  if (ooh && ooh.to.length > 0 && !step.outOfHoursTo) writeToDutyTeam(b, step, rung.id, ooh, goesAt.toISOString(), approved ? 'approved' : trigger);
  b.event('step-sent', actor, {
    step: step.n,
    rung: rung.id,
    to: step.sentTo,
    cc: step.sentCc,
    notCopied: missingCc,
    deadlineAt: step.deadlineAt ?? null,
    ...(late ? { dueAt: late.toISOString() } : {}),
    ...(redrafted ? { redrafted: true } : {}),
    ...(ooh ? { outOfHours: { role: ooh.rule.to, mode: ooh.rule.mode, to: ooh.to.map((c) => c.email) } } : {}),
  });
  if (index === state.steps.length - 1) appendRepeat(state, ladder, cal);
  notifyStep(b, ladder, step, ctx, ooh);
  return redrafted ? 'redrafted' : 'sent';
}

/**
 * ESCALATE at night on timescales with an out-of-hours address, for a step whose own mail waits
 * for the window (someone outside the organisation is on it): the duty team is written to now,
 * and the step fires at the opening like any other — composed then, so its date, deadline and
 * Date header are that morning's — without writing to the duty team again (`outOfHoursTo`).
 * Not for a step that needs the RM's approval (drafted at the opening, as before) or an address
 * (held). Returns who was written to (empty: nobody holds the role), or undefined when it does not apply.
 */
export function writeOutOfHoursAhead(b: DecisionBuilder, ladder: EffectiveLadder, step: Step, ctx: CaseContext): string[] | undefined {
  const rung = rungOf(ladder, step);
  if (rung.approval || step.outOfHoursTo || !step.dueAt) return undefined;
  const { to, cc, missingTo } = recipientsFor(b, ladder, step, ctx);
  if (missingTo.length > 0) return undefined;
  const ooh = outOfHoursRoute(b.state, ladder, ctx, [...to, ...cc]);
  if (!ooh) return undefined;
  if (ooh.to.length === 0) return [];
  writeToDutyTeam(b, step, rung.id, ooh, step.dueAt, 'escalated');
  return ooh.to.map((c) => c.email);
}

/** The out-of-hours mail of a step (at once), and the step's note of who had it. */
function writeToDutyTeam(
  b: DecisionBuilder,
  step: Step,
  rungId: string,
  ooh: NonNullable<ReturnType<typeof outOfHoursRoute>>,
  daytimeAt: string,
  by: 'escalated' | 'approved' | undefined,
): void {
  step.outOfHoursTo = ooh.to.map((c) => c.email);
  b.mail({
    kind: 'out-of-hours',
    key: `s${step.n}-out-of-hours`,
    to: ooh.to,
    cc: [],
    timing: 'now',
    step: step.n,
    data: { rungId, role: ooh.rule.to, mode: ooh.rule.mode, daytimeAt, ...(by ? { by } : {}) },
    // They never saw the request: its documents go with it, as to anyone new up the ladder.
    ...(b.state.requestMessageRef ? { forward: { message: b.state.requestMessageRef } } : {}),
  });
}

/**
 * Fostering panel, Formal Process, step 6: "If the escalation has not been satisfactorily resolved
 * then the ADM or Panel Chair should complete a further form identifying which aspects they remain
 * concerned about and the process will be considered by a more senior manager." The rung the
 * ladder names waits until that form is recorded. Not on the immediate-safeguarding variant:
 * there the senior manager is told "immediately" and "the escalation form should be used to
 * follow up in writing".
 */
export function waitsForPanelForm(state: CaseState, ladder: EffectiveLadder, step: Step): boolean {
  const form = ladder.def.panelForm;
  return !!form && form.before === step.rungId && state.variant === 'standard' && !state.panelForm?.remainingConcerns;
}

/** The originator and the RM are told what was sent and to whom (the chaser quoted: their copy of it), with the policy's duties for this step. */
function notifyStep(b: DecisionBuilder, ladder: EffectiveLadder, step: Step, ctx: CaseContext, ooh: OutOfHoursRoute | undefined): void {
  const rung = rungOf(ladder, step);
  // The RM is told who was written to out of hours, or that nobody could be (no address for the role).
  const outOfHours = ooh ? { role: ooh.rule.to, mode: ooh.rule.mode, to: ooh.to.map((c) => c.email) } : undefined;
  b.mail({
    kind: 'step-notice',
    key: `s${step.n}-notice`,
    ...staffRecipients(b.state, ctx),
    timing: 'now',
    step: step.n,
    data: { rungId: rung.id, duties: rung.duties, ...(outOfHours ? { outOfHours } : {}) },
  });
  // Nobody, on a case that says they are not to be told (FIRO: "Where appropriate"; kept-informed.ts).
  const informed = keptInformedContacts(b.state, ctx);
  if (informed.length > 0) {
    b.mail({
      kind: 'kept-informed',
      key: `s${step.n}-informed`,
      to: informed,
      cc: [],
      timing: 'window',
      step: step.n,
      data: { rungId: rung.id },
    });
  }
}
