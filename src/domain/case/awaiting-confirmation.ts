import { parseDuration } from '../calendar/duration.js';
import type { CaseContext } from './case-context.js';
import type { CaseState, Contact } from './case-state.js';
import type { DecisionBuilder } from './decision.js';
import type { AttachmentFacts } from './mail-intents.js';
import { effectiveLadder } from '../ladder/effective-ladder.js';
import { resolveRoles } from './role-resolution.js';
import { staffRecipients } from './staff-recipients.js';
import { currentStep, holdUntil, shiftBack } from './timetable.js';

/**
 * A document is what a chased person would send as the thing asked for: a PDF, a Word or
 * OpenDocument file, RTF, or a picture of a page. A small image is taken for a signature's logo.
 */
export function isDocument(a: { filename?: string; contentType: string; size: number }): boolean {
  const type = a.contentType.toLowerCase();
  const name = (a.filename ?? '').toLowerCase();
  if (/^application\/(pdf|msword|rtf|vnd\.openxmlformats-officedocument\.|vnd\.oasis\.opendocument\.|vnd\.ms-excel|vnd\.ms-word)/.test(type)) return true;
  if (/\.(pdf|docx?|odt|rtf|xlsx?|ods)$/.test(name)) return true;
  return type.startsWith('image/') && a.size >= 50 * 1024;
}

export interface ConfirmationInput {
  from: Contact;
  role: string;
  messageKey: string;
  newText: string;
  attachments: AttachmentFacts;
  /** The secure-mail service a `secure-message` reply's content is behind. */
  secureService?: string;
}

/**
 * A reply that reads as done (or a secure-mail notice only the RM can open) does not close the
 * case: the confirmers are asked, once, with the reply's text and its files, and told up front what
 * happens and when. The ladder holds for `confirmationHold`; then they are reminded; at the end of
 * a second hold their silence decides: a reply that came with a document (which they were sent,
 * within the forwarding budget) resolves the case, anything else lets the ladder go on.
 */
export function enterConfirmation(b: DecisionBuilder, input: ConfirmationInput, reason: 'done' | 'secure-message', ctx: CaseContext): void {
  const s = b.state;
  if (s.status === 'awaiting-confirmation') {
    releaseHold(s, ctx);
    clearConfirmation(s);
  }
  const cal = ctx.calendar;
  const hold = parseDuration(ctx.ladder.confirmationHold);
  const remindAt = cal.due(ctx.now, hold);
  const until = cal.due(remindAt, hold);
  const budget = ctx.forwardMaxBytes ?? 20 * 1024 * 1024;
  const documents = reason === 'done' ? forwardedDocuments(input.attachments, budget) : [];
  const onSilence = documents.length > 0 ? 'resolve' : 'resume';
  s.status = 'awaiting-confirmation';
  s.awaitingConfirmationSince = ctx.now.toISOString();
  s.awaitingConfirmationFrom = { email: input.from.email, role: input.role };
  const step = currentStep(s);
  const heldFrom = step?.status === 'planned' && step.dueAt && new Date(step.dueAt) < until ? step.dueAt : undefined;
  s.confirmation = {
    reason,
    since: ctx.now.toISOString(),
    remindAt: remindAt.toISOString(),
    until: until.toISOString(),
    onSilence,
    message: input.messageKey,
    documents,
    ...(heldFrom ? { heldFrom } : {}),
  };
  holdUntil(s, effectiveLadder(ctx.ladder, s.variant), cal, until);
  if (heldFrom) b.because(`the case waits for your confirmation until ${cal.format(until)}`);
  const { to, cc, missing } = confirmersOf(s, ctx);
  b.event('awaiting-confirmation', input.from.email, {
    confirmers: to.map((c) => c.email),
    reason,
    remindAt: remindAt.toISOString(),
    until: until.toISOString(),
    onSilence,
    documents,
  });
  b.mail({
    kind: 'confirm-request',
    key: `m${input.messageKey}-confirm`,
    to,
    cc,
    timing: 'now',
    data: {
      from: input.from,
      role: input.role,
      newText: input.newText,
      attachments: input.attachments,
      missingConfirmers: missing,
      reason,
      onSilence,
      until: until.toISOString(),
      remindAt: remindAt.toISOString(),
      ...(input.secureService ? { secureService: input.secureService } : {}),
    },
  });
}

