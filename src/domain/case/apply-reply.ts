import { addressKey } from '../address.js';
import { parseDuration } from '../calendar/duration.js';
import { cloneState, ladderFor, runDue } from './advance.js';
import type { CaseContext } from './case-context.js';
import type { CaseEventDetail } from './case-events.js';
import type { CaseState, Contact } from './case-state.js';
import { DecisionBuilder, type Decision } from './decision.js';
import { noteMeetingDate } from './meeting-hold.js';
import { withNextAction } from './next-action.js';
import { staffRecipients } from './staff-recipients.js';
import type { AttachmentFacts, OutboxKind } from './mail-intents.js';
import type { ReplyClass } from './reply-class.js';
import { fitBeforeDue, holdsAnything, holdUntil } from './timetable.js';
import { enterConfirmation } from './awaiting-confirmation.js';
import { resolutionOf } from '../ladder/ladder-schema.js';
import { roleLabel } from '../roles.js';

export type { ReplyClass } from './reply-class.js';

export interface RecipientReplyInput {
  from: Contact;
  /** The role the sender holds on this case (professional, team-manager, dcs, …). */
  role: string;
  classification: {
    class: ReplyClass;
    evidence?: string;
    promiseDate?: string;
    redirectTo?: string;
    secureService?: string;
    meetingDate?: string;
    meetingEvidence?: string;
  };
  messageKey: string;
  /** The reply's new text, forwarded to the RM (never logged). */
  newText: string;
  /** What came attached (names, types, sizes); the workflow forwards the files themselves. */
  attachments?: AttachmentFacts;
}

/**
 * A chased recipient wrote back. "Done" resolves the case (or asks the confirmers, for ladders
 * like the fostering panel's); a dated promise holds the ladder until the date plus grace;
 * anything else is passed to the RM and the ladder goes on.
 */
