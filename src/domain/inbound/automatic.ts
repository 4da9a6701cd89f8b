import { findEnGbDate } from './en-gb-dates.js';
import { header, type InboundMail } from './inbound-mail.js';
import { stripGatewayTags } from './subject-tags.js';
import { normaliseAddress } from '../address.js';

export interface AutomaticVerdict {
  kind: 'none' | 'auto-reply' | 'bounce' | 'bulk';
  reason?: string;
  /** An out-of-office's stated return date (YYYY-MM-DD). */
  returnDate?: string;
}

export interface BounceRecipient {
  address: string;
  /** RFC 3463 status, e.g. 5.1.1. */
  status?: string;
  /** failed | delayed | delivered | relayed | expanded */
  action?: string;
  diagnostic?: string;
  /** The address will not work (a 5.x.x status or a failed action without status), as opposed to a delay. */
  permanent: boolean;
}

/**
 * Out-of-office subjects, read from the subject as it came (only gateway tags such as
 * "[EXTERNAL]" taken off), never after stripping "Re:": a person's reply on a thread titled
 * "Annual leave: cover plan" or "Out of office hours contact plan" carries that title, and is no
 * auto-reply. Two shapes count:
 * - the marker an auto-responder puts first, with its colon, in English and the few other
 *   languages Exchange tenants send us ("Automatic reply: RE: …", "Out of Office: …", "Autosvar: …");
 * - a whole subject that is a leave notice ("Out of the office", "Out of office until 4 January",
 *   "I am currently away", "Annual leave - back 7 December"): the words must be followed by nothing
 *   or by a return (until, back, returning…), so "Out of office hours contact plan" is not one.
 */
const OOO_SUBJECT_PREFIX =
  /^(?:automatic reply|auto(?:matic)?[- ]?(?:reply|response|respond|responder)|autoreply|autorespon(?:se|der)|out of (?:the )?office(?: auto[- ]?reply)?|ooo|abwesenheitsnotiz|automatische antwort|réponse automatique|respuesta automática|risposta automatica|autosvar|automatisch antwoord|fraværsmelding|frånvaromeddelande)\s*[:：]/i;
