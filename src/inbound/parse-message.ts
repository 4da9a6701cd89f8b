import { createHash } from 'node:crypto';
import { simpleParser, type AddressObject, type Attachment, type ParsedMail } from 'mailparser';
import type { Address, InboundMail } from '../domain/inbound/inbound-mail.js';
import { parseMailDate } from '../domain/inbound/mail-date.js';
import { normaliseAddress } from '../domain/address.js';
import { describeThrown } from '../lib/error-message.js';

export interface ParseOptions {
  /** When the server received it (IMAP internal date, or SMTP arrival): the fallback Date. */
  receivedAt: Date;
  /**
   * The IMAP INTERNALDATE: stands in for a missing or invalid Date header (else `receivedAt`
   * does). `receivedAt` stays the reference for "is this Date in the future?".
   */
  internalDate?: Date;
  /** Recipients from the SMTP envelope, when we have them. */
  envelopeTo?: string[];
  /** HTML parts longer than this are not converted to text by mailparser. */
  maxHtmlLength: number;
  /** A Date header older than this many days before receipt is replaced by the received time (default 7). */
  maxDateAgeDays?: number;
}

export function sha256(raw: Buffer): string {
  return createHash('sha256').update(raw).digest('hex');
}

/** `<id>` with brackets, whitespace removed; undefined when nothing usable. */
export function normaliseMessageId(value: string | undefined | null): string | undefined {
  if (!value || typeof value !== 'string') return undefined;
  const m = /<([^<>\s]+)>/.exec(value);
  const id = (m ? m[1] : value.trim().split(/\s+/)[0])?.trim().replace(/^<|>$/g, '');
  return id && id.length <= 998 ? `<${id}>` : undefined;
}

/**
 * mailparser gives `references` as a string for one id and an array for several; some clients
 * write ids without brackets or separate them with commas. In order, once each.
 */
export function normaliseReferences(value: string | string[] | undefined | null): string[] {
  const list = Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
  const out: string[] = [];
  for (const v of list) {
    if (typeof v !== 'string') continue;
    const bracketed = v.match(/<[^<>\s]+>/g);
    const ids =
      bracketed ??
      v
        .split(/[\s,]+/)
        .filter((t) => t.includes('@'))
        .map((t) => `<${t.replace(/^<|>$/g, '')}>`);
    for (const id of ids) if (!out.includes(id)) out.push(id);
  }
  return out.slice(-200);
}

function addresses(value: AddressObject | AddressObject[] | undefined): Address[] {
  const list = Array.isArray(value) ? value : value ? [value] : [];
  const out: Address[] = [];
  const walk = (entries: AddressObject['value'], depth: number) => {
    for (const e of entries) {
      if (e.group && depth < 3) walk(e.group, depth + 1);
      else {
        const address = normaliseAddress(e.address);
        if (address) out.push({ address, ...(e.name ? { name: e.name } : {}) });
      }
    }
  };
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- mailparser's types are no promise about a hostile message; checked anyway
  for (const obj of list) if (obj && Array.isArray(obj.value)) walk(obj.value, 0);
  return out;
}

/** Header lines unfolded into a lower-case map of every value (raw, undecoded). */
function headerMap(parsed: ParsedMail): Record<string, string[]> {
  const map: Record<string, string[]> = {};
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- mailparser's types are no promise about a hostile message; checked anyway
  for (const { key, line } of parsed.headerLines ?? []) {
    const value = line
      .slice(line.indexOf(':') + 1)
      .replace(/\r?\n[ \t]+/g, ' ')
      .trim();
    (map[key.toLowerCase()] ??= []).push(value.slice(0, 64 * 1024));
  }
  return map;
}

