import type { MailKind } from '../../domain/case/mail-intents.js';

/**
 * The kinds of mail a case sends, in the order a case usually meets them. Kinds added later get a
 * generic sample (see `GENERIC_DATA` in sample-case.ts); the template tests also render every `mails/<kind>` folder.
 */
export const MAIL_KINDS: readonly MailKind[] = [
  'confirmation',
  'chaser',
  'step-notice',
  'kept-informed',
  'kept-informed-case',
  'approval-request',
  'approval-reminder',
  'contact-request',
  'command-ack',
  'command-error',
  'reply-notice',
  'resolved-notice',
  'confirm-request',
  'confirmation-ended',
  'bounce-notice',
  'out-of-hours',
];
