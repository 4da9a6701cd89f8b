import type { MessageRepository, NewMessage } from '../db/repositories/index.js';
import { newId } from '../lib/ids.js';
import { normaliseMessageId, sha256 } from './parse-message.js';

export interface InboundCopy {
  mailbox: string;
  /** Null when the message is over the size limit: only a reference is kept. */
  raw: Buffer | null;
  size: number;
  source: 'imap' | 'graph' | 'smtp-listener' | 'cli';
  receivedAt: Date;
  /** IMAP INTERNALDATE, when the message came from a mailbox. */
  internalDate?: Date;
  uid?: number;
  uidValidity?: number;
  envelopeTo?: string[];
  /** Message-ID known without the body (IMAP envelope), for oversized messages. */
  messageIdHint?: string;
  /** An oversized message's header section, kept instead of the whole. */
  headers?: string;
  /** An oversized message's SHA-256, computed while it streamed past (the whole is not kept). */
  sha256?: string;
}

/** The header section of a message (up to the first empty line), at most `max` bytes, as latin1 text. */
export function headerSection(raw: Buffer, max = 256 * 1024): string {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  const ends = [crlf >= 0 ? crlf + 4 : -1, lf >= 0 ? lf + 2 : -1].filter((n) => n >= 0);
  return raw.subarray(0, Math.min(ends.length ? Math.min(...ends) : raw.length, max)).toString('latin1');
}

/** The Message-ID from the header section only (cheap; the full parse happens in the ingest job). */
export function headerMessageId(raw: Buffer): string | undefined {
  const end = raw.indexOf('\r\n\r\n') >= 0 ? raw.indexOf('\r\n\r\n') : raw.indexOf('\n\n');
  const head = raw
    .subarray(0, end >= 0 ? end : Math.min(raw.length, 64 * 1024))
    .toString('latin1')
    .replace(/\r?\n[ \t]+/g, ' ');
  const m = /^message-id:[ \t]*(.*)$/im.exec(head);
  return normaliseMessageId(m?.[1]);
}

/** The row a received copy is stored as: its Message-ID (or a stand-in) and its digest. */
function newMessage(copy: InboundCopy): NewMessage {
  const digest = copy.raw ? sha256(copy.raw) : (copy.sha256 ?? '');
  const messageId =
    (copy.raw ? headerMessageId(copy.raw) : undefined) ??
    (copy.headers ? headerMessageId(Buffer.from(copy.headers, 'latin1')) : undefined) ??
    normaliseMessageId(copy.messageIdHint) ??
    `<${(digest || newId().replace(/-/g, '')).slice(0, 32)}@no-message-id.invalid>`;
  return {
    ...copy,
    id: newId(),
    messageId,
    sha256: digest,
    // An oversized message keeps its header section in place of the whole (NUL cannot be stored).
    headers: copy.raw ? null : (copy.headers?.replaceAll('\u0000', '') ?? null),
  };
}

/**
 * Keeps the raw message (nothing is lost) unless the same Message-ID is already stored for this
 * mailbox, in which case the second copy is recognised and nothing new happens.
 */
export async function storeInbound(messages: MessageRepository, copy: InboundCopy): Promise<{ id: string; created: boolean }> {
  const [stored] = await storeInboundMany(messages, [copy]);
  if (!stored) throw new Error('storing one message returned nothing');
  return stored;
}

/** Several copies kept with one statement (a mailbox reader's batch), each as `storeInbound` would. */
export function storeInboundMany(messages: MessageRepository, copies: readonly InboundCopy[]): Promise<{ id: string; created: boolean }[]> {
  return messages.storeMany(copies.map(newMessage));
}
