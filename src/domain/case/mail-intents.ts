import { z } from 'zod';
import { REPLY_CLASSES } from './reply-class.js';

/**
 * Every mail the domain asks for, by kind, with the facts its template gets beyond the case
 * itself (`data`). This file is the list: a new kind is added here, and the compiler then points
 * at every switch over kinds that must say what to do with it (its template is
 * `templates/mails/<kind>`; the template checks run every kind against a sample case).
 *
 * The schemas check an intent where one is read back or built from outside the domain (tests
 * drive a whole case life and parse every intent it produced).
 */

const contact = z.object({ email: z.string(), name: z.string().optional() });

/** A recipient's reply as it was read: the class, the words that decided it, and any dates. */
const classification = z.object({
  class: z.enum(REPLY_CLASSES),
  evidence: z.string().optional(),
  promiseDate: z.string().optional(),
  /** `redirected`: the new contact's address the sender gave. */
  redirectTo: z.string().optional(),
  /** `secure-message`: the secure-mail service the content is behind. */
  secureService: z.string().optional(),
  meetingDate: z.string().optional(),
  meetingEvidence: z.string().optional(),
});

/**
 * `window`: waits for the send window (mail to people outside the organisation). `now`: goes at
 * once (mail to the RM and staff: acknowledgements, confirmations, notices; README, Send window).
 */
export const MAIL_TIMINGS = ['window', 'now'] as const;
export type MailTiming = (typeof MAIL_TIMINGS)[number];

/** A planned step whose date a decision moved: what the RM was last told, and what it is now. */
const movedStep = z.object({ n: z.number().int().positive(), rungId: z.string(), from: z.string(), to: z.string() });
export type MovedStep = z.infer<typeof movedStep>;

const common = {
  /** Unique per case: with the case id it derives the Message-ID and outbox dedupe key. */
  key: z.string().min(1),
  to: z.array(contact),
  cc: z.array(contact),
  timing: z.enum(MAIL_TIMINGS),
  /** Approval drafts are stored but held until APPROVE releases them. */
  held: z.boolean().optional(),
  /**
   * An approved draft composed again (its dates count from the day it goes): it replaces the held
   * draft of the same key, keeping its Message-ID, before the release sends it.
   */
  replacesDraft: z.boolean().optional(),
  /** The step the mail is about; the template's `step` (else the case's current step). */
  step: z.number().int().positive().optional(),
  /**
   * The inbound message this mail answers or reports, when there is one (set by the workflow that
   * read it): loop protection counts per sender and case, and folds, never drops, what the RM
   * must see (README, Loop protection).
   */
  cause: z
    .object({
      /** The inbound sender, lower-case. */
      sender: z.string(),
      /** Short key of the inbound message. */
      messageKey: z.string(),
      /** Someone not on the case quoting its reference: counted per organisation per hour. */
      stranger: z.boolean().optional(),
      /** A chased party's reply or a bounce: folded beyond the budget, never dropped. */
      mustSee: z.boolean().optional(),
      /** The message was marked or reads as about safeguarding: never dropped either. */
      safeguarding: z.boolean().optional(),
    })
    .optional(),
  /**
   * Attach what a stored inbound message carried (`message`: its row id), within `maxBytes`
   * together (default: the organisation's `attachments.forwardMaxBytes`); the rest are named with
   * their sizes (outbound/compose/forward-attachments.ts). Set by the workflow that has the row.
   */
  forward: z.object({ message: z.string(), maxBytes: z.number().int().nonnegative().optional() }).optional(),
  /** Dates the decision moved, with why: a notice to the RM says them from what to what. */
  moved: z.object({ steps: z.array(movedStep), because: z.array(z.string()) }).optional(),
};
/** Mail about one step of the ladder always names it. */
const stepped = { ...common, step: z.number().int().positive() };

function mail<K extends string, D extends z.ZodType, B extends typeof common | typeof stepped>(kind: K, base: B, data: D) {
  return z.object({ kind: z.literal(kind), ...base, data });
}

/** What came attached to a reply, as the parser listed it (names and sizes; the bytes stay on the stored message). */
export const attachmentFacts = z.array(z.object({ filename: z.string().optional(), contentType: z.string(), size: z.number().int().nonnegative() }));
export type AttachmentFacts = z.infer<typeof attachmentFacts>;

/** The sender of a reply the RM is told about, with the reply as it was read. */
const replyFacts = { from: contact, role: z.string(), classification, newText: z.string(), attachments: attachmentFacts.optional() };

/** Who a rung that went out of hours was also (or instead) sent to at once. */
const outOfHoursFacts = z.object({ role: z.string(), mode: z.enum(['in-addition', 'instead']), to: z.array(z.string()) });

