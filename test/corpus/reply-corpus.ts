import { readdirSync, readFileSync } from 'node:fs';
import { DateTime } from 'luxon';
import MailComposer from 'nodemailer/lib/mail-composer';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/** The labels a careful Registered Manager gives a reply (issue 14's reply classes). */
export const CORPUS_LABELS = ['resolved', 'promise', 'acknowledged', 'disputed', 'redirected', 'secure-message', 'other'] as const;
export type CorpusLabel = (typeof CORPUS_LABELS)[number];

export const CORPUS_DIR = new URL('./replies/', import.meta.url);
/** The escalation inbox every corpus reply is addressed to. */
export const CORPUS_INBOX = 'escalations@sunrise-homes.org.uk';
export const CORPUS_TIMEZONE = 'Europe/London';

const localDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a local date, YYYY-MM-DD');
const instant = z.string().refine((s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s)), {
  error: 'an ISO instant with its offset, e.g. 2026-12-01T10:02:00Z',
});

const attachmentSchema = z.strictObject({
  filename: z.string().min(1),
  contentType: z.string().regex(/^[\w.+-]+\/[\w.+-]+$/, 'a MIME type'),
  size: z
    .number()
    .int()
    .positive()
    .max(20 * 1024 * 1024),
});

export const corpusEntrySchema = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
    label: z.enum(CORPUS_LABELS),
    soundsDone: z.boolean(),
    category: z.string().min(1),
    receivedAt: instant,
    promiseDate: localDate.optional(),
    subject: z.string().min(1),
    from: z.string().regex(/^[^<>]+ <[^<>\s]+@[^<>\s]+>$/, '"Name <address>"'),
    html: z.boolean(),
    attachments: z.array(attachmentSchema),
    body: z.string().min(1),
    note: z.string().optional(),
  })
  .superRefine((e, ctx) => {
    if (e.label === 'promise' && !e.promiseDate) ctx.addIssue({ code: 'custom', message: 'a promise needs its promiseDate', path: ['promiseDate'] });
    if (e.label !== 'promise' && e.promiseDate) ctx.addIssue({ code: 'custom', message: 'only a promise has a promiseDate', path: ['promiseDate'] });
    if (e.soundsDone && e.label === 'resolved')
      ctx.addIssue({ code: 'custom', message: 'soundsDone marks replies that are NOT resolved', path: ['soundsDone'] });
    if (e.promiseDate) {
      const received = DateTime.fromISO(e.receivedAt, { zone: CORPUS_TIMEZONE }).toISODate()!;
      // A promise dated before the day it was written is an acknowledgement, not a promise.
      if (e.promiseDate < received)
        ctx.addIssue({ code: 'custom', message: `promiseDate ${e.promiseDate} is before the local day received (${received})`, path: ['promiseDate'] });
    }
  });

export type CorpusEntry = z.infer<typeof corpusEntrySchema>;
export interface LoadedEntry extends CorpusEntry {
  /** The YAML file it came from (for messages). */
  file: string;
}

/** Every entry of every `*.yaml` file in the corpus directory, validated; throws naming the file, entry and field. */
export function loadCorpus(dir: URL = CORPUS_DIR): LoadedEntry[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort();
  const entries: LoadedEntry[] = [];
  for (const file of files) {
    const doc: unknown = parseYaml(readFileSync(new URL(file, dir), 'utf8'));
    if (!Array.isArray(doc)) throw new Error(`${file}: expected a list of replies`);
    doc.forEach((raw: unknown, i) => {
      const parsed = corpusEntrySchema.safeParse(raw);
      if (!parsed.success) {
        const id: unknown = typeof raw === 'object' && raw !== null && 'id' in raw ? raw.id : undefined;
        const issues = parsed.error.issues.map((x) => `${x.path.join('.') || '(entry)'}: ${x.message}`).join('; ');
        throw new Error(`${file} entry ${i + 1}${typeof id === 'string' ? ` (${id})` : ''}: ${issues}`);
      }
      entries.push({ ...parsed.data, file });
    });
  }
  return entries;
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Where a quoted or forwarded message starts, and in which client's style it is rendered. */
function quoteStart(lines: string[]): { index: number; style: 'outlook' | 'gmail' | 'blockquote' } | undefined {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    const next = lines
      .slice(i + 1, i + 4)
      .map((l) => l.trim())
      .join('\n');
    if (/^(?:-{2,}\s*(?:Original Message|Forwarded message)\s*-{2,}|_{10,})$/i.test(line)) return { index: i, style: 'outlook' };
    if (/^(?:From|Von|Da|De|Van)\s?:/.test(line) && /^(?:Sent|Date|Gesendet|Inviato|Envoyé|Verzonden)\s?:/m.test(next)) return { index: i, style: 'outlook' };
    if (/^On .+/.test(line) && `${line} ${lines[i + 1]?.trim() ?? ''}`.endsWith('wrote:') && !line.startsWith('>')) return { index: i, style: 'gmail' };
    if (/^\d{4}-\d{2}-\d{2} \d{1,2}:\d{2} GMT[+-]\d{2}:\d{2} .+:$/.test(line)) return { index: i, style: 'gmail' };
    if (line.startsWith('>')) return { index: i, style: 'blockquote' };
  }
  return undefined;
}

function divs(lines: string[]): string {
  return lines.map((l) => (l.trim() ? `<div>${escapeHtml(l)}</div>` : '<div><br></div>')).join('\n');
}