const OOO_SUBJECT_WHOLE =
  /^(?:(?:i am|i'm) (?:currently |now )?)?(?:out of (?:the )?office|ooo|away(?: from (?:the |my )?(?:office|desk))?|(?:on )?(?:annual |study |parental |maternity |paternity )?leave|off work)(?:\s*[-–—:,]?\s*(?:until|till|untill|back|returning|return|from|away|out)\b.*|\s*[.!]?)$/i;

function isOutOfOfficeSubject(subject: string): boolean {
  const s = stripGatewayTags(subject);
  return OOO_SUBJECT_PREFIX.test(s) || OOO_SUBJECT_WHOLE.test(s);
}

/** Subjects of delivery failures from servers that do not send a proper DSN. */
const BOUNCE_SUBJECT =
  /undeliver|delivery (?:status|failure|has failed|failed|notification)|returned mail|failure notice|mail delivery (?:failed|subsystem)|non[- ]?delivery|message not delivered|could not be delivered/i;

/** The text Outlook puts in a recall request. */
const RECALL_BODY = /\bwould like to recall the message\b|\bmöchte die nachricht\b[^.]{0,40}\bzurückrufen\b/i;
/** The text of a read receipt sent as an ordinary message. */
const READ_RECEIPT_BODY = /\b(?:your message|the message)\b[\s\S]{0,300}\bwas (?:read|deleted without being read) on\b/i;

/** RFC 3834 and the markers real systems add. Automatic mail never changes a case and is never answered. */
export function detectAutomatic(mail: InboundMail, timezone: string): AutomaticVerdict {
  const contentType = mail.contentType.toLowerCase();
  const from = mail.from?.address ?? '';
  const fromLocal = from.split('@')[0] ?? '';
  if (contentType.includes('multipart/report') && /report-type\s*=\s*"?(?:global-)?delivery-status/.test(contentType)) {
    return { kind: 'bounce', reason: 'multipart/report delivery-status' };
  }
  if (mail.deliveryStatus && mail.deliveryStatus.length > 0) return { kind: 'bounce', reason: 'delivery-status part' };
  if (header(mail, 'x-failed-recipients')) return { kind: 'bounce', reason: 'X-Failed-Recipients' };
  if (/^(?:mailer-daemon|postmaster|mail-daemon|mailerdaemon)$/i.test(fromLocal) && BOUNCE_SUBJECT.test(mail.subject)) {
    return { kind: 'bounce', reason: `from ${fromLocal.toLowerCase()}` };
  }
  if (contentType.includes('multipart/report') && /report-type\s*=\s*"?disposition-notification/.test(contentType)) {
    return { kind: 'auto-reply', reason: 'read receipt (multipart/report disposition-notification)' };
  }
  // Outlook's message recall: the sender asks to withdraw an earlier message. It changes nothing
  // on the case (the earlier message was read already) and is recorded silently.
  if (
    /urn:content-classes:recall/i.test(header(mail, 'content-class') ?? '') ||
    (/^recall\s*:/i.test(mail.subject) && RECALL_BODY.test(mail.text.slice(0, 2000)))
  ) {
    return { kind: 'auto-reply', reason: 'Outlook message recall' };
  }
  // Read receipts from clients that send no multipart/report ("Read: …" / "Your message … was read on …").
  if (/^(?:read|not read|gelesen|lu|letto)\s*:/i.test(mail.subject) && READ_RECEIPT_BODY.test(mail.text.slice(0, 2000))) {
    return { kind: 'auto-reply', reason: 'read receipt (Read: subject)' };
  }
  const contentClass = header(mail, 'content-class') ?? '';
  if (/urn:content-classes:(?:mdn|dsn)/i.test(contentClass)) {
    return { kind: 'auto-reply', reason: `Content-Class: ${contentClass.slice(0, 40)}` };
  }
  const autoSubmitted = header(mail, 'auto-submitted');
  const precedence = header(mail, 'precedence')?.toLowerCase().trim();
  const withReturn = (v: AutomaticVerdict): AutomaticVerdict => {
    const d = returnDateOf(mail.text, mail.date, timezone);
    return d ? { ...v, returnDate: d } : v;
  };
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- split() always returns at least one piece
  if (autoSubmitted && autoSubmitted.toLowerCase().split(';')[0]!.trim() !== 'no') {
    return withReturn({ kind: 'auto-reply', reason: `Auto-Submitted: ${autoSubmitted.slice(0, 40)}` });
  }
  if (
    header(mail, 'x-autoreply') ||
    header(mail, 'x-autorespond') ||
    header(mail, 'x-autoresponder') ||
    header(mail, 'x-auto-reply-from') ||
    precedence === 'auto_reply'
  ) {
    return withReturn({ kind: 'auto-reply', reason: 'auto-reply header' });
  }
  if (/^(?:all|oof|autoreply)\b/i.test(header(mail, 'x-auto-response-suppress') ?? '') && header(mail, 'x-ms-exchange-inbox-rules-loop')) {
    return withReturn({ kind: 'auto-reply', reason: 'Exchange inbox rule reply (X-Auto-Response-Suppress with X-MS-Exchange-Inbox-Rules-Loop)' });
  }
  if (/^(?:reply|autoreply|auto-reply)$/i.test(header(mail, 'x-autogenerated') ?? '')) {
    return withReturn({ kind: 'auto-reply', reason: 'X-Autogenerated: Reply' });
  }
  if (isOutOfOfficeSubject(mail.subject)) return withReturn({ kind: 'auto-reply', reason: 'out-of-office subject' });
  if (precedence && ['bulk', 'junk', 'list'].includes(precedence)) return { kind: 'bulk', reason: `Precedence: ${precedence}` };
  if (header(mail, 'list-id') || header(mail, 'list-unsubscribe') || header(mail, 'list-post'))
    return { kind: 'bulk', reason: 'mailing list (List-* headers)' };
  return { kind: 'none' };
}

/**
 * The return date an out-of-office states: "back on Monday 7 December", "returning to the
 * office on 08/12/2026", "I will return on …", "in the office again on …", or failing those
 * "out of the office until …". Relative to the message's date.
 */
export function returnDateOf(text: string, messageDate: Date, timezone: string): string | undefined {
  const body = text.slice(0, 5000).replace(/\s+/g, ' ');
  const patterns = [
    /\b(?:return(?:ing|s)?|back (?:in|at|on|from|to work|to the office|to (?:my|the) desk)|in the office (?:again|from|on)|available (?:again|from|on))\b[^.!?]{0,80}/gi,
    /\b(?:until|till|untill)\b[^.!?]{0,60}/gi,
  ];
  for (const pattern of patterns) {
    for (const m of body.matchAll(pattern)) {
      const d = findEnGbDate(m[0], messageDate, timezone);
      if (d) return d.date;
    }
  }
  return undefined;
}

/**
 * Recipients of a bounce, from its delivery-status fields (or, from servers that send no DSN,
 * the X-Failed-Recipients header).
 */
export function bounceRecipients(mail: InboundMail): BounceRecipient[] {
  const out: BounceRecipient[] = [];
  for (const fields of mail.deliveryStatus ?? []) {
    const rcpt = fields['final-recipient'] ?? fields['original-recipient'];
    if (!rcpt) continue;
    const address = rcpt
      .replace(/^[a-z0-9-]+\s*;\s*/i, '')
      .replace(/[<>]/g, '')
      .trim();
    const normal = normaliseAddress(address);
    if (!normal) continue;
    if (out.some((o) => o.address === normal)) continue;
    const status = fields.status?.trim().split(/\s+/)[0];
    const action = fields.action?.trim().toLowerCase();
    out.push({
      address: normal,
      ...(status ? { status } : {}),
      ...(action ? { action } : {}),
      ...(fields['diagnostic-code'] ? { diagnostic: fields['diagnostic-code'].trim().slice(0, 300) } : {}),
      permanent: status ? status.startsWith('5') : action === 'failed',
    });
  }
  if (out.length === 0) {
    for (const value of mail.headers['x-failed-recipients'] ?? []) {
      for (const a of value.split(/[,\s]+/)) {
        const address = a.replace(/[<>]/g, '').trim().toLowerCase();
        if (address.includes('@') && !out.some((o) => o.address === address)) out.push({ address, action: 'failed', permanent: true });
      }
    }
  }
  return out;
}