/** The confirmers (the RM and the person who raised it copied), or the staff when none has an address. */
function confirmersOf(s: CaseState, ctx: CaseContext): { to: Contact[]; cc: Contact[]; missing: string[] } {
  const staff = staffRecipients(s, ctx);
  const confirmers = resolveRoles(s, ctx.ladder.confirmers, ctx);
  const to = confirmers.contacts.length > 0 ? confirmers.contacts : staff.to;
  const cc = staff.to.concat(staff.cc).filter((c) => !to.some((t) => t.email === c.email));
  return { to, cc, missing: confirmers.missing };
}

/** The documents the confirmers were sent with the notice: those among what fits in the forwarding budget, in order. */
function forwardedDocuments(attachments: AttachmentFacts, budget: number): string[] {
  let used = 0;
  const out: string[] = [];
  for (const a of attachments) {
    if (used + a.size > budget) continue;
    used += a.size;
    if (isDocument(a)) out.push(a.filename ?? `${a.contentType} (${a.size} bytes)`);
  }
  return out;
}

/**
 * While a case awaits confirmation: the one reminder at the end of the first hold, and at the end
 * of the second the outcome silence decides. Returns true when the case is open again and the
 * ladder may go on in the same run.
 */
export function runConfirmationHold(b: DecisionBuilder, ctx: CaseContext): boolean {
  const s = b.state;
  const c = s.confirmation;
  if (s.status !== 'awaiting-confirmation' || !c) return false;
  const now = ctx.now.toISOString();
  if (c.until <= now) {
    const from = s.awaitingConfirmationFrom ?? { email: '', role: '' };
    // Told to the same people the notice asked, before the state forgets who that was.
    const { to, cc } = confirmersOf(s, ctx);
    clearConfirmation(s);
    const name = s.participants.find((p) => p.email.toLowerCase() === from.email.toLowerCase() && p.name)?.name;
    const told = {
      from: { email: from.email, ...(name ? { name } : {}) },
      role: from.role,
      reason: c.reason,
      askedAt: c.since,
      until: c.until,
      documents: c.documents,
    };
    if (c.onSilence === 'resolve') {
      s.status = 'resolved';
      s.resolvedAt = now;
      s.pause = undefined;
      s.hold = undefined;
      b.draft({ kind: 'cancel-all' });
      b.event('resolved', 'system', { by: 'silence', documents: c.documents, since: c.since });
      b.mail({ kind: 'confirmation-ended', key: `m${c.message}-confirm-ended`, to, cc, timing: 'now', data: { ...told, outcome: 'resolved' } });
      return false;
    }
    s.status = 'open';
    b.event('confirmation-lapsed', 'system', { reason: c.reason, since: c.since });
    // What goes next, as it stands before the run goes on (the step the hold moved may go at once).
    const next = currentStep(s);
    b.mail({
      kind: 'confirmation-ended',
      key: `m${c.message}-confirm-ended`,
      to,
      cc,
      timing: 'now',
      ...(next ? { step: next.n } : {}),
      data: { ...told, outcome: 'resumed', ...(next?.status === 'planned' && next.dueAt ? { nextAt: next.dueAt } : {}) },
    });
    return true;
  }
  if (c.remindAt <= now && !c.remindedAt) {
    c.remindedAt = now;
    const { to, cc } = confirmersOf(s, ctx);
    b.event('confirmation-reminded', 'system', { to: to.map((x) => x.email), until: c.until });
    b.mail({
      kind: 'confirm-request',
      key: `m${c.message}-confirm-reminder`,
      to,
      cc,
      timing: 'now',
      data: {
        from: { email: s.awaitingConfirmationFrom?.email ?? '' },
        role: s.awaitingConfirmationFrom?.role ?? '',
        newText: '',
        missingConfirmers: [],
        reason: c.reason,
        onSilence: c.onSilence,
        until: c.until,
        remindAt: c.remindAt,
        reminder: true,
        documents: c.documents,
        askedAt: c.since,
      },
    });
  }
  return false;
}

/**
 * The confirmers answered before the hold ran out (NOT DONE, ESCALATE): the steps it held come
 * back to where they were (never before now). Who responded is kept (ESCALATE still needs it);
 * clearConfirmation forgets that too.
 */
export function releaseHold(s: CaseState, ctx: CaseContext): void {
  const c = s.confirmation;
  s.confirmation = undefined;
  if (!c?.heldFrom) return;
  const back = new Date(Math.max(ctx.now.getTime(), new Date(c.heldFrom).getTime()));
  shiftBack(s, effectiveLadder(ctx.ladder, s.variant).clock, ctx.calendar, new Date(c.until), back);
}

export function clearConfirmation(s: CaseState): void {
  s.confirmation = undefined;
  s.awaitingConfirmationSince = undefined;
  s.awaitingConfirmationFrom = undefined;
}