export function applyRecipientReply(state: CaseState, input: RecipientReplyInput, ctx: CaseContext): Decision {
  const b = new DecisionBuilder(cloneState(state), ctx.now);
  const s = b.state;
  const cls = input.classification;
  const staff = staffRecipients(s, ctx);
  const notice = (kind: 'reply-notice' | 'resolved-notice', extra: Record<string, unknown> = {}) => {
    b.mail({
      kind,
      key: `m${input.messageKey}-${kind}`,
      ...staff,
      timing: 'now',
      data: { from: input.from, role: input.role, classification: cls, newText: input.newText, attachments: input.attachments ?? [], ...extra },
    });
  };
  b.event('reply-received', input.from.email, { role: input.role, class: cls.class, evidence: cls.evidence ?? null, message: input.messageKey });
  // The answer the step standing sent got, for the next person up the ladder ("What this is about").
  const answered = [...s.steps].reverse().find((st) => st.status === 'sent');
  s.answers = [
    ...(s.answers ?? []),
    { at: ctx.now.toISOString(), step: answered?.n ?? 0, role: input.role, class: cls.class, ...(cls.promiseDate ? { promisedFor: cls.promiseDate } : {}) },
  ];

  const closed = s.status === 'resolved' || s.status === 'closed';
  const meeting = closed ? undefined : noteMeetingDate(b, cls, input.from.email, ctx);
  if (closed) {
    notice('reply-notice', { caseClosed: true });
  } else if (meeting?.holds) {
    // The meeting a rung asked for has a date: the ladder waits for it, and its outcome, whatever
    // else the words read as ("it has been arranged" is no resolution). See meeting-hold.ts.
    notice('reply-notice', { holdUntil: s.hold?.until ?? null, meetingOn: meeting.meetingOn });
  } else if (cls.class === 'resolved' && resolutionOf(ctx.ladder) === 'auto') {
    s.status = 'resolved';
    s.resolvedAt = ctx.now.toISOString();
    s.pause = undefined;
    s.hold = undefined;
    b.draft({ kind: 'cancel-all' });
    b.event('resolved', input.from.email, { by: 'reply', evidence: cls.evidence ?? null });
    notice('resolved-notice');
  } else if (cls.class === 'resolved' || cls.class === 'secure-message') {
    // Words alone never close the case, and a secure-mail notice can only be judged by someone who
    // opens it: the confirmers are asked and the ladder holds meanwhile (awaiting-confirmation.ts).
    enterConfirmation(
      b,
      {
        from: input.from,
        role: input.role,
        messageKey: input.messageKey,
        newText: input.newText,
        attachments: input.attachments ?? [],
        ...(cls.secureService ? { secureService: cls.secureService } : {}),
      },
      cls.class === 'resolved' ? 'done' : 'secure-message',
      ctx,
    );
  } else if (cls.class === 'redirected') {
    // Someone else holds it now: the RM is offered the line that puts them on the case. The
    // ladder goes on meanwhile (the next rung still goes to whoever the case names).
    notice('reply-notice', cls.redirectTo ? { redirectDirective: `${directiveKey(input.role)}: ${cls.redirectTo}` } : {});
  } else if (cls.class === 'promise' && cls.promiseDate) {
    const promised = ctx.calendar.openingOf(cls.promiseDate);
    const until = ctx.calendar.due(promised, parseDuration(ctx.ladder.promiseGrace));
    const horizon = promiseHorizon(s, ctx);
    // Reg 5: "where a child might be at risk during a planned time with family all the steps may
    // need to be taken prior to the time of the visit". A promise for that day or later must not
    // carry the steps past it: it holds nothing, and the RM is told why.
    const neededBy = ctx.ladder.neededBy && s.requestedBy ? s.requestedBy : undefined;
    const afterDue = neededBy !== undefined && until > ctx.now && ctx.calendar.localDate(until) >= neededBy;
    if (afterDue) {
      b.event('promise-after-due', input.from.email, { promisedFor: cls.promiseDate, due: neededBy });
      notice('reply-notice', { afterDue: { promisedFor: cls.promiseDate, due: neededBy } });
    } else if (until > horizon) {
      // A far-off promise would silence the escalation for as long as the sender likes: it holds
      // nothing unless the RM agrees (PAUSE until that date); the ladder goes on meanwhile.
      b.event('promise-beyond-horizon', input.from.email, { promisedFor: cls.promiseDate, horizon: horizon.toISOString() });
      notice('reply-notice', { beyondHorizon: { promisedFor: cls.promiseDate, horizon: horizon.toISOString() } });
    } else if (until > ctx.now && (!s.hold || s.hold.until < until.toISOString()) && holdsAnything(s, until)) {
      s.hold = { until: until.toISOString(), promisedFor: cls.promiseDate, by: input.from.email };
      // The held span moves the step it holds and every later one: they keep their spacing after it.
      holdUntil(s, ladderFor(s, ctx), ctx.calendar, until);
      // …but never past the date it is needed by: what the hold pushed beyond it is drawn in again.
      if (neededBy !== undefined) fitBeforeDue(s, ladderFor(s, ctx), ctx.calendar, neededBy, until);
      // eslint-disable-next-line @typescript-eslint/prefer-nullish-coalescing -- an empty name falls back to the address too
      b.because(`${input.from.name?.trim() || input.from.email} promised it by ${ctx.calendar.formatDate(promised)}`);
      b.event('promise-recorded', input.from.email, { promisedFor: cls.promiseDate, holdUntil: s.hold.until });
    } else if (until > ctx.now) {
      // Recorded for the evidence, holding nothing: the next step comes after the promised date anyway.
      b.event('promise-recorded', input.from.email, { promisedFor: cls.promiseDate, holdUntil: null });
    }
    // Said only when the ladder really waits for it; otherwise the notice says the next step stands.
    if (until <= horizon && !afterDue) notice('reply-notice', { holdUntil: s.hold?.until ?? null, promiseHoldsNothing: !s.hold });
  } else {
    notice('reply-notice');
  }
  runDue(b, ctx);
  withNextAction(b.state, ctx.calendar);
  return b.build();
}

/**
 * A reply that may not change the case — from someone only copied, an outside address no rung has
 * written to, or a sender whose address could not be verified: it is read (classified) and passed
 * to the RM with the reason it changed nothing, so they can act on it themselves.
 */
export function recordReplyNotice(
  state: CaseState,
  input: Omit<RecipientReplyInput, 'classification'> & { classification: RecipientReplyInput['classification']; reason: string },
  ctx: CaseContext,
): Decision {
  const b = new DecisionBuilder(cloneState(state), ctx.now);
  b.event('reply-noted', input.from.email, { role: input.role, class: input.classification.class, reason: input.reason, message: input.messageKey });
  b.mail({
    kind: 'reply-notice',
    key: `m${input.messageKey}-reply-notice`,
    ...staffRecipients(b.state, ctx),
    timing: 'now',
    data: {
      from: input.from,
      role: input.role,
      classification: input.classification,
      newText: input.newText,
      attachments: input.attachments ?? [],
      notActedOn: input.reason,
    },
  });
  return b.build();
}

/**
 * How far a promise may hold the ladder on its own: no later than the second of the rungs still to
 * come (a promise beyond both would skip them), and never more than `promiseHorizonMonths` (6)
 * from now. With fewer rungs to come, the last one's date is the limit.
 */
