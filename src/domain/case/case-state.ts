import type { CaseFlag, VariantName } from '../ladder/ladder-schema.js';
import type { PanelForm } from './panel-form.js';
import type { ReplyClass } from './reply-class.js';

/** ISO 8601 instant in UTC. The state is stored as JSON, so instants stay strings here. */
export type Instant = string;

/** Every status a case can have; the database holds `escalation_case.status` to these (Migration20261205110000). */
export const CASE_STATUSES = ['open', 'paused', 'awaiting-confirmation', 'resolved', 'closed'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

export interface Contact {
  email: string;
  name?: string;
}

/** Where we learned a participant's address: the request's recipients, a directive, the directory, a reply, the config. */
export const PARTICIPANT_SOURCES = ['request', 'directive', 'directory', 'learned', 'config'] as const;
export type ParticipantSource = (typeof PARTICIPANT_SOURCES)[number];

export interface Participant extends Contact {
  role: string;
  /** Where we learned it: the request's recipients, a directive, the directory, a reply. */
  source: ParticipantSource;
  undeliverable?: { at: Instant; reason: string };
}

/**
 * - `held`: a To role has no address; waits for the RM to supply one.
 * - `awaiting-approval`: the draft is with the RM for APPROVE / SKIP.
 * - `not-applicable`: its `when` flag was not set when it fell due.
 * The database holds every step of `escalation_case.state` to these (Migration20261205110000).
 */
export const STEP_STATUSES = ['planned', 'held', 'awaiting-approval', 'sent', 'skipped', 'not-applicable'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export interface Step {
  /** 1-based position on this case; stable, so Message-IDs and job ids can be derived from it. */
  n: number;
  rungId: string;
  /** Null for command-only rungs until ESCALATE sets it. Inside the send window unless `anyHour`. */
  dueAt: Instant | null;
  /**
   * When the ladder's timing put the step, before the send window moved it to `dueAt` (a rung
   * falling on a bank holiday); shifts and EXTEND count from here. Absent when the two agree.
   */
  timingAt?: Instant;
  /**
   * Its rung may go at any hour (`sendWindow: always`: "the same day", "immediately"): `dueAt` is
   * when it falls due, not moved into the send window.
   */
  anyHour?: boolean;
  status: StepStatus;
  sentAt?: Instant;
  /** The addresses it went to, as sent (evidence). */
  sentTo?: string[];
  sentCc?: string[];
  /** It went out of hours: the out-of-hours addresses (the Emergency Duty Team) written to at once (evidence). */
  outOfHoursTo?: string[];
  deadlineAt?: Instant;
  heldSince?: Instant;
  missingRoles?: string[];
  /**
   * Held for the fostering panel's further form (step 6: the ADM or panel chair says which aspects
   * still concern them before the more senior manager is written to), not for an address.
   */
  awaitingForm?: boolean;
  contactRequestedAt?: Instant;
  approvalRequestedAt?: Instant;
  approvalReminders?: number;
  decidedBy?: string;
  decidedAt?: Instant;
}

export interface CaseState {
  id: string;
  ref: string;
  orgId: string;
  ladderId: string;
  variant: VariantName;
  status: CaseStatus;
  /** When the request was made (the message's date). */
  openedAt: Instant;
  /** The opening moment moved into the send window: every `from: opening` rung counts from here. */
  clockStartAt: Instant;
  /**
   * The deadline the confirmation gave for the request itself: the close of the last working day
   * before the first rung goes; null when that rung goes the same day. Fixed at opening (absent on
   * cases opened before it was recorded).
   */
  requestDeadlineAt?: Instant | null;
  subject: string;
  /** The opening request's Message-ID: first in every chaser's References. */
  requestMessageId: string;
  /**
   * The stored request message's row id: its new text and attachments travel up the ladder in the
   * "What this is about" block of a chaser to someone new (absent on cases opened before).
   */
  requestMessageRef?: string;
  /** Message-IDs of the thread as the request carried them (References + itself). */
  threadIds: string[];
  /** The request's Outlook Thread-Index, extended by our mails so Outlook keeps one conversation. */
  threadIndex?: string;
  /** Unguessable token for plus-addressed Reply-To. */
  token: string;
  originator: Contact;
  childRef?: string;
  category?: string;
  requestedBy?: Instant;
  /**
   * The `Due:` date (YYYY-MM-DD) the planned steps were drawn in to be taken before (fitBeforeDue),
   * when the ladder's policy asks for it and the date came before the policy's own dates.
   */
  drawnInBefore?: string;
  flags: Record<CaseFlag, boolean>;
  participants: Participant[];
  steps: Step[];
  pause?: { from: Instant; until: Instant };
  /** Promise from a recipient: nothing escalates before `until`. */
  hold?: {
    until: Instant;
    promisedFor: string;
    by: string;
    /** Held for a meeting confirmed for this local date (YYYY-MM-DD), not for a promise. */
    meetingOn?: string;
  };
  awaitingConfirmationSince?: Instant;
  /** Who gave the "done" response the confirmers are asked about (ESCALATE does not chase them for it again). */
  awaitingConfirmationFrom?: { email: string; role: string };
  /**
   * What the confirmers were asked to judge (absent on cases that waited before the hold existed:
   * they wait for a command with no time limit). The ladder holds until `remindAt`, when they are
   * reminded once; at `until` their silence decides: `resolve` (the reply came with a document,
   * which they were sent) or `resume` (words alone, or a secure-mail notice: the ladder goes on).
   */
  confirmation?: ConfirmationHold;
  resolvedAt?: Instant;
  closedAt?: Instant;
  /**
   * When the people the ladder keeps informed were told the case was taken up on their behalf
   * (`opening`), and the end instants (`resolvedAt` or `closedAt`) they were told of (`ends`: a
   * case reopened and ended again is told again), and when they were told such a case was reopened
   * (`reopens`: one for each end they were told of, at most). See kept-informed.ts.
   */
  keptInformed?: { opening?: Instant; ends?: Instant[]; reopens?: Instant[] };
  /**
   * How each chased reply read, in order: the answer an earlier rung got, as the "What this is
   * about" block tells the next person (`step`: the step standing sent when it came, 0 for the
   * request itself). No text: that stays on the stored message.
   */
  answers?: { at: Instant; step: number; role: string; class: ReplyClass; promisedFor?: string }[];
  /** Young person's views recorded by the RM (policy: at each step). Kept here, not in events, so purge can remove the text. */
  views: { at: Instant; step: number; text: string; by: string }[];
  /** The fostering panel escalation form's fields (ladders with `panelForm`), from directive lines. */
  panelForm?: PanelForm;
  /** `NOTE:` texts, kept here (not in the immutable events) for the same reason. */
  notes?: { at: Instant; text: string; by: string }[];
  /**
   * Opened by a staff sender the organisation's trust source could not verify: no chaser goes to
   * anyone until they answer the one-time confirmation; unconfirmed at `until`, the case closes.
   */
  senderConfirmation?: { since: Instant; until: Instant };
  nextActionAt: Instant | null;
  nextAction: NextAction | null;
}

export interface ConfirmationHold {
  /** A reply that reads as done, or a secure-mail notice whose content only the RM can open. */
  reason: 'done' | 'secure-message';
  since: Instant;
  remindAt: Instant;
  remindedAt?: Instant;
  until: Instant;
  onSilence: 'resolve' | 'resume';
  /** The reply's short message key. */
  message: string;
  /** The names of the documents it came with (the evidence silence may resolve on). */
  documents: string[];
  /** Where the step the hold moved to `until` stood before: an early answer brings it back. */
  heldFrom?: Instant;
}

export const NEXT_ACTIONS = ['step', 'resume', 'approval-reminder', 'hold-ends', 'confirmation-expires', 'confirmation-hold'] as const;
export type NextAction = (typeof NEXT_ACTIONS)[number];

export const CLOSED_STATUSES: readonly CaseStatus[] = ['resolved', 'closed'];

export function isClosed(state: Pick<CaseState, 'status'>): boolean {
  return CLOSED_STATUSES.includes(state.status);
}
