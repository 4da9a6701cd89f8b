import { createHash } from 'node:crypto';
import { simpleParser, type AddressObject, type Attachment, type ParsedMail } from 'mailparser';
import type { Address, InboundMail } from '../domain/inbound/inbound-mail.js';

export interface ParseOptions {
  /** When the server received it (IMAP internal date, or SMTP arrival): the fallback Date. */
  receivedAt: Date;
  /** Recipients from the SMTP envelope, when we have them. */
  envelopeTo?: string[];
  maxHtmlLength: number;
}

export function sha256(raw: Buffer): string {
  return createHash('sha256').update(raw).digest('hex');
}

/** `<id>` with brackets, whitespace removed; undefined when nothing usable. */
export function normaliseMessageId(value: string | undefined | null): string | undefined {
  if (!value) return undefined;
  const m = /<([^<>\s]+)>/.exec(value);
  const id = (m ? m[1] : value.trim().split(/\s+/)[0])?.trim();
  return id ? `<${id}>` : undefined;
}

/** mailparser gives `references` as a string for one id and an array for several. */
export function normaliseReferences(value: string | string[] | undefined): string[] {
  const list = Array.isArray(value) ? value : value ? [value] : [];
  return list.flatMap((v) => v.match(/<[^<>\s]+>/g) ?? []);
}

function addresses(value: AddressObject | AddressObject[] | undefined): Address[] {
  const list = Array.isArray(value) ? value : value ? [value] : [];
  const out: Address[] = [];
  const walk = (entries: AddressObject['value']) => {
    for (const e of entries) {
      if (e.group) walk(e.group);
      else if (e.address && e.address.includes('@')) out.push({ address: e.address.toLowerCase(), ...(e.name ? { name: e.name } : {}) });
    }
  };
  for (const obj of list) walk(obj.value);
  return out;
}

/** Header lines unfolded into a lower-case map of every value (raw, undecoded). */
function headerMap(parsed: ParsedMail): Record<string, string[]> {
  const map: Record<string, string[]> = {};
  for (const { key, line } of parsed.headerLines) {
    const value = line.slice(line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' ').trim();
    (map[key.toLowerCase()] ??= []).push(value);
  }
  return map;
}

/** RFC 3464 fields: one record per recipient block (the per-message block is merged into each). */
export function parseDeliveryStatus(text: string): Array<Record<string, string>> {
  const blocks = text.replace(/\r\n/g, '\n').split(/\n\s*\n/).filter((b) => b.trim());
  const parsedBlocks = blocks.map((block) => {
    const fields: Record<string, string> = {};
    let last = '';
    for (const line of block.split('\n')) {
      if (/^[ \t]/.test(line) && last) {
        fields[last] += ` ${line.trim()}`;
        continue;
      }
      const i = line.indexOf(':');
      if (i <= 0) continue;
      last = line.slice(0, i).trim().toLowerCase();
      fields[last] = line.slice(i + 1).trim();
    }
    return fields;
  });
  const perMessage = parsedBlocks.find((b) => !b['final-recipient'] && !b['original-recipient']) ?? {};
  return parsedBlocks.filter((b) => b['final-recipient'] || b['original-recipient']).map((b) => ({ ...perMessage, ...b }));
}

function returnedHeadersOf(attachments: Attachment[]): InboundMail['returnedHeaders'] {
  const part = attachments.find((a) => /^(message\/rfc822|text\/rfc822-headers|message\/rfc822-headers|message\/global-headers)$/i.test(a.contentType));
  if (!part) return undefined;
  const text = part.content.toString('utf8');
  const head = text.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ');
  const get = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head)?.[1]?.trim();
  const messageId = normaliseMessageId(get('Message-ID'));
  const inReplyTo = normaliseMessageId(get('In-Reply-To'));
  const subject = get('Subject');
  return {
    ...(messageId ? { messageId } : {}),
    ...(inReplyTo ? { inReplyTo } : {}),
    references: normaliseReferences(get('References')),
    ...(subject ? { subject } : {}),
  };
}

/**
 * Parses raw MIME into `InboundMail`. Never throws for a bad message: what it could not read is
 * listed in `parseProblems`, and the router then changes nothing.
 */
export async function parseMessage(raw: Buffer, opts: ParseOptions): Promise<InboundMail> {
  const problems: string[] = [];
  let parsed: ParsedMail;
  try {
    parsed = await simpleParser(raw, {
      keepDeliveryStatus: true,
      maxHtmlLengthToParse: opts.maxHtmlLength,
      skipImageLinks: true,
      skipTextLinks: true,
      maxHeadSize: 1024 * 1024,
    });
  } catch (error) {
    problems.push(`MIME could not be parsed: ${(error as Error).message.slice(0, 200)}`);
    return emptyMail(raw, opts, problems);
  }
  const headers = headerMap(parsed);
  const rawDate = headers.date?.[0];
  const headerDate = rawDate ? new Date(rawDate) : undefined;
  const dateValid = !!headerDate && !Number.isNaN(headerDate.getTime());
  const from = addresses(parsed.from)[0];
  if (!from) problems.push('no usable From address');
  const messageId = normaliseMessageId(parsed.messageId) ?? `<${sha256(raw).slice(0, 32)}@no-message-id.invalid>`;
  const deliveryStatus = parsed.attachments
    .filter((a) => /^message\/(global-)?delivery-status$/i.test(a.contentType))
    .flatMap((a) => parseDeliveryStatus(a.content.toString('utf8')));
  const returnedHeaders = returnedHeadersOf(parsed.attachments);
  const contentType = headers['content-type']?.[0] ?? 'text/plain';
  const sender = addresses(parsed.headers.get('sender') as AddressObject | undefined)[0];
  const deliveredTo = [
    ...(opts.envelopeTo ?? []),
    ...(headers['delivered-to'] ?? []),
    ...(headers['x-original-to'] ?? []),
  ].map((a) => a.replace(/[<>]/g, '').trim().toLowerCase()).filter((a) => a.includes('@'));
  const inReplyTo = normaliseMessageId(parsed.inReplyTo);
  return {
    messageId,
    ...(inReplyTo ? { inReplyTo } : {}),
    references: normaliseReferences(parsed.references),
    ...(from ? { from } : {}),
    ...(sender && sender.address !== from?.address ? { sender } : {}),
    replyTo: addresses(parsed.replyTo),
    to: addresses(parsed.to),
    cc: addresses(parsed.cc),
    deliveredTo: [...new Set(deliveredTo)],
    subject: (parsed.subject ?? '').replace(/[\r\n]+/g, ' ').slice(0, 998),
    date: dateValid ? headerDate! : opts.receivedAt,
    dateFromHeader: dateValid,
    headers,
    text: parsed.text ?? '',
    ...(typeof parsed.html === 'string' ? { html: parsed.html } : {}),
    contentType,
    attachments: parsed.attachments
      .filter((a) => !/delivery-status/i.test(a.contentType))
      .map((a) => ({ ...(a.filename ? { filename: a.filename } : {}), contentType: a.contentType, size: a.size })),
    ...(deliveryStatus.length ? { deliveryStatus } : {}),
    ...(returnedHeaders ? { returnedHeaders } : {}),
    parseProblems: problems,
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
