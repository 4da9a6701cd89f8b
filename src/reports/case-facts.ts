import { ladderFor } from '../domain/case/advance.js';
import type { CaseContext } from '../domain/case/case-context.js';
import type { CaseState, CaseStatus, Instant, Step, StepStatus } from '../domain/case/case-state.js';
import { isClosed } from '../domain/case/case-state.js';
import { resolveRoles } from '../domain/case/role-resolution.js';
import { currentStep, isDone, rungOf } from '../domain/case/timetable.js';
import { authorityForAddress, domainOf } from '../domain/directory.js';
import type { EffectiveLadder } from '../domain/ladder/effective-ladder.js';
import { roleLabel } from '../domain/roles.js';
import { baseSubject } from '../domain/inbound/subject-tags.js';
import { concernOf, type Concern } from './concern.js';
import { addressKey } from '../domain/address.js';
import { hasPanelForm, type PanelForm } from '../domain/case/panel-form.js';

export interface RungRef {
  n: number;
  title: string;
}

export interface Recipient {
  role: string;
  label: string;
  emails: string[];
}

/**
 * What the reports need to know about one case, as plain data: derived once from the pure
 * case state and its ladder, so the digest, the spreadsheet and the themes report read the same
 * facts and never re-interpret the state themselves.
 */
export interface CaseFacts {
  id: string;
  ref: string;
  orgId: string;
  orgName: string;
  subject: string;
  childRef: string | null;
  category: string | null;
  /** The panel form's two kinds of concern, read from the category; null when it says neither. */
  concern: Concern | null;
  ladderId: string;
  ladderTitle: string;
  variant: string;
  status: CaseStatus;
  openedAt: Instant;
  resolvedAt: Instant | null;
  closedAt: Instant | null;
  /** Addresses holding the ladder's professional role (the people the request went to). */
  professionals: string[];
  /** The directory's name for the first professional's authority, else their email domain. */
  localAuthority: string;
  /** The step the ladder stands on: the next to go (null once every rung is done and there is no repeat). */
  current:
    | (RungRef & {
        status: StepStatus;
        /** When it goes: its due moment, or the end of a promise hold when that is later. */
        dueAt: Instant | null;
        to: Recipient[];
        approval: boolean;
        repeat: boolean;
        /** False for a rung that only applies to flagged cases (it will be set aside when it falls due). */
        applies: boolean;
      })
    | null;
  /** The highest step sent so far (a repeat counts as itself). */
  highest: RungRef | null;
  chasersSent: number;
  /** Every rung of the ladder has been sent, skipped or set aside: only the repeat (if any) is left. */
  atTop: boolean;
  awaitingApproval: (RungRef & { requestedAt: Instant | null; reminders: number }) | null;
  /** Role labels the current step needs an address for (it is held, or will be when it falls due). */
  missingContacts: string[];
  /** The last step sent asks the RM to record the young person's views, and none were recorded for it. */
  viewsDue: (RungRef & { sentAt: Instant }) | null;
  bounced: { email: string; roles: string[]; at: Instant; reason: string }[];
  awaitingConfirmationSince: Instant | null;
  /** When silence decides an awaiting-confirmation case, and how (absent: it waits for a command). */
  confirmationUntil: Instant | null;
  confirmationOnSilence: 'resolve' | 'resume' | null;
  confirmationReason: 'done' | 'secure-message' | null;
  pausedUntil: Instant | null;
  holdUntil: Instant | null;
  nextActionAt: Instant | null;
  /** The fostering panel escalation form's fields (null when the case has none). */
  panelForm: PanelForm | null;
  approvals: (RungRef & { requestedAt: Instant | null; decision: 'approved' | 'skipped' | 'pending'; by: string | null; at: Instant | null })[];
}

/** The request's subject as people read it: without Re:/Fwd: and the [escalate] tag. */
export function displaySubject(subject: string): string {
  return baseSubject(subject) || subject;
}

/** Duties that ask for the young person's views: the reg 5 `young-person` duty, or any that says VIEWS. */
export function isViewsDuty(key: string, text: string | undefined): boolean {
  return key === 'young-person' || /\bVIEWS\b/.test(text ?? '');
}

function titleOf(ladder: EffectiveLadder, step: Step): string {
  try {
    return rungOf(ladder, step).title;
  } catch {
    return step.rungId;
  }
}

/** The authority a case is with: the first professional the directory knows, else the first one's domain. */
export function localAuthorityOf(professionals: string[], ctx: Pick<CaseContext, 'directory'>): string {
  for (const email of professionals) {
    const authority = authorityForAddress(ctx.directory, email);
    if (authority) return authority.name;
  }
  return professionals[0] ? domainOf(professionals[0]) : 'unknown';
}

/**
 * Derives the report facts of one case. Pure: the state, its ladder and `ctx.now` are all it reads.
 * `ladder` is the case's effective ladder (`ladderFor(state, ctx)`), for callers deriving the facts
 * of many cases on the same ladders.
 */
