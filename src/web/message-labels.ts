/**
 * Words for what the service took a message for, on the case page. The stored values (route
 * names, mail kinds, reply classes) stay as they are in the evidence pack and the database; a
 * value not listed here is shown as stored, so a new one is never hidden.
 */

/** Inbound: the route the message took (message.route). */
const ROUTE_TEXT: Record<string, string> = {
  'new-case': 'The request that opened the case',
  reply: 'A reply from someone chased',
  'reply-notice': 'A reply, passed to the RM; it changed nothing by itself',
  command: 'Commands',
  'confirm-commands': 'Commands waiting for their sender to confirm them',
  'confirm-token': 'A confirmation code',
  'staff-message': 'A message from staff',
  automatic: 'Automatic mail',
  bounce: 'A bounce',
  flagged: 'From someone not on the case',
  ignored: 'Ignored',
  quarantined: 'Quarantined',
  rejected: 'Rejected',
  'not-read': 'Not read (over a limit)',
};

/** Outbound: the kind of mail (outbox_mail.kind). */
const KIND_TEXT: Record<string, string> = {
  confirmation: 'Confirmation that the case is open',
  chaser: 'Chaser',
  'chaser-bundle': 'Chasers sent as one mail',
  'step-notice': 'Notice of a step taken',
  'kept-informed': 'Keeping someone informed',
  'kept-informed-case': 'Keeping someone informed (opened or ended)',
  'out-of-hours': 'Sent out of hours to the duty team',
  'approval-request': 'Draft sent for approval',
  'approval-reminder': 'Approval reminder',
  'contact-request': 'Request for an address',
  'command-ack': 'Answer to commands',
  'command-error': 'Commands not understood',
  'reply-notice': 'Reply passed to the RM',
  'resolved-notice': 'Resolved notice',
  'confirm-request': 'Is it done? Asked of the RM',
  'bounce-notice': 'Bounce notice',
  'delivery-failure': 'Mail that could not be delivered, told to the RM',
  'sender-confirm': 'Asking the sender to confirm it was them',
  'fold-summary': 'Summary of messages folded together',
  'weekly-digest': 'Weekly digest',
  'notice-summary': 'Notices of the hour, as one mail',
  'stranger-summary': 'Messages from people not on a case',
  'request-refused': 'Request refused',
  'not-read': 'Message not read (over a limit)',
};

/** A reply's class (domain/case/reply-class.ts), in the RM's words. */
const CLASS_TEXT: Record<string, string> = {
  resolved: 'Done: it is here or has been sent',
  promise: 'A promise of a date',
  acknowledged: 'Acknowledged, not done',
  disputed: 'Disputed: not owed, or not theirs to do',
  redirected: 'Someone else now holds it',
  'secure-message': 'Behind a secure-mail link',
  other: 'Other: for you to read',
};

export function messageKindText(direction: 'in' | 'out', label: string): string {
  return (direction === 'in' ? ROUTE_TEXT[label] : KIND_TEXT[label]) ?? label;
}

export function replyClassText(cls: string): string {
  return CLASS_TEXT[cls] ?? cls;
}
