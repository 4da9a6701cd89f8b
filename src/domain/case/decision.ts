import type { CaseEventDetail, CaseEventType, EventDraft } from './case-events.js';
import type { CaseState } from './case-state.js';
import type { MailIntent } from './mail-intents.js';

export type { EventDraft } from './case-events.js';
export type { MailCause, MailIntent, MailKind } from './mail-intents.js';

export type DraftAction = { kind: 'release'; step: number } | { kind: 'cancel'; step: number } | { kind: 'cancel-all' };

export interface Decision {
  state: CaseState;
  events: EventDraft[];
  mails: MailIntent[];
  drafts: DraftAction[];
}

/** Collects a decision's side effects while the pure functions work. */
export class DecisionBuilder {
  readonly events: EventDraft[] = [];
  readonly mails: MailIntent[] = [];
  readonly drafts: DraftAction[] = [];

  constructor(
    public state: CaseState,
    readonly now: Date,
  ) {}

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
    return { state: this.state, events: this.events, mails: this.mails, drafts: this.drafts };
  }
}
