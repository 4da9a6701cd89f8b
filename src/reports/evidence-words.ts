import type { CaseEventType } from '../domain/case/case-events.js';
import type { ReplyClass } from '../domain/case/reply-class.js';

/** Each event as an inspector reads it: what happened, in plain words. */
export const EVENT_LABELS: Record<CaseEventType, string> = {
  'case-opened': 'Case opened',
  'step-sent': 'Step sent',
  'step-held': 'Step waiting for an address',
  'step-not-applicable': 'Step set aside (it does not apply to this case)',
  'step-released': 'Approved draft released',
  'approval-requested': 'Approval asked for',
  'approval-reminded': 'Approval reminder',
  approved: 'Approved',
  skipped: 'Skipped',
  'reply-received': 'Reply received',
  'promise-recorded': 'Promise recorded',
  'promise-lapsed': 'Promise lapsed',
  'meeting-hold-ended': 'Meeting date passed; the escalation goes on',
  'meeting-date-noted': 'Meeting date noted',
  'awaiting-confirmation': 'Waiting for confirmation',
  'confirmation-reminded': 'Confirmation reminder',
  'confirmation-lapsed': 'Nobody confirmed; the escalation goes on',
  'not-done': 'NOT DONE: the escalation goes on',
  resolved: 'Resolved',
  closed: 'Closed',
  reopened: 'Reopened',
  paused: 'Paused',
  resumed: 'Resumed',
  escalated: 'Escalated',
  extended: 'Extended',
  'variant-switched': 'Timescales changed',
  'flag-set': 'Marked',
  'views-recorded': 'Young person’s views recorded',
  'note-added': 'Note added',
  'commands-applied': 'Instructions carried out',
  'command-rejected': 'Instruction not carried out',
  bounce: 'Delivery failure',
  'mail-failed': 'Mail could not be sent',
  'auto-reply': 'Automatic reply',
  'bulk-mail': 'Bulk mail',
  'message-flagged': 'Message from someone not on the case',
  'reply-noted': 'Reply passed on (it changed nothing)',
  'confirmation-requested': 'Sender asked to confirm',
  'sender-confirmed': 'Sender confirmed',
  'message-not-read': 'Message not read (over a limit)',
  'promise-beyond-horizon': 'Promise too far ahead to hold the next step',
  'promise-after-due': 'Promise for after the date it is needed by',
  'mail-folded': 'Notices combined into one summary',
  'staff-message': 'Message from staff',
  'participant-set': 'Contact set',
  'child-ref-set': 'Child reference set',
  'category-set': 'Category set',
  'due-set': 'Due date set',
  'panel-form-set': 'Panel escalation form updated',
  'timetable-shifted': 'Timetable shifted',
  'timetable-moved': 'Dates moved',
  'mail-held-back': 'Mail held back',
  'mail-recipients-deferred': 'Recipients held back',
  'raw-messages-purged': 'Stored messages purged (retention policy)',
};

/** What a reply said, as the case read it ("Ben Taylor replied: …"). */
export const ANSWER_WORDS: Record<ReplyClass, string> = {
  resolved: 'said it is done',
  promise: 'promised it',
  acknowledged: 'acknowledged it, without a date',
  disputed: 'disputed it',
  redirected: 'said someone else now holds it',
  'secure-message': 'sent it through a secure-mail service',
  other: 'replied, but it was not done',
};

/** Stored messages by what they are: the inbound route, or the outbound mail's kind. */
const MESSAGE_WORDS: Record<string, string> = {
  // Received.
  'new-case': 'The request',
  reply: 'Reply',
  command: 'Instructions by email',
  'staff-message': 'Message from staff',
  automatic: 'Automatic reply',
  bounce: 'Delivery failure report',
  ignored: 'Message set aside',
  quarantined: 'Message set aside',
  flagged: 'Message from someone not on the case',
  rejected: 'Message refused',
  'confirm-commands': 'Instructions waiting for the sender’s confirmation',
  'confirm-token': 'Sender’s confirmation',
  'reply-notice': 'Reply passed on',
  'not-read': 'Message not read (over a limit)',
  // Sent.
  confirmation: 'Confirmation of the request',
  chaser: 'Chaser',
  'step-notice': 'Notice: step sent',
  'kept-informed': 'Copy for information',
  'kept-informed-case': 'Note to someone kept informed',
  'out-of-hours': 'Sent out of hours to the duty team',
  'approval-request': 'Approval asked for',
  'approval-reminder': 'Approval reminder',
  'contact-request': 'Address asked for',
  'command-ack': 'Answer to instructions',
  'command-error': 'Instructions not understood',
  'reply-notice-out': 'Notice: a reply',
  'resolved-notice': 'Notice: resolved',
  'confirm-request': 'Confirmation asked for',
  'bounce-notice': 'Notice: delivery failure',
  'delivery-failure': 'Notice: mail not sent',
  'sender-confirm': 'Sender asked to confirm',
  'fold-summary': 'Summary of notices',
  'chaser-bundle': 'Chasers sent together',
};

export function messageWords(direction: 'in' | 'out', label: string): string {
  const key = direction === 'out' && label === 'reply-notice' ? 'reply-notice-out' : label;
  return MESSAGE_WORDS[key] ?? label.replace(/-/g, ' ');
}

/**
 * The service's own mails to the people running the case (notices, answers to instructions,
 * approval requests): one line each in the chronology, their full text kept in the stored message
 * (its SHA-256 is given). The chasers, the copies and what people sent are printed in full.
 */
const PRINTED_IN_FULL: ReadonlySet<string> = new Set(['chaser', 'kept-informed', 'kept-informed-case', 'out-of-hours', 'chaser-bundle']);

export function printedInFull(direction: 'in' | 'out', label: string): boolean {
  return direction === 'in' || PRINTED_IN_FULL.has(label);
}
