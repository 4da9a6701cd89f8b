import { addressKey } from '../address.js';

/** An address as written in a header, normalised by `normaliseAddress` (domain IDNA/ASCII lower case, local part as written but for ASCII case). */
export interface Address {
  address: string;
  name?: string;
}

/**
 * One received message, normalised from the MIME parser into plain data so every rule about
 * it is a pure function (and `escalator mail inspect` runs exactly the same code).
 */
export interface InboundMail {
  /** With angle brackets, as in headers. Synthesised from the content hash when missing. */
  messageId: string;
  inReplyTo?: string;
  references: string[];
  from?: Address;
  /** More than one address in From (RFC 5322 allows it with a Sender): such a message is never a command source. */
  fromCount?: number;
  /** The Sender header, when it differs from From (e.g. a delegate or list). */
  sender?: Address;
  replyTo: Address[];
  to: Address[];
  cc: Address[];
  /** Envelope recipients we know of: SMTP RCPT TO, Delivered-To, X-Original-To. */
  deliveredTo: string[];
  subject: string;
  /** A valid Date header, or the IMAP internal date when the header is missing or invalid. */
  date: Date;
  dateFromHeader: boolean;
  /** Lower-case header name → every value, unfolded. */
  headers: Record<string, string[]>;
  /** The text part, or text derived from the HTML part. The full body: nothing stripped. */
  text: string;
  html?: string;
  /** The message has no text/plain part: `text` was made from the HTML. */
  textFromHtml?: boolean;
  contentType: string;
  attachments: { filename?: string; contentType: string; size: number }[];
  /** Delivery-status (RFC 3464) fields of a bounce, per recipient. */
  deliveryStatus?: Record<string, string>[];
  /** Headers of the returned message in a bounce (message/rfc822 or text/rfc822-headers). */
  returnedHeaders?: { messageId?: string; inReplyTo?: string; references: string[]; subject?: string };
  /** Things the parser could not make sense of; a message with any gets no state change. */
  parseProblems: string[];
  /** Things that were odd but did not stop the message being read (e.g. a Date header replaced). */
  parseWarnings?: string[];
}

export function header(mail: Pick<InboundMail, 'headers'>, name: string): string | undefined {
  return mail.headers[name.toLowerCase()]?.[0];
}

export function allAddresses(mail: Pick<InboundMail, 'to' | 'cc' | 'deliveredTo'>): string[] {
  return [...mail.to.map((a) => a.address), ...mail.cc.map((a) => a.address), ...mail.deliveredTo].map(addressKey);
}

/** TNEF ("winmail.dat", application/ms-tnef): Outlook's rich-text wrapper, kept as an attachment. */
export function isTnef(attachment: { filename?: string; contentType: string }): boolean {
  return /^application\/(?:vnd\.)?ms-tnef$/i.test(attachment.contentType) || /^winmail\.dat$/i.test(attachment.filename ?? '');
}