export const mailIntentSchema = z.discriminatedUnion('kind', [
  /** To the originator (cc the RM): the case is open, with its timetable and anything not understood. */
  mail(
    'confirmation',
    common,
    z.object({
      warnings: z.array(z.string()),
      /** The sender could not be verified: reply `CONFIRM <token>` by `until`; nothing goes outside before. */
      confirmSender: z.object({ token: z.string(), until: z.string() }).nullable().optional(),
    }),
  ),
  /** A rung's letter to the people it chases (its template is the rung's own). */
  mail(
    'chaser',
    stepped,
    z.object({
      rungId: z.string(),
      deadlineAt: z.string().optional(),
      missingCc: z.array(z.string()),
      /** Addressed to someone who has not had a mail of the case: carries the "What this is about" block. */
      about: z.boolean().optional(),
    }),
  ),
  /**
   * To the originator and RM: what a step sent and to whom, with the policy's duties for it;
   * `outOfHours`: it went while the send window was closed, and who was written to out of hours
   * (`to` empty: nobody, as the role has no address).
   */
  mail('step-notice', stepped, z.object({ rungId: z.string(), duties: z.array(z.string()), outOfHours: outOfHoursFacts.optional() })),
  /**
   * To an out-of-hours address (the Emergency Duty Team): a rung went while the send window was
   * closed on an urgent ladder or variant. Says why they have it, what is asked and of whom, when
   * the daytime recipient gets it (`daytimeAt`), with the "What this is about" block.
   */
  mail(
    'out-of-hours',
    stepped,
    z.object({
      rungId: z.string(),
      role: z.string(),
      mode: z.enum(['in-addition', 'instead']),
      daytimeAt: z.string(),
      /** How it came to go now: brought forward by ESCALATE, or approved; absent when it fell due. */
      by: z.enum(['escalated', 'approved']).optional(),
    }),
  ),
  /** To the people the ladder keeps informed (a foster carer): a step was taken. */
  mail('kept-informed', stepped, z.object({ rungId: z.string() })),
  /**
   * To the people the ladder keeps informed, where its `keepInformedAt` asks: the case was taken up
   * on their behalf (`opening`), it has ended (`end`: `resolved`, or `closed` for any other end), or
   * a case they were told had ended is being looked at again (`reopened`).
   */
  mail('kept-informed-case', common, z.object({ moment: z.enum(['opening', 'end', 'reopened']), outcome: z.enum(['resolved', 'closed']).optional() })),
  /** To the RM: a rung's draft waits for APPROVE or SKIP (`draftKey`: the held chaser's key). */
  mail('approval-request', stepped, z.object({ draftKey: z.string(), rungId: z.string() })),
  mail('approval-reminder', stepped, z.object({ draftKey: z.string(), reminder: z.number().int().positive(), rungId: z.string() })),
  /** To the RM: a step is held until these roles have an address. */
  mail(
    'contact-request',
    stepped,
    // `furtherForm`: held for the fostering panel's further form (step 6), not for an address.
    z.object({ missingRoles: z.array(z.string()), furtherForm: z.boolean().optional() }),
  ),
  /** To the sender of commands; or, with `by` and `reason`, to the RM: an operator acted on their case. */
  /**
   * `fullTimetable` / `allCommands`: the sender asked (TIMETABLE / HELP), so the answer carries the
   * whole timetable / every command; otherwise only the next step and the line saying how to ask
   * (issue 20.4). False when not given (an intent read back without them).
   */
  mail(
    'command-ack',
    common,
    z.object({
      done: z.array(z.string()),
      by: z.string().optional(),
      reason: z.string().optional(),
      fullTimetable: z.boolean().default(false),
      allCommands: z.boolean().default(false),
    }),
  ),
  mail('command-error', common, z.object({ problems: z.array(z.string()) })),
  mail('resolved-notice', common, z.object(replyFacts)),
  /**
   * To the RM: a reply came in (read as a promise, a meeting date, or nothing the ladder acts on),
   * or a message about the case was flagged and changed nothing (`flagged`: why).
   */
  mail(
    'reply-notice',
    common,
    z.union([
      z.object({
        ...replyFacts,
        caseClosed: z.boolean().optional(),
        holdUntil: z.string().nullable().optional(),
        /** A promise for a date after which the next step comes anyway: recorded, holds nothing. */
        promiseHoldsNothing: z.boolean().optional(),
        meetingOn: z.string().optional(),
        /** Read, but it changed nothing on the case, and why (copied only, unverified, not yet written to). */
        notActedOn: z.string().optional(),
        /** `redirected`: the line the RM can send back to put the new contact on the case ("Team manager: jo@la.gov.uk"). */
        redirectDirective: z.string().optional(),
        /** A promise beyond the ladder's horizon: it holds nothing, and the RM is asked (PAUSE until). */
        beyondHorizon: z.object({ promisedFor: z.string(), horizon: z.string() }).optional(),
        afterDue: z.object({ promisedFor: z.string(), due: z.string() }).optional(),
      }),
      /** `newText`: the words that were not acted on, quoted so the RM can judge them. */
      z.object({ from: z.object({ email: z.string() }), flagged: z.string(), newText: z.string().optional() }),
    ]),
  ),
  /** To the ladder's confirmers: a reply says it is done; RESOLVED or ESCALATE. */
  mail(
    'confirm-request',
    common,
    z.object({
      from: contact,
      role: z.string(),
      newText: z.string(),
      attachments: attachmentFacts.optional(),
      missingConfirmers: z.array(z.string()),
      /** Absent on requests written before the hold: they wait for a command with no time limit. */
      reason: z.enum(['done', 'secure-message']).optional(),
      /** What silence does at `until`: the case resolves (the reply came with a document) or the ladder goes on. */
      onSilence: z.enum(['resolve', 'resume']).optional(),
      until: z.string().optional(),
      remindAt: z.string().optional(),
      secureService: z.string().optional(),
      /** The one reminder at the end of the first hold (the reply itself was in the first request, sent `askedAt`). */
      reminder: z.boolean().optional(),
      askedAt: z.string().optional(),
      documents: z.array(z.string()).optional(),
    }),
  ),
  /**
   * To the confirmers (the people the confirm request asked): nobody answered by `until`, so the
   * hold ended as the request said it would: the case resolved (the reply came with a document), or
   * the reminders resumed (`nextAt`: when the next step goes, as it stood then).
   */
  mail(
    'confirmation-ended',
    common,
    z.object({
      from: contact,
      role: z.string(),
      reason: z.enum(['done', 'secure-message']),
      outcome: z.enum(['resolved', 'resumed']),
      askedAt: z.string(),
      until: z.string(),
      documents: z.array(z.string()),
      nextAt: z.string().optional(),
    }),
  ),
  /** To the RM: these addresses bounced (each only once). */
  mail('bounce-notice', common, z.object({ failed: z.array(z.object({ address: z.string(), status: z.string().optional(), roles: z.array(z.string()) })) })),
  /** To the RM: a mail of the case could not be delivered (`failedKind`: the outbox row's kind). */
  mail('delivery-failure', common, z.object({ failedKind: z.string(), failedTo: z.array(z.string()), reason: z.string() })),
  /**
   * To the claimed sender only: "did you send these commands?" with a one-time `CONFIRM` code
   * (README, Trust); or (`expired`) to the originator and RM: an opening nobody confirmed closed.
   */
  mail(
    'sender-confirm',
    common,
    z.object({ token: z.string(), commands: z.array(z.string()), until: z.string(), opening: z.boolean(), expired: z.boolean().optional() }),
  ),
  /** To the RM: notices a sender's messages caused beyond their budget, folded into one ("N more messages from x@y"). */
  mail(
    'fold-summary',
    common,
    z.object({
      sender: z.string(),
      count: z.number().int().positive(),
      safeguarding: z.number().int().nonnegative(),
      items: z.array(z.object({ kind: z.string(), at: z.string(), safeguarding: z.boolean() })),
    }),
  ),
]);