function unquote(lines: string[]): string[] {
  return lines.map((l) => l.replace(/^> ?/, ''));
}

/**
 * The body as simple HTML, the way webmail sends it: the sender's lines as `<div>`s, then the
 * quoted message in its client's markup (Outlook's `divRplyFwdMsg` header block after a rule,
 * Gmail's `gmail_quote` blockquote). Inline `>` lines become a blockquote.
 */
export function renderHtml(body: string): string {
  const lines = body.replace(/\r\n?/g, '\n').split('\n');
  const q = quoteStart(lines);
  const open = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body dir="ltr">';
  const close = '</body></html>';
  if (!q) return `${open}\n<div style="font-family: Calibri, Arial, Helvetica, sans-serif; font-size: 12pt;">\n${divs(lines)}\n</div>\n${close}`;
  const own = divs(lines.slice(0, q.index));
  const rest = lines.slice(q.index);
  let quoted: string;
  if (q.style === 'outlook') {
    const headerEnd = rest.findIndex(
      (l, i) => i > 0 && l.trim() === '' && rest.slice(0, i).some((h) => /^(?:Subject|Betreff|Oggetto|Objet|Onderwerp)\s?:/.test(h.trim())),
    );
    const cut = headerEnd === -1 ? Math.min(rest.length, 6) : headerEnd;
    const head = rest.slice(0, cut).filter((l) => !/^(?:_{10,}|-{2,}\s*Original Message\s*-{2,})$/i.test(l.trim()));
    const headHtml = head
      .map((l) => {
        const m = /^([^:]{1,20}:)(.*)$/.exec(l.trim());
        return m ? `<b>${escapeHtml(m[1]!)}</b>${escapeHtml(m[2]!)}` : escapeHtml(l.trim());
      })
      .join('<br>\n');
    quoted =
      `<hr style="display:inline-block;width:98%" tabindex="-1">\n<div id="divRplyFwdMsg" dir="ltr"><font face="Calibri, sans-serif" style="font-size:11pt" color="#000000">${headHtml}</font>\n<div>&nbsp;</div>\n</div>\n` +
      `<div>\n${divs(unquote(rest.slice(cut)))}\n</div>`;
  } else if (q.style === 'gmail') {
    const attrLines = /wrote:$|:$/.test(rest[0]!.trim()) ? 1 : 2;
    const attr = rest
      .slice(0, attrLines)
      .map((l) => l.trim())
      .join(' ');
    quoted =
      `<div class="gmail_quote"><div dir="ltr" class="gmail_attr">${escapeHtml(attr)}<br></div>\n` +
      `<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex">\n${divs(unquote(rest.slice(attrLines)))}\n</blockquote></div>`;
  } else {
    quoted = `<blockquote type="cite">\n${divs(unquote(rest))}\n</blockquote>`;
  }
  return `${open}\n<div style="font-family: Calibri, Arial, Helvetica, sans-serif; font-size: 12pt;">\n${own}\n</div>\n${quoted}\n${close}`;
}

/** Bytes that look like the named type (its magic number), padded to the given size. */
export function attachmentContent(att: { filename: string; contentType: string; size: number }): Buffer {
  const type = att.contentType.toLowerCase();
  const magic =
    type === 'application/pdf'
      ? Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n', 'latin1')
      : /officedocument|zip|opendocument/.test(type)
        ? Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00])
        : type === 'image/png'
          ? Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
          : type === 'image/jpeg'
            ? Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46])
            : type === 'application/msword'
              ? Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])
              : Buffer.alloc(0);
  const out = Buffer.alloc(att.size);
  // Seeded by the name's UTF-16 code units: any fixed function of the name will do.
  let seed = 7;
  for (let i = 0; i < att.filename.length; i++) seed = (seed * 31 + att.filename.charCodeAt(i)) >>> 0;
  for (let i = 0; i < out.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    out[i] = seed >>> 24;
  }
  magic.copy(out, 0, 0, Math.min(magic.length, out.length));
  return out;
}

/** `Name <addr>` as nodemailer's address object. */
function addressOf(from: string): { name: string; address: string } {
  const m = /^(.*?)\s*<([^<>]+)>$/.exec(from.trim());
  return { name: m?.[1]?.replace(/^"|"$/g, '') ?? '', address: m?.[2] ?? from.trim() };
}

/**
 * The entry as the raw MIME message its sender's client would have sent: a reply to the
 * escalation inbox, threaded onto our chaser, dated when it was received.
 */
export async function composeEntry(entry: CorpusEntry): Promise<Buffer> {
  const composer = new MailComposer({
    from: addressOf(entry.from),
    to: { name: 'Escalations (Sunrise Homes)', address: CORPUS_INBOX },
    subject: entry.subject,
    date: new Date(entry.receivedAt),
    messageId: `<${entry.id}@corpus.sunrise-homes.example>`,
    inReplyTo: `<chaser-${entry.id}@sunrise-homes.org.uk>`,
    references: [`<request-${entry.id}@sunrise-homes.org.uk>`, `<chaser-${entry.id}@sunrise-homes.org.uk>`],
    ...(entry.html ? { html: renderHtml(entry.body) } : { text: entry.body }),
    attachments: entry.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: attachmentContent(a) })),
    textEncoding: 'quoted-printable',
  });
  const built = await composer.compile().build();
  return Buffer.from(built.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
}