export function promiseHorizon(state: CaseState, ctx: Pick<CaseContext, 'now' | 'calendar' | 'promiseHorizonMonths'>): Date {
  const months = ctx.promiseHorizonMonths ?? 6;
  const cap = ctx.calendar.local(ctx.now).plus({ months }).toJSDate();
  const coming = state.steps
    .filter((st) => st.status === 'planned' && st.dueAt && new Date(st.dueAt) > ctx.now)
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the filter above kept only steps with a dueAt
    .map((st) => new Date(st.dueAt!))
    .sort((a, b) => a.getTime() - b.getTime());
  const limit = coming[1] ?? coming[0] ?? ctx.now;
  return limit < cap ? limit : cap;
}

/** Out-of-office and other automatic replies: recorded, never acted on, never answered. */
export function recordAutomatic(
  state: CaseState,
  input: { from: string; kind: 'auto-reply' | 'bulk'; returnDate?: string; messageKey: string },
  ctx: CaseContext,
): Decision {
  const b = new DecisionBuilder(cloneState(state), ctx.now);
  b.event(input.kind === 'auto-reply' ? 'auto-reply' : 'bulk-mail', input.from, {
    returnDate: input.returnDate ?? null,
    message: input.messageKey,
  });
  return b.build();
}

/** A delivery failure: the address is marked undeliverable and the RM is told, once per address. */
export function applyBounce(
  state: CaseState,
  input: {
    recipients: { address: string; status?: string; action?: string }[];
    messageKey: string;
    /** A mail of ours the server refused these recipients of (rather than a bounce that came back): recorded first. */
    refusedSend?: CaseEventDetail<'mail-failed'>;
    /** Tell the RM of newly undeliverable addresses (default); not when only the organisation's own were refused (that would loop). */
    notify?: boolean;
  },
  ctx: CaseContext,
): Decision {
  const b = new DecisionBuilder(cloneState(state), ctx.now);
  if (input.refusedSend) b.event('mail-failed', 'system', input.refusedSend);
  const failed = input.recipients.filter((r) => !r.action || r.action === 'failed');
  const newlyFailed: { address: string; status?: string; roles: string[] }[] = [];
  for (const r of failed) {
    const address = addressKey(r.address);
    const matches = b.state.participants.filter((p) => addressKey(p.email) === address);
    const already = matches.length > 0 && matches.every((p) => p.undeliverable);
    for (const p of matches) p.undeliverable ??= { at: ctx.now.toISOString(), reason: r.status ?? 'bounced' };
    if (!already) newlyFailed.push({ address, ...(r.status ? { status: r.status } : {}), roles: matches.map((p) => p.role) });
  }
  b.event('bounce', 'mailer-daemon', { recipients: failed, message: input.messageKey });
  if (newlyFailed.length > 0 && input.notify !== false) {
    b.mail({
      kind: 'bounce-notice',
      key: `m${input.messageKey}-bounce`,
      ...staffRecipients(b.state, ctx),
      timing: 'now',
      data: { failed: newlyFailed },
    });
  }
  withNextAction(b.state, ctx.calendar);
  return b.build();
}

/** Something about the case arrived that may not change it (stranger quoting the tag, failed authentication). */
export function recordFlagged(
  state: CaseState,
  input: { from: string; reason: string; messageKey: string; notify: boolean; newText?: string },
  ctx: CaseContext,
): Decision {
  const b = new DecisionBuilder(cloneState(state), ctx.now);
  b.event('message-flagged', input.from, { reason: input.reason, message: input.messageKey });
  if (input.notify) {
    b.mail({
      kind: 'reply-notice',
      key: `m${input.messageKey}-flagged`,
      ...staffRecipients(b.state, ctx),
      timing: 'now',
      data: { from: { email: input.from }, flagged: input.reason, ...(input.newText ? { newText: input.newText } : {}) },
    });
  }
  return b.build();
}

/**
 * A mail the server refused outright (a 5xx for the message, not for one address), or gave up
 * on after repeated temporary failures: recorded on the case, and the RM is told what did not go.
 */
export function recordDeliveryFailure(
  state: CaseState,
  input: { kind: OutboxKind; step?: number; to: string[]; reason: string; messageKey: string; notify: boolean },
  ctx: CaseContext,
): Decision {
  const b = new DecisionBuilder(cloneState(state), ctx.now);
  b.event('mail-failed', 'system', { kind: input.kind, step: input.step ?? null, to: input.to, reason: input.reason });
  if (input.notify) {
    b.mail({
      kind: 'delivery-failure',
      key: `${input.messageKey}-failed`,
      ...staffRecipients(b.state, ctx),
      timing: 'now',
      ...(input.step !== undefined ? { step: input.step } : {}),
      data: { failedKind: input.kind, failedTo: input.to, reason: input.reason },
    });
  }
  return b.build();
}

/** The directive key for a role, as the RM would write it: "Team manager", "Professional". */
function directiveKey(role: string): string {
  const label = roleLabel(role).replace(/^the /i, '');
  return label.charAt(0).toUpperCase() + label.slice(1);
}