export function caseFacts(state: CaseState, ctx: CaseContext, ladder: EffectiveLadder = ladderFor(state, ctx)): CaseFacts {
  const def = ctx.ladder;
  const closed = isClosed(state);
  const professionals = state.participants.filter((p) => p.role === def.professionalRole).map((p) => addressKey(p.email));
  const sent = state.steps.filter((s) => s.status === 'sent');
  const highestStep = sent.reduce<Step | undefined>((best, s) => (!best || s.n > best.n ? s : best), undefined);
  const lastSent = sent.reduce<Step | undefined>((best, s) => (!best || (s.sentAt ?? '') >= (best.sentAt ?? '') ? s : best), undefined);
  const step = currentStep(state);

  let current: CaseFacts['current'] = null;
  let missingContacts: string[] = [];
  if (step) {
    const rung = rungOf(ladder, step);
    const resolved = rung.to.map((role) => ({ role, label: roleLabel(role), emails: resolveRoles(state, [role], ctx).contacts.map((c) => c.email) }));
    let dueAt = step.dueAt;
    if (dueAt && state.hold && state.hold.until > dueAt) dueAt = state.hold.until;
    const active = state.status === 'open' || state.status === 'paused';
    const goesAhead = !rung.when || state.flags[rung.when];
    current = { n: step.n, title: rung.title, status: step.status, dueAt, to: resolved, approval: rung.approval, repeat: rung.repeat, applies: goesAhead };
    if (active && step.status === 'held') missingContacts = (step.missingRoles ?? []).map(roleLabel);
    else if (active && step.status === 'planned' && goesAhead) missingContacts = resolved.filter((r) => r.emails.length === 0).map((r) => r.label);
  }

  let viewsDue: CaseFacts['viewsDue'] = null;
  if (!closed && lastSent?.sentAt) {
    const rung = rungOf(ladder, lastSent);
    const asksViews = rung.duties.some((d) => isViewsDuty(d, def.duties[d]));
    if (asksViews && !state.views.some((v) => v.step === lastSent.n)) viewsDue = { n: lastSent.n, title: rung.title, sentAt: lastSent.sentAt };
  }

  const bouncedBy = new Map<string, CaseFacts['bounced'][number]>();
  // A bounce the RM has dealt with (a new address given for that role since) is history, not an
  // action: it stays on the case's events but leaves the digest's to-do list. Another person of the
  // same role who was on the request all along (two professionals in To) is no replacement.
  const replaced = (role: string) =>
    state.participants.some((q) => q.role === role && !q.undeliverable && (q.source === 'directive' || q.source === 'learned'));
  for (const p of state.participants) {
    if (!p.undeliverable || replaced(p.role)) continue;
    const email = addressKey(p.email);
    const entry = bouncedBy.get(email) ?? { email, roles: [], at: p.undeliverable.at, reason: p.undeliverable.reason };
    entry.roles.push(roleLabel(p.role));
    bouncedBy.set(email, entry);
  }

  const awaiting = step?.status === 'awaiting-approval' ? step : undefined;
  return {
    id: state.id,
    ref: state.ref,
    orgId: state.orgId,
    orgName: ctx.org.name,
    subject: displaySubject(state.subject),
    childRef: state.childRef ?? null,
    category: state.category ?? null,
    concern: concernOf(state.category),
    ladderId: state.ladderId,
    ladderTitle: def.title,
    variant: state.variant,
    status: state.status,
    openedAt: state.openedAt,
    resolvedAt: state.resolvedAt ?? null,
    closedAt: state.closedAt ?? null,
    professionals,
    localAuthority: localAuthorityOf(professionals, ctx),
    current,
    highest: highestStep ? { n: highestStep.n, title: titleOf(ladder, highestStep) } : null,
    chasersSent: sent.length,
    atTop: state.steps.filter((s) => s.rungId !== 'repeat').every(isDone),
    awaitingApproval: awaiting
      ? { n: awaiting.n, title: titleOf(ladder, awaiting), requestedAt: awaiting.approvalRequestedAt ?? null, reminders: awaiting.approvalReminders ?? 0 }
      : null,
    missingContacts,
    viewsDue,
    bounced: closed ? [] : [...bouncedBy.values()],
    awaitingConfirmationSince: state.status === 'awaiting-confirmation' ? (state.awaitingConfirmationSince ?? null) : null,
    confirmationUntil: state.status === 'awaiting-confirmation' ? (state.confirmation?.until ?? null) : null,
    confirmationOnSilence: state.status === 'awaiting-confirmation' ? (state.confirmation?.onSilence ?? null) : null,
    confirmationReason: state.status === 'awaiting-confirmation' ? (state.confirmation?.reason ?? null) : null,
    pausedUntil: state.status === 'paused' ? (state.pause?.until ?? null) : null,
    holdUntil: state.hold?.until ?? null,
    nextActionAt: state.nextActionAt,
    panelForm: hasPanelForm(state.panelForm) ? state.panelForm : null,
    approvals: state.steps
      .filter((s) => s.approvalRequestedAt)
      .flatMap((s) => {
        const decision =
          s.status === 'awaiting-approval'
            ? ('pending' as const)
            : !s.decidedBy
              ? undefined
              : s.status === 'skipped'
                ? ('skipped' as const)
                : s.status === 'sent'
                  ? ('approved' as const)
                  : undefined;
        if (!decision) return [];
        return [{ n: s.n, title: titleOf(ladder, s), requestedAt: s.approvalRequestedAt ?? null, decision, by: s.decidedBy ?? null, at: s.decidedAt ?? null }];
      }),
  };
}
