import type { CaseState, Contact, Instant } from './case-state.js';

/** An immutable audit row the workflow stores with the new state. */
export interface EventDraft {
  type: string;
  actor: string;
  at: Instant;
  detail: Record<string, unknown>;
}

export type MailKind =
  | 'confirmation'
  | 'chaser'
  | 'step-notice'
  | 'kept-informed'
  | 'approval-request'
  | 'approval-reminder'
  | 'contact-request'
  | 'command-ack'
  | 'command-error'
  | 'resolved-notice'
  | 'reply-notice'
  | 'confirm-request'
  | 'bounce-notice'
  | 'delivery-failure';

/**
 * A mail the domain wants sent. The workflow renders it (template named by kind, or the rung's
 * template for chasers), composes it and writes an outbox row in the same transaction.
 */
export interface MailIntent {
  kind: MailKind;
  /** Unique per case: with the case id it derives the Message-ID and outbox dedupe key. */
  key: string;
  to: Contact[];
  cc: Contact[];
  /**
   * `window`: waits for the send window (mail to people outside the organisation). `now`: goes at
   * once (mail to the RM and staff: acknowledgements, confirmations, notices; README, Send window).
   */
  timing: 'window' | 'now';
  /** Approval drafts are stored but held until APPROVE releases them. */
  held?: boolean;
  /**
   * An approved draft composed again (its dates count from the day it goes): it replaces the held
   * draft of the same key, keeping its Message-ID, before the release sends it.
   */
  replacesDraft?: boolean;
  step?: number;
  /** Extra facts for the template beyond the case itself. */
  data: Record<string, unknown>;
}

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

  event(type: string, actor: string, detail: Record<string, unknown> = {}): void {
    this.events.push({ type, actor, at: this.now.toISOString(), detail });
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
