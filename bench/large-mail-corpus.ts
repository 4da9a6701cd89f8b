/**
 * The large-mail scenario's messages: ~24 MB requests (a scanned care plan as a base64 PDF, under
 * the 25 MB limit), from staff (tagged: a case opens) and from a stranger (a reply from an address
 * nobody knows), and the small tagged requests of the normal traffic around them.
 */
import { INBOX, RM } from './corpus.js';

/** A stranger: not staff, not in the directory, not on any case. */
export const STRANGER = 'j.bloggs@freemail.example';

/** A ~24 MB message: from staff a tagged request, from the stranger an untagged message with the same attachment. */
export function largeMessage(i: number, date: Date, from: 'staff' | 'stranger'): Buffer {
  const b = `b-large-${i}`;
  const data = Buffer.alloc(17 * 1024 * 1024, 0x25 + i)
    .toString('base64')
    .replace(/.{76}/g, '$&\r\n');
  const head =
    from === 'staff'
      ? [`From: Alex Morgan <${RM.email}>`, 'To: Sam Patel <sam.patel@northshire.gov.uk>', `Cc: ${INBOX}`, `Subject: Care plan ${i}, scanned [escalate]`]
      : [`From: Joe Bloggs <${STRANGER}>`, `To: ${INBOX}`, `Subject: Scanned documents ${i}`];
  return Buffer.from(
    [
      ...head,
      `Message-ID: <bench-large-${i}@${from === 'staff' ? 'sunrise-homes.org.uk' : 'freemail.example'}>`,
      `Date: ${date.toUTCString().replace('GMT', '+0000')}`,
      'MIME-Version: 1.0',
      `Content-Type: multipart/mixed; boundary="${b}"`,
      '',
      `--${b}`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      from === 'staff' ? `Child: LM-${1000 + i}` : 'Please see the attached.',
      '',
      from === 'staff' ? 'The scanned care plan is attached.' : 'Regards, Joe',
      `--${b}`,
      'Content-Type: application/pdf; name="care-plan.pdf"',
      'Content-Disposition: attachment; filename="care-plan.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      data,
      `--${b}--`,
      '',
    ].join('\r\n'),
  );
}

/** Large message i comes from staff when i is even, from the stranger when odd. */
export const largeFrom = (i: number): 'staff' | 'stranger' => (i % 2 === 0 ? 'staff' : 'stranger');

export function smallRequest(i: number, date: Date): { raw: string; messageId: string } {
  const messageId = `<bench-small-${i}@sunrise-homes.org.uk>`;
  return {
    messageId,
    raw: [
      `From: Alex Morgan <${RM.email}>`,
      'To: Sam Patel <sam.patel@northshire.gov.uk>',
      `Cc: ${INBOX}`,
      `Subject: Minutes ${i} [escalate]`,
      `Message-ID: ${messageId}`,
      `Date: ${date.toUTCString().replace('GMT', '+0000')}`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      `Child: SM-${1000 + i}`,
      '',
    ].join('\r\n'),
  };
}
