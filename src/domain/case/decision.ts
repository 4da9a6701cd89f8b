import type { CaseEventDetail, CaseEventType, EventDraft } from './case-events.js';
import type { CaseState, Instant } from './case-state.js';
import type { MailIntent, MailKind, MovedStep } from './mail-intents.js';

export type { EventDraft } from './case-events.js';
export type { MailCause, MailIntent, MailKind, MovedStep } from './mail-intents.js';

/** Mails to the RM that carry the dates a decision moved, so a notice never leaves a stale date standing. */
const MOVED_NOTICE_KINDS: ReadonlySet<MailKind> = new Set<MailKind>(['command-ack', 'reply-notice', 'step-notice', 'approval-request']);

export type DraftAction = { kind: 'release'; step: number } | { kind: 'cancel'; step: number } | { kind: 'cancel-all' };

export interface Decision {
  state: CaseState;
  /** Planned steps whose dates moved, with why (also recorded as a `timetable-moved` event). */
  moved?: { steps: MovedStep[]; because: string[] };
  events: EventDraft[];
  mails: MailIntent[];
  drafts: DraftAction[];
}

/** Collects a decision's side effects while the pure functions work. */
export class DecisionBuilder {
  readonly events: EventDraft[] = [];
  readonly mails: MailIntent[] = [];
  readonly drafts: DraftAction[] = [];
  private readonly reasons: string[] = [];
  /** Each planned step's date as the decision found it. */
  private readonly plannedBefore: Map<number, Instant>;

  constructor(
    public state: CaseState,
    readonly now: Date,
  ) {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the filter before it kept only steps with a dueAt
    this.plannedBefore = new Map(state.steps.filter((s) => s.status === 'planned' && s.dueAt).map((s) => [s.n, s.dueAt!]));
  }

  /** Why dates move in this decision, as a clause for the RM ("you paused the case until …"). */
  because(reason: string): void {
    if (!this.reasons.includes(reason)) this.reasons.push(reason);
  }

  /** Records an event of one of the kinds in case-events.ts, with that kind's fields. */
  event<T extends CaseEventType>(type: T, actor: string, detail: CaseEventDetail<T>): void {
    // The compiler checks `detail` against `type` at every call; it cannot follow the pair into
    // the object, so the union member is asserted here once.
    this.events.push({ type, actor, at: this.now.toISOString(), detail } as EventDraft);
  }

  mail(intent: MailIntent): void {
    this.mails.push(intent);
  }

  draft(action: DraftAction): void {
    this.drafts.push(action);
  }

  build(): Decision {
    const moved = this.movedSteps();
    if (moved.length === 0) return { state: this.state, events: this.events, mails: this.mails, drafts: this.drafts };
    const because = [...this.reasons];
    this.event('timetable-moved', 'system', { steps: moved, because });
    for (const mail of this.mails) {
      if (MOVED_NOTICE_KINDS.has(mail.kind)) mail.moved ??= { steps: moved, because };
    }
    return { state: this.state, events: this.events, mails: this.mails, drafts: this.drafts, moved: { steps: moved, because } };
  }

  /** Steps planned before and after this decision whose dates differ. */
  private movedSteps(): MovedStep[] {
    const moved: MovedStep[] = [];
    for (const step of this.state.steps) {
      const before = this.plannedBefore.get(step.n);
      if (!before || step.status !== 'planned' || !step.dueAt || step.dueAt === before) continue;
      moved.push({ n: step.n, rungId: step.rungId, from: before, to: step.dueAt });
    }
    return moved;
  }
}
