import { findEnGbDate } from './en-gb-dates.js';
import { header, type InboundMail } from './inbound-mail.js';

export interface AutomaticVerdict {
  kind: 'none' | 'auto-reply' | 'bounce' | 'bulk';
  reason?: string;
  /** An out-of-office's stated return date. */
  returnDate?: string;
}

const OOO_SUBJECT =
  /^(?:(?:re|aw|fw|fwd)\s*:\s*)*(?:automatic reply|auto(?:matic)?[- ]?(?:reply|response)|autoreply|out of (?:the )?office|ooo\b|abwesenheitsnotiz|réponse automatique|respuesta automática|risposta automatica|away from (?:the )?office|on leave|annual leave)/i;

/** RFC 3834 and the markers real systems add. Automatic mail never changes a case and is never answered. */
export function detectAutomatic(mail: InboundMail, timezone: string): AutomaticVerdict {
  const contentType = mail.contentType.toLowerCase();
  const from = mail.from?.address ?? '';
  if (/multipart\/report/.test(contentType) && /report-type\s*=\s*"?delivery-status/.test(contentType)) {
    return { kind: 'bounce', reason: 'multipart/report delivery-status' };
  }
  if (mail.deliveryStatus && mail.deliveryStatus.length > 0) return { kind: 'bounce', reason: 'delivery-status part' };
  if (/^(mailer-daemon|postmaster)@/i.test(from) && /undeliver|delivery (status|failure)|returned mail|failure notice/i.test(mail.subject)) {
    return { kind: 'bounce', reason: `from ${from.split('@')[0]}` };
  }
  const autoSubmitted = header(mail, 'auto-submitted');
  const precedence = header(mail, 'precedence')?.toLowerCase().trim();
  const returnDate = () => {
    const m = /(?:return|back|returning)[^.]*?(?:on|from|by)?\s+([^.\n]+)/i.exec(mail.text);
    const d = m ? findEnGbDate(m[0], mail.date, timezone) : undefined;
    return d ? { returnDate: d.date } : {};
  };
  if (autoSubmitted && autoSubmitted.toLowerCase().split(';')[0]!.trim() !== 'no') {
    return { kind: 'auto-reply', reason: `Auto-Submitted: ${autoSubmitted.slice(0, 40)}`, ...returnDate() };
  }
  if (header(mail, 'x-autoreply') || header(mail, 'x-autorespond') || precedence === 'auto_reply') {
    return { kind: 'auto-reply', reason: 'auto-reply header', ...returnDate() };
  }
  if (/^all$/i.test(header(mail, 'x-auto-response-suppress') ?? '') && header(mail, 'x-ms-exchange-inbox-rules-loop')) {
    return { kind: 'auto-reply', reason: 'Exchange inbox rule reply', ...returnDate() };
  }
  if (OOO_SUBJECT.test(mail.subject)) return { kind: 'auto-reply', reason: 'out-of-office subject', ...returnDate() };
  if (precedence && ['bulk', 'junk', 'list'].includes(precedence)) return { kind: 'bulk', reason: `Precedence: ${precedence}` };
  if (header(mail, 'list-id') || header(mail, 'list-unsubscribe')) return { kind: 'bulk', reason: 'mailing list' };
  return { kind: 'none' };
}

/** Failed recipients of a bounce, from its delivery-status fields. */
export function bounceRecipients(mail: InboundMail): Array<{ address: string; status?: string; action?: string; diagnostic?: string }> {
  const out: Array<{ address: string; status?: string; action?: string; diagnostic?: string }> = [];
  for (const fields of mail.deliveryStatus ?? []) {
    const rcpt = fields['final-recipient'] ?? fields['original-recipient'];
    if (!rcpt) continue;
    const address = rcpt.replace(/^rfc822\s*;\s*/i, '').replace(/[<>]/g, '').trim().toLowerCase();
    if (!address.includes('@')) continue;
    out.push({
      address,
      ...(fields.status ? { status: fields.status.trim() } : {}),
      ...(fields.action ? { action: fields.action.trim().toLowerCase() } : {}),
      ...(fields['diagnostic-code'] ? { diagnostic: fields['diagnostic-code'].trim().slice(0, 300) } : {}),
    });
  }
  return out;
}
