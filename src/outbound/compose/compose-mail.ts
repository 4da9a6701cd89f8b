import MailComposer from 'nodemailer/lib/mail-composer';
import type { Contact } from '../../domain/case/case-state.js';
import type { RenderedMail } from '../render/render-mail.js';
import { addressKey } from '../../domain/address.js';

export interface ComposeInput {
  from: Contact;
  to: Contact[];
  cc: Contact[];
  bcc?: Contact[];
  replyTo?: string;
  messageId: string;
  date: Date;
  inReplyTo?: string;
  references?: string[];
  threadTopic?: string;
  threadIndex?: string;
  caseRef?: string;
  rendered: RenderedMail;
  attachments?: { filename: string; content: Buffer | string; contentType: string }[];
}

export interface ComposedMail {
  raw: Buffer;
  messageId: string;
  envelope: { from: string; to: string[] };
}

const address = (c: Contact) => (c.name ? { name: c.name, address: c.email } : c.email);

/**
 * Builds the RFC 5322 message once. It is stored on the outbox row and sent byte for byte,
 * with an explicit envelope (so a Bcc reaches its recipient without appearing in the headers).
 */
export async function composeMail(input: ComposeInput): Promise<ComposedMail> {
  const headers: Record<string, string> = {
    // RFC 3834: we are an automatic sender; well-behaved auto-responders will not answer us.
    'Auto-Submitted': 'auto-generated',
    // Exchange: do not send out-of-office or other automatic replies to this mail.
    'X-Auto-Response-Suppress': 'OOF, AutoReply',
  };
  if (input.threadTopic) headers['Thread-Topic'] = input.threadTopic;
  if (input.threadIndex) headers['Thread-Index'] = input.threadIndex;
  if (input.caseRef) headers['X-Escalator-Case'] = input.caseRef;
  const composer = new MailComposer({
    from: address(input.from),
    to: input.to.map(address),
    cc: input.cc.map(address),
    bcc: (input.bcc ?? []).map(address),
    ...(input.replyTo ? { replyTo: input.replyTo } : {}),
    subject: input.rendered.subject,
    text: input.rendered.text,
    html: input.rendered.html,
    messageId: input.messageId,
    date: input.date,
    ...(input.inReplyTo ? { inReplyTo: input.inReplyTo } : {}),
    ...(input.references?.length ? { references: input.references } : {}),
    headers,
    attachments: input.attachments ?? [],
    textEncoding: 'quoted-printable',
  });
  // Canonical CRLF line endings, so the stored bytes are exactly what the SMTP server receives
  // (and what an approved draft sends). MIME output is 7-bit, so latin1 round-trips it.
  const built = await composer.compile().build();
  const raw = Buffer.from(built.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
  const envelope = {
    from: input.from.email,
    to: [...new Set([...input.to, ...input.cc, ...(input.bcc ?? [])].map((c) => addressKey(c.email)))],
  };
  return { raw, messageId: input.messageId, envelope };
}
