import { z } from 'zod';
import { CASE_FLAGS, VARIANT_NAMES } from '../ladder/ladder-schema.js';
import type { Instant } from './case-state.js';
import { PARTICIPANT_SOURCES } from './case-state.js';
import { MAIL_KINDS, outboxKindSchema } from './mail-intents.js';
import { REPLY_CLASSES } from './reply-class.js';

/**
 * Every kind of event on a case's audit trail, with its fields. This file is the list: a new
 * kind is added here, and the compiler then points at every reader that must say what it shows
 * (the evidence pack's label and summary switch over every kind).
 *
 * Events are stored as they are written (`case_event.type` and `.detail`) and never changed, so a
 * kind's fields only ever grow, as optional ones: rows written by every earlier version must
 * still read. The schemas check each row when it is read back from PostgreSQL; a row that does
 * not match (older than anything listed here, or written by a newer version) reads as
 * `UnreadableEvent` with its stored type, and readers show it as such rather than fail.
 */

const instant = z.string();
const step = z.number().int().nonnegative();
const addresses = z.array(z.string());

function kind<T extends string, D extends z.ZodType>(type: T, detail: D) {
  return z.object({ type: z.literal(type), detail });
}
const stepOf = { step, rung: z.string() };
const none = z.object({});

export const caseEventSchema = z.discriminatedUnion('type', [
  // Opening and the timetable.
  kind(
    'case-opened',
    z.object({
      ladder: z.string(),
      variant: z.enum(VARIANT_NAMES),
      /** The message row that opened it. */
      message: z.string(),
      participants: z.array(z.object({ role: z.string(), email: z.string(), source: z.enum(PARTICIPANT_SOURCES) })),
      warnings: z.array(z.string()),
      /** Why the sender could not be verified: no chaser goes until they confirm (README, Trust). */
      senderUnverified: z.string().optional(),
    }),
  ),
  /** A request dated some time ago: the first overdue rung goes now, the rest keep their spacing. */
  kind('timetable-shifted', z.object({ reason: z.string(), from: instant })),
  /** A decision moved planned steps (a hold, a pause, a late approval, ESCALATE …): from and to, and why. */
  kind('timetable-moved', z.object({ steps: z.array(z.object({ n: step, rungId: z.string(), from: instant, to: instant })), because: z.array(z.string()) })),

  // Steps.
  kind(
    'step-sent',
    z.object({
      ...stepOf,
      to: addresses,
      cc: addresses,
      notCopied: z.array(z.string()),
      deadlineAt: instant.nullable(),
      /** It went on a later day than it was due: when it was due. */
      dueAt: instant.optional(),
      /** An approved draft composed again, its dates counted from when it went. */
      redrafted: z.literal(true).optional(),
      /** It went out of hours on a ladder with an out-of-hours address: who was written to at once (none: no address). */
      outOfHours: z.object({ role: z.string(), mode: z.enum(['in-addition', 'instead']), to: addresses }).optional(),
    }),
  ),
  // `awaitingForm`: held for the fostering panel's further form (step 6), not for an address.
  kind('step-held', z.object({ ...stepOf, missingRoles: z.array(z.string()), awaitingForm: z.boolean().optional() })),
  kind('step-not-applicable', z.object({ ...stepOf, when: z.enum(CASE_FLAGS) })),
  kind('step-released', z.object({ step })),
  kind('approval-requested', z.object({ ...stepOf, to: addresses, cc: addresses })),
  kind('approval-reminded', z.object({ step, reminder: z.number().int().positive() })),
  kind('approved', z.object(stepOf)),
  kind(
    'skipped',
    z.object({
      ...stepOf,
      /** Skipped by ESCALATE out of awaiting-confirmation: the rung would chase who already responded. */
      reason: z.literal('already-responded').optional(),
      responder: z.string().optional(),
    }),
  ),
  kind('escalated', z.object(stepOf)),
  kind('extended', z.object({ by: z.string() })),

  // Replies and holds.
  kind('reply-received', z.object({ role: z.string(), class: z.enum(REPLY_CLASSES), evidence: z.string().nullable(), message: z.string() })),
  /** `holdUntil` null: the next step comes after the promised date anyway, so nothing is held. */
  kind('promise-recorded', z.object({ promisedFor: z.string(), holdUntil: instant.nullable() })),
  /** A promise later than the next two rungs (or the horizon's months): it holds nothing; the RM is asked. */
  kind('promise-beyond-horizon', z.object({ promisedFor: z.string(), horizon: instant })),
  kind('promise-after-due', z.object({ promisedFor: z.string(), due: z.string() })),
  kind('promise-lapsed', z.object({ promisedFor: z.string(), by: z.string() })),
  kind('meeting-date-noted', z.object({ meetingOn: z.string(), step, rung: z.string(), holdUntil: instant.nullable(), evidence: z.string().nullable() })),
  kind('meeting-hold-ended', z.object({ meetingOn: z.string(), by: z.string() })),
  kind(
    'awaiting-confirmation',
    z.object({
      confirmers: addresses,
      /** Absent on events recorded before the hold: `done`, or a secure-mail notice. */
      reason: z.enum(['done', 'secure-message']).optional(),
      remindAt: instant.optional(),
      until: instant.optional(),
      /** What silence does at `until`. */
      onSilence: z.enum(['resolve', 'resume']).optional(),
      documents: z.array(z.string()).optional(),
    }),
  ),
  /** The confirmers were reminded once, at the end of the first hold. */
  kind('confirmation-reminded', z.object({ to: addresses, until: instant })),
  /** Nobody answered by the end of the second hold and the reply had no document: the ladder goes on. */
  kind('confirmation-lapsed', z.object({ reason: z.enum(['done', 'secure-message']), since: instant })),
  /** NOT DONE: the response was not enough; the ladder goes on and the reply stays on the record. */
  kind('not-done', z.object({ since: instant.nullable() })),
  kind('auto-reply', z.object({ returnDate: z.string().nullable(), message: z.string() })),
  kind('bulk-mail', z.object({ returnDate: z.string().nullable(), message: z.string() })),
  kind(
    'bounce',
    z.object({
      recipients: z.array(
        z.object({
          address: z.string(),
          status: z.string().optional(),
          action: z.string().optional(),
          diagnostic: z.string().optional(),
          permanent: z.boolean().optional(),
        }),
      ),
      message: z.string(),
    }),
  ),
  kind('message-flagged', z.object({ reason: z.string(), message: z.string() })),
  /** A reply read and passed to the RM that changed nothing (copied only, unverified, not yet written to). */
  kind('reply-noted', z.object({ role: z.string(), class: z.enum(REPLY_CLASSES), reason: z.string(), message: z.string() })),
  /** Commands from an unverified sender wait for `CONFIRM` from the claimed address until `until`. */
  kind('confirmation-requested', z.object({ commands: z.array(z.string()), until: instant, reason: z.string(), message: z.string() })),
  /** The claimed sender confirmed by the one-time round trip: the opening, or the commands that follow. */
  kind(
    'sender-confirmed',
    z.union([z.object({ what: z.literal('opening'), message: z.string() }), z.object({ what: z.literal('commands'), commands: z.array(z.string()) })]),
  ),
  /** A message over a limit: recorded (headers, size, SHA-256), not read; the sender or the RM told. */
  kind('message-not-read', z.object({ message: z.string(), size: z.number().int().nonnegative(), reason: z.string() })),
  kind('staff-message', z.object({ message: z.string() })),

  // The case's status.
  kind(
    'resolved',
    z.union([
      z.object({ by: z.literal('command') }),
      z.object({ by: z.literal('reply'), evidence: z.string().nullable() }),
      /** Nobody answered by the end of the second hold, and the reply came with these documents. */
      z.object({ by: z.literal('silence'), documents: z.array(z.string()), since: instant }),
    ]),
  ),
  kind('closed', z.union([z.object({ by: z.literal('command') }), z.object({ by: z.literal('unconfirmed'), reason: z.string() })])),
  kind('reopened', none),
  kind('paused', z.object({ until: instant })),
  kind('resumed', z.union([z.object({ reason: z.literal('pause ended'), pausedFrom: instant }), z.object({ reason: z.literal('command') })])),

  // Commands and directives.
  /** `by` and `reason`: an operator's action from the CLI. */
  kind('commands-applied', z.object({ done: z.array(z.string()), by: z.string().optional(), reason: z.string().optional() })),
  /** `lines` (the sender's own words) only on rows written before issue 13; `commands`: the kinds. */
  kind('command-rejected', z.object({ problems: z.array(z.string()), lines: z.array(z.string()).optional(), commands: z.array(z.string()).optional() })),
  kind('variant-switched', z.object({ from: z.enum(VARIANT_NAMES), to: z.enum(VARIANT_NAMES) })),
  /** `imminent` on a ladder without imminent-risk timescales is recorded as a flag. */
  kind('flag-set', z.object({ flag: z.enum([...CASE_FLAGS, 'imminent']), value: z.boolean().optional() })),
  /** The text is on the case (`state.views`, `state.notes`, purged with it); `text` only on rows written before issue 13. */
  kind('views-recorded', z.object({ step, text: z.string().optional(), index: z.number().int().nonnegative().optional() })),
  kind('note-added', z.object({ text: z.string().optional(), index: z.number().int().nonnegative().optional() })),
  kind('participant-set', z.object({ role: z.string(), email: z.string() })),
  /** The reference itself is not repeated on the trail. */
  kind('child-ref-set', none),
  kind('category-set', z.object({ category: z.string() })),
  kind('due-set', z.object({ due: z.string() })),
  /** A line of the fostering panel escalation form was recorded (its text stays on the case, which purge reaches). */
  kind('panel-form-set', z.object({ field: z.string() })),

  // Delivery (written by the workflows around the outbox).
  kind(
    'mail-failed',
    z.union([
      /** The server refused the message, or it was given up on after repeated temporary failures. */
      z.object({ kind: outboxKindSchema, step: step.nullable(), to: addresses, reason: z.string() }),
      /** The server refused some recipients outright (5xx) while it accepted the message. */
      z.object({
        outbox: z.string(),
        kind: outboxKindSchema,
        reason: z.string(),
        recipients: z.array(z.object({ address: z.string(), code: z.number().optional(), response: z.string().optional() })),
      }),
    ]),
  ),
  /** Loop protection held a mail back (dropped, or deferred `until`). */
  kind(
    'mail-held-back',
    z.object({
      kind: z.enum(MAIL_KINDS),
      key: z.string(),
      recipients: addresses,
      action: z.enum(['dropped', 'deferred']),
      until: instant.optional(),
      /** A dropped answer: the sender whose budget on the case was spent. */
      sender: z.string().optional(),
      reason: z.string(),
    }),
  ),
  /** A notice the RM must see, over its sender's budget, listed in a summary mail (`into`: its dedupe key) instead of sent alone. */
  kind('mail-folded', z.object({ kind: z.enum(MAIL_KINDS), key: z.string(), sender: z.string(), into: z.string(), reason: z.string() })),
  /** The server turned some recipients away for a while (4xx): the same message goes to them again at `retryAt`. */
  kind(
    'mail-recipients-deferred',
    z.object({
      outbox: z.string(),
      kind: outboxKindSchema,
      resend: z.string(),
      recipients: z.array(z.object({ address: z.string(), code: z.number().optional(), response: z.string().optional() })),
      retryAt: instant,
    }),
  ),
  /** Retention dropped the raw copies of the case's messages; hashes and metadata stay. */
  kind('raw-messages-purged', z.object({ messages: z.number().int().nonnegative(), outbox: z.number().int().nonnegative(), policy: z.string() })),
]);