/** RFC 3464 fields: one record per recipient block (the per-message block is merged into each). */
export function parseDeliveryStatus(text: string): Record<string, string>[] {
  const blocks = text
    .replace(/\r\n/g, '\n')
    .split(/\n\s*\n/)
    .filter((b) => b.trim());
  const parsedBlocks = blocks.map((block) => {
    const fields: Record<string, string> = {};
    let last = '';
    for (const line of block.split('\n')) {
      if (/^[ \t]/.test(line) && last) {
        fields[last] = `${fields[last] ?? ''} ${line.trim()}`;
        continue;
      }
      const i = line.indexOf(':');
      if (i <= 0) continue;
      last = line.slice(0, i).trim().toLowerCase();
      fields[last] = line.slice(i + 1).trim();
    }
    return fields;
  });
  const perRecipient = (b: Record<string, string>) => Boolean(b['final-recipient']) || Boolean(b['original-recipient']);
  const perMessage = parsedBlocks.find((b) => !perRecipient(b)) ?? {};
  return parsedBlocks.filter(perRecipient).map((b) => ({ ...perMessage, ...b }));
}

type ReturnedHeaders = NonNullable<InboundMail['returnedHeaders']>;

/** Message-ID, In-Reply-To, References and Subject from a block of header lines. */
function readReturnedHeaders(text: string): ReturnedHeaders | undefined {
  const unix = text.replace(/\r\n/g, '\n');
  const end = unix.indexOf('\n\n');
  const head = (end < 0 ? unix : unix.slice(0, end)).replace(/\n[ \t]+/g, ' ');
  const get = (name: string) => new RegExp(`^${name}:[ \\t]*(.*)$`, 'im').exec(head)?.[1]?.trim();
  const messageId = normaliseMessageId(get('Message-ID'));
  const inReplyTo = normaliseMessageId(get('In-Reply-To'));
  const subject = get('Subject');
  const references = normaliseReferences(get('References'));
  if (!messageId && !inReplyTo && references.length === 0 && !subject) return undefined;
  return {
    ...(messageId ? { messageId } : {}),
    ...(inReplyTo ? { inReplyTo } : {}),
    references,
    ...(subject ? { subject: subject.slice(0, 998) } : {}),
  };
}

const RETURNED_TYPES = /^(?:message\/rfc822|text\/rfc822-headers|message\/rfc822-headers|message\/global|message\/global-headers)$/i;

function returnedHeadersOf(attachments: Attachment[]): ReturnedHeaders | undefined {
  for (const part of attachments.filter((a) => RETURNED_TYPES.test(a.contentType))) {
    const found = readReturnedHeaders(part.content.subarray(0, 256 * 1024).toString('utf8'));
    if (found) return found;
  }
  return undefined;
}

/**
 * The returned message's headers straight from the raw bytes, for a DSN whose returned part
 * mailparser read inline (Content-Disposition: inline) rather than as an attachment.
 */
function returnedHeadersFromRaw(raw: Buffer): ReturnedHeaders | undefined {
  const text = raw.subarray(0, 2 * 1024 * 1024).toString('latin1');
  const re = /^content-type:[ \t]*(?:message\/rfc822|text\/rfc822-headers|message\/global(?:-headers)?)\b[^\n]*\n/gim;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const afterPartHeaders = /\r?\n\r?\n/.exec(text.slice(m.index));
    if (!afterPartHeaders) continue;
    const found = readReturnedHeaders(text.slice(m.index + afterPartHeaders.index + afterPartHeaders[0].length));
    if (found) return found;
  }
  return undefined;
}

/**
 * Does the body hold the boundary its multipart Content-Type declares? A multipart message
 * whose boundary never appears has no readable parts.
 */
function boundaryProblem(contentTypeValue: string | undefined, raw: Buffer): string | undefined {
  if (!contentTypeValue || !/^\s*multipart\//i.test(contentTypeValue)) return undefined;
  const b = /boundary\s*=\s*(?:"([^"]+)"|([^\s;]+))/i.exec(contentTypeValue);
  const boundary = b?.[1] ?? b?.[2];
  if (!boundary) return 'multipart message without a boundary parameter';
  const text = raw.toString('latin1');
  // The boundary itself is the sender's text: the reason says what is wrong, not what it was.
  if (!text.includes(`--${boundary}`)) return 'multipart message whose boundary never appears in the body';
  return undefined;
}

