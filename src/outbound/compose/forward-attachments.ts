import { simpleParser } from 'mailparser';

/** An attachment as a notice names it: its file name, type and decoded size in bytes. */
export interface AttachmentSummary {
  filename: string;
  contentType: string;
  size: number;
}

/** What composeMail attaches. */
export interface MailAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

export interface ForwardedAttachments {
  /** Attached to the mail, in the message's order, within the budget. */
  attach: MailAttachment[];
  forwarded: AttachmentSummary[];
  /** Over the budget: named (with their size) but not attached; `escalator mail attachments` fetches them. */
  listed: AttachmentSummary[];
}

/**
 * Takes items in order while they fit in `budgetBytes` together; one that does not fit is listed
 * and the next, smaller, may still go (a 30 MB video does not keep back the 200 kB minutes after it).
 */
export function withinBudget<T extends { size: number }>(items: readonly T[], budgetBytes: number): { forwarded: T[]; listed: T[] } {
  const forwarded: T[] = [];
  const listed: T[] = [];
  let used = 0;
  for (const item of items) {
    if (used + item.size <= budgetBytes) {
      forwarded.push(item);
      used += item.size;
    } else listed.push(item);
  }
  return { forwarded, listed };
}

/**
 * The attachments a person sent with a stored message, decoded: what they attached, not the images
 * an HTML body shows inline (a signature's logo) nor a delivery report's machine parts.
 */
export async function attachmentsOf(raw: Buffer): Promise<(MailAttachment & { size: number })[]> {
  const parsed = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true });
  return parsed.attachments
    .filter((a) => !a.related && !/delivery-status|rfc822-headers/i.test(a.contentType))
    .map((a, i) => ({
      filename: safeFilename(a.filename, i, a.contentType),
      contentType: a.contentType || 'application/octet-stream',
      content: a.content,
      size: a.content.length,
    }));
}

/**
 * A stored message's attachments for a mail of ours: attached within `budgetBytes` (together), the
 * rest named with their sizes. The one block every "forward what they sent" uses (the RM's reply
 * notice, the confirmers' request, a request's documents to someone new on the ladder).
 */
export async function forwardAttachments(raw: Buffer, budgetBytes: number): Promise<ForwardedAttachments> {
  const all = await attachmentsOf(raw);
  const { forwarded, listed } = withinBudget(all, budgetBytes);
  const summary = (a: MailAttachment & { size: number }): AttachmentSummary => ({ filename: a.filename, contentType: a.contentType, size: a.size });
  return {
    attach: forwarded.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content })),
    forwarded: forwarded.map(summary),
    listed: listed.map(summary),
  };
}

/**
 * A name safe to write to a directory and to put in a MIME header: no path, no control characters.
 * A part without a name gets one from its position and type.
 */
export function safeFilename(name: string | undefined, index: number, contentType: string): string {
  const base = (name ?? '')
    // The last path segment: everything up to the last slash or backslash goes.
    .replace(/^[\s\S]*[\\/]/, '')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '_')
    .replace(/^\.+/, '')
    .trim()
    .slice(0, 200);
  if (base) return base;
  const image = /^image\/(\w+)/i.exec(contentType)?.[1];
  const ext = /pdf/i.test(contentType) ? '.pdf' : image ? `.${image}` : '.bin';
  return `attachment-${index + 1}${ext}`;
}

/** "1.2 MB", "340 kB", "12 bytes": sizes as a notice gives them. */
export function sizeText(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} kB`;
  return `${bytes} bytes`;
}