/** What happened, without who and when: one of the kinds above. */
export type CaseEventBody = z.infer<typeof caseEventSchema>;
export type CaseEventType = CaseEventBody['type'];
export type CaseEventDetail<T extends CaseEventType> = Extract<CaseEventBody, { type: T }>['detail'];

export const CASE_EVENT_TYPES: readonly CaseEventType[] = caseEventSchema.options.map((o) => o.shape.type.value);

/** An immutable audit row the workflow stores with the new state. */
export type EventDraft = CaseEventBody & {
  /** An email address, `system`, `mailer-daemon` or `cli:<user>`. */
  actor: string;
  at: Instant;
};

/**
 * A stored event this version cannot read: its type is unknown here or its detail does not match
 * the type's fields (a row from a newer version, or damaged). Shown as it is, never acted on.
 */
export interface UnreadableEvent {
  type: 'unreadable';
  storedType: string;
  /** The detail as stored. */
  stored: unknown;
  /** Why it did not read, without the content: "unknown type", or the fields that did not match. */
  problem: string;
}

/** An event as stored on the case's trail: what it is (or that it could not be read), who, when and why. */
export type RecordedEvent = {
  /** The row's id: events of one instant are in the order they were written. */
  id: number;
  at: Date;
  actor: string;
  /** What caused it: a message id, a job, a CLI command. */
  cause: string | null;
} & (CaseEventBody | UnreadableEvent);

/**
 * Reads one stored event back (`case_event.type` and `.detail`). Never throws: a row that does not
 * match its kind's schema reads as `UnreadableEvent`, and the caller logs it by row id.
 */
export function readCaseEvent(type: string, detail: unknown): CaseEventBody | UnreadableEvent {
  const result = caseEventSchema.safeParse({ type, detail });
  if (result.success) return result.data;
  const known = (CASE_EVENT_TYPES as readonly string[]).includes(type);
  const problem = known ? `fields do not match: ${[...new Set(result.error.issues.map((i) => i.path.join('.') || '(detail)'))].join(', ')}` : 'unknown type';
  return { type: 'unreadable', storedType: type, stored: detail, problem };
}

/** The first event of one kind among a decision's events, typed as that kind. */
export function findEvent<T extends CaseEventType>(events: readonly EventDraft[], type: T): Extract<EventDraft, { type: T }> | undefined {
  return events.find((e): e is Extract<EventDraft, { type: T }> => e.type === type);
}