/** Is there a text/plain part (or no Content-Type at all, which means text/plain)? */
function hasTextPart(raw: Buffer, contentTypeValue: string | undefined): boolean {
  if (!contentTypeValue) return true;
  return /^content-type:[ \t]*text\/plain\b/im.test(raw.subarray(0, 4 * 1024 * 1024).toString('latin1'));
}

/**
 * When our own server received the message, from the timestamp of the topmost Received header
 * (the one it added). A stand-in for the IMAP internal date when only the .eml file is at hand,
 * e.g. for `escalator mail inspect`. Undefined when there is none that parses.
 */
export function topReceivedDate(raw: Buffer): Date | undefined {
  const text = raw.subarray(0, 256 * 1024).toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  const head = (end === -1 ? text : text.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
  const received = /^Received:(.*)$/im.exec(head)?.[1];
  if (!received?.includes(';')) return undefined;
  return parseMailDate(received.slice(received.lastIndexOf(';') + 1).trim());
}

/**
 * Parses raw MIME into `InboundMail`. Never throws for a bad message: what it could not read is
 * listed in `parseProblems` (and the router then changes nothing); what was merely odd is in
 * `parseWarnings`.
 */
export async function parseMessage(raw: Buffer, opts: ParseOptions): Promise<InboundMail> {
  try {
    return await parse(raw, opts);
  } catch (error) {
    return emptyMail(raw, opts, [`message could not be read: ${describeThrown(error).slice(0, 200)}`]);
  }
}

async function parse(raw: Buffer, opts: ParseOptions): Promise<InboundMail> {
  const problems: string[] = [];
  const warnings: string[] = [];
  let parsed: ParsedMail;
  try {
    parsed = await simpleParser(raw, {
      keepDeliveryStatus: true,
      maxHtmlLengthToParse: opts.maxHtmlLength,
      skipImageLinks: true,
      skipTextLinks: true,
      skipTextToHtml: true,
      keepCidLinks: true,
      maxHeadSize: 1024 * 1024,
    });
  } catch (error) {
    problems.push(`MIME could not be parsed: ${describeThrown(error).slice(0, 200)}`);
    return emptyMail(raw, opts, problems);
  }
  const headers = headerMap(parsed);
  if (Object.keys(headers).length === 0) problems.push('no header lines found');

  const rawDate = headers.date?.[0];
  const headerDate = parseMailDate(rawDate);
  // The Date header is the sender's word: it counts only within a plausible span before receipt
  // (a case's clock, "by Friday" and the evidence pack's chronology all start from it).
  const receivedAt = opts.internalDate ?? opts.receivedAt;
  let date = receivedAt;
  let dateFromHeader = false;
  const fallback = opts.internalDate ? 'the mailbox’s received time (IMAP INTERNALDATE)' : 'the received time';
  const maxAgeDays = opts.maxDateAgeDays ?? 7;
  if (!rawDate) warnings.push(`no Date header; ${fallback} is used`);
  else if (!headerDate) warnings.push(`Date header "${rawDate.slice(0, 60)}" is not a valid date; ${fallback} is used`);
  else if (headerDate.getTime() > Math.max(receivedAt.getTime(), opts.receivedAt.getTime())) {
    warnings.push(`Date header is after the message was received; ${fallback} is used`);
  } else if (headerDate.getTime() < receivedAt.getTime() - maxAgeDays * 24 * 3600_000) {
    warnings.push(`Date header is more than ${maxAgeDays} days before the message was received; ${fallback} is used`);
  } else {
    date = headerDate;
    dateFromHeader = true;
  }

  const fromHeaders = headers.from ?? [];
  if (fromHeaders.length > 1) problems.push(`${fromHeaders.length} From headers (a message has exactly one)`);
  const fromAll = addresses(parsed.from);
  const from = fromAll[0];
  if (!from) problems.push('no usable From address');

  const contentTypeValue = headers['content-type']?.[0];
  const boundary = boundaryProblem(contentTypeValue, raw);
  if (boundary) problems.push(boundary);

  const html = typeof parsed.html === 'string' ? parsed.html : undefined;
  const textFromHtml = !!html && !hasTextPart(raw, contentTypeValue);
  if (parsed.textConversionError) {
    const why = parsed.textConversionError.message.slice(0, 120);
    if (!(parsed.text ?? '').trim()) problems.push(`the HTML body could not be read as text (${why})`);
    else warnings.push(`part of the HTML body could not be read as text (${why})`);
  }

  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- mailparser's types are no promise about a hostile message; checked anyway
  const attachments = parsed.attachments ?? [];
  const messageId = normaliseMessageId(parsed.messageId) ?? `<${sha256(raw).slice(0, 32)}@no-message-id.invalid>`;
  if (!parsed.messageId) warnings.push('no Message-ID; one was made from the content');
  const deliveryStatus = attachments
    .filter((a) => /^message\/(global-)?delivery-status$/i.test(a.contentType))
    .flatMap((a) => parseDeliveryStatus(a.content.subarray(0, 256 * 1024).toString('utf8')));
  const isReport = /^\s*multipart\/report/i.test(contentTypeValue ?? '');
  const returnedHeaders = returnedHeadersOf(attachments) ?? (isReport || deliveryStatus.length ? returnedHeadersFromRaw(raw) : undefined);
  const sender = addresses(parsed.headers.get('sender') as AddressObject | undefined)[0];
  const deliveredTo = [...(opts.envelopeTo ?? []), ...(headers['delivered-to'] ?? []), ...(headers['x-original-to'] ?? []), ...(headers['envelope-to'] ?? [])]
    .flatMap((a) => a.split(','))
    .map((a) => normaliseAddress(a.replace(/[<>]/g, '')))
    .filter((a): a is string => !!a);
  const inReplyTo = normaliseMessageId(parsed.inReplyTo);
  return {
    messageId,
    ...(inReplyTo ? { inReplyTo } : {}),
    references: normaliseReferences(parsed.references),
    ...(from ? { from } : {}),
    ...(fromAll.length > 1 ? { fromCount: fromAll.length } : {}),
    ...(sender && sender.address !== from?.address ? { sender } : {}),
    replyTo: addresses(parsed.replyTo),
    to: addresses(parsed.to),
    cc: addresses(parsed.cc),
    deliveredTo: [...new Set(deliveredTo)],
    subject: (parsed.subject ?? '').replace(/[\r\n]+/g, ' ').slice(0, 998),
    date,
    dateFromHeader,
    headers,
    text: parsed.text ?? '',
    ...(html !== undefined ? { html } : {}),
    ...(textFromHtml ? { textFromHtml } : {}),
    contentType: contentTypeValue ?? 'text/plain',
    attachments: attachments
      .filter((a) => !/delivery-status/i.test(a.contentType))
      .map((a) => ({ ...(a.filename ? { filename: a.filename } : {}), contentType: a.contentType, size: a.size })),
    ...(deliveryStatus.length ? { deliveryStatus } : {}),
    ...(returnedHeaders ? { returnedHeaders } : {}),
    parseProblems: problems,
    ...(warnings.length ? { parseWarnings: warnings } : {}),
  };
}

function emptyMail(raw: Buffer, opts: ParseOptions, problems: string[]): InboundMail {
  return {
    messageId: `<${sha256(raw).slice(0, 32)}@no-message-id.invalid>`,
    references: [],
    replyTo: [],
    to: [],
    cc: [],
    deliveredTo: opts.envelopeTo ?? [],
    subject: '',
    date: opts.receivedAt,
    dateFromHeader: false,
    headers: {},
    text: '',
    contentType: 'application/octet-stream',
    attachments: [],
    parseProblems: problems,
  };
}
