import type { CaseFlag, VariantName } from '../ladder/ladder-schema.js';
import { applyPanelDirective, type PanelDirective } from './panel-form.js';
import { CASE_FLAGS } from '../ladder/ladder-schema.js';
import { effectiveLadder, variantChosenBy } from '../ladder/effective-ladder.js';
import type { CaseContext } from './case-context.js';
import type { CaseState, Contact, Participant } from './case-state.js';
import { DecisionBuilder, type Decision } from './decision.js';
import { withNextAction } from './next-action.js';
import { runDue } from './advance.js';
import { fitBeforeDue, planSteps, requestDeadline, shiftPlanned, timingOf } from './timetable.js';

export interface OpenCaseInput {
  id: string;
  ref: string;
  token: string;
  orgId: string;
  ladderId: string;
  variant: VariantName;
  /** When the request was made: the message's own date, or when we received it. */
  openedAt: Date;
  subject: string;
  requestMessageId: string;
  threadIds: string[];
  threadIndex?: string;
  originator: Contact;
  participants: Participant[];
  childRef?: string;
  category?: string;
  requestedBy?: string;
  /** The fostering panel escalation form's lines of the request (`Panel date: …`), in order. */
  panelLines?: PanelDirective[];
  flags: Partial<Record<CaseFlag, boolean>>;
  /** Said back in the confirmation: unknown directives, a child reference that looks like a name… */
  warnings: string[];
  /** The message row that opened it (for the audit trail). */
  messageRef: string;
  /**
   * The sender could not be verified: the confirmation asks them to reply `CONFIRM <token>` by
   * `until`, and no chaser goes to anyone before they do.
   */
  senderConfirmation?: { token: string; until: Date; reason: string };
}

/** A tagged request from staff becomes a case with a dated timetable and a confirmation. */
export function openCase(input: OpenCaseInput, ctx: CaseContext): Decision {
  const flags = Object.fromEntries(CASE_FLAGS.map((f) => [f, input.flags[f] ?? false])) as Record<CaseFlag, boolean>;
  let variant = input.variant;
  if (variant === 'standard') variant = variantChosenBy(ctx.ladder, flags) ?? variant;
  // On the safeguarding timescales the case is a safeguarding case, however it got there.
  if (variant === 'urgent') flags.safeguarding = true;
  // A variant chosen at opening sets its flags just as the command would (imminent risk copies the PSW).
  if (variant !== 'standard') for (const flag of ctx.ladder.variants[variant]?.setsFlags ?? []) flags[flag] = true;
  const ladder = effectiveLadder(ctx.ladder, variant);
  const clockStart = ctx.calendar.nextOpening(input.openedAt);
  const state: CaseState = {
    id: input.id,
    ref: input.ref,
    orgId: input.orgId,
    ladderId: input.ladderId,
    variant,
    status: 'open',
    openedAt: input.openedAt.toISOString(),
    clockStartAt: clockStart.toISOString(),
    subject: input.subject,
    requestMessageId: input.requestMessageId,
    requestMessageRef: input.messageRef,
    threadIds: input.threadIds,
    ...(input.threadIndex ? { threadIndex: input.threadIndex } : {}),
    token: input.token,
    originator: input.originator,
    ...(input.childRef ? { childRef: input.childRef } : {}),
    ...(input.category ? { category: input.category } : {}),
    ...(input.requestedBy ? { requestedBy: input.requestedBy } : {}),
    flags,
    participants: input.participants,
    steps: [],
    views: [],
    ...(input.senderConfirmation ? { senderConfirmation: { since: ctx.now.toISOString(), until: input.senderConfirmation.until.toISOString() } } : {}),
    nextActionAt: null,
    nextAction: null,
  };
  if (input.panelLines?.length && ctx.ladder.panelForm) {
    for (const line of input.panelLines) state.panelForm = applyPanelDirective(state.panelForm, line, ctx.calendar, ctx.now, input.originator.email).form;
  }
  const b = new DecisionBuilder(state, ctx.now);
  // Planned after the builder is made: the first timetable is the one the confirmation gives, not a move.
  state.steps = planSteps(ladder, clockStart, ctx.calendar, 1, input.openedAt);
  // Needed before the policy's dates (reg 5: a planned family time): every step is drawn in before it.
  if (input.requestedBy) fitBeforeDue(state, ladder, ctx.calendar, input.requestedBy, clockStart);
  b.event('case-opened', input.originator.email, {
    ladder: input.ladderId,
    variant,
    message: input.messageRef,
    participants: input.participants.map((p) => ({ role: p.role, email: p.email, source: p.source })),
    warnings: input.warnings,
    ...(input.senderConfirmation ? { senderUnverified: input.senderConfirmation.reason } : {}),
  });
  b.mail({
    kind: 'confirmation',
    key: 'confirmation',
    to: [input.originator],
    cc: ctx.org.manager.email.toLowerCase() === input.originator.email.toLowerCase() ? [] : [ctx.org.manager],
    timing: 'now',
    data: {
      warnings: input.warnings,
      confirmSender: input.senderConfirmation
        ? { token: input.senderConfirmation.token.toUpperCase(), until: input.senderConfirmation.until.toISOString() }
        : null,
    },
  });
  // A request dated some time ago (forwarded late, or a delayed message) must not fire several
  // rungs at once: the first overdue rung goes now and the later ones keep their spacing from it.
  const first = b.state.steps.find((s) => s.status === 'planned' && s.dueAt);
  if (first?.dueAt && new Date(first.dueAt) < ctx.now) {
    // From where its timing fell (a rung due on a bank holiday counts from the holiday), so that
    // the first rung lands on now and the others keep their spacing from it.
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- a step with a dueAt (checked above) always has a timing
    const from = timingOf(first, ctx.calendar)!;
    shiftPlanned(b.state, ladder.clock === 'working-days' ? 'working-days' : 'calendar', ctx.calendar, from, ctx.now);
    b.event('timetable-shifted', 'system', { reason: 'request dated before its first rung was due', from: first.dueAt });
  }
  b.state.requestDeadlineAt = requestDeadline(b.state, ladder, ctx.calendar)?.toISOString() ?? null;
  runDue(b, ctx);
  withNextAction(b.state, ctx.calendar);
  return b.build();
}