export type MailCause = NonNullable<MailIntent['cause']>;

/** A mail the domain wants sent. The workflow renders it, composes it and writes an outbox row in the same transaction. */
export type MailIntent = z.infer<typeof mailIntentSchema>;
export type MailKind = MailIntent['kind'];
/** The `data` of one kind of mail. */
export type MailData<K extends MailKind> = Extract<MailIntent, { kind: K }>['data'];

export const MAIL_KINDS: readonly MailKind[] = mailIntentSchema.options.map((o) => o.shape.kind.value);

/**
 * What an outbox row can be: a case's mail intent, several chasers to the same people sent as one
 * (`chaser-bundle`, no case), the organisation's weekly digest (no case), or one of the limits'
 * notices (no case: strangers folded, a request refused, a message not read).
 */
export const OUTBOX_KINDS: readonly (
  MailKind | 'chaser-bundle' | 'weekly-digest' | 'stranger-summary' | 'request-refused' | 'not-read' | 'notice-summary' | 'commands-answer'
)[] = [
  ...MAIL_KINDS,
  'chaser-bundle',
  'weekly-digest',
  // Organisation-level notices (no case): src/workflows/org-notice.ts.
  'stranger-summary',
  'request-refused',
  'not-read',
  // Step notices to one staff address folded into one mail an hour (src/workflows/hourly-notices.ts).
  'notice-summary',
  // What a message about several cases (a reply to the digest) asked that could not be done (src/workflows/ingest/case-commands.ts).
  'commands-answer',
];
export const outboxKindSchema = z.enum(OUTBOX_KINDS);
export type OutboxKind = z.infer<typeof outboxKindSchema>;

/**
 * An outbox row's life: `held` (an approval draft) → `pending` → `sending` → `sent` | `failed`, or
 * `cancelled` (a draft skipped, a case closed). The database holds the column to these
 * (Migration20261205110000).
 */
export const OUTBOX_STATUSES = ['held', 'pending', 'sending', 'sent', 'failed', 'cancelled'] as const;
export const outboxStatusSchema = z.enum(OUTBOX_STATUSES);
export type OutboxStatus = z.infer<typeof outboxStatusSchema>;
