import { createHash } from 'node:crypto';
import { keyedHash } from '../../lib/ids.js';

/**
 * Our Message-IDs are derived from the case and the mail's key, so a decision replayed after a
 * crash produces the same id (the outbox refuses the duplicate) and replies thread back to the
 * case. The keyed hash makes them unguessable: nobody can forge a reference to a case.
 */
export function messageIdFor(secret: string, caseId: string, ref: string, key: string, mailboxAddress: string): string {
  const domain = mailboxAddress.slice(mailboxAddress.indexOf('@') + 1).toLowerCase();
  return `<${ref.toLowerCase()}.${key}.${keyedHash(secret, caseId, key)}@${domain}>`;
}

/** References: the original request's thread first, then our own mails, capped as clients do. */
export function referencesFor(threadIds: string[], ours: string[], max = 20): string[] {
  const all = [...new Set([...threadIds, ...ours])];
  if (all.length <= max) return all;
  return [...all.slice(0, 1), ...all.slice(all.length - (max - 1))];
}

// FILETIME: 100-ns intervals since 1601-01-01.
const EPOCH_DIFF_MS = 11_644_473_600_000n;
function filetime(date: Date): bigint {
  return (BigInt(date.getTime()) + EPOCH_DIFF_MS) * 10_000n;
}

/**
 * Outlook groups a conversation by Thread-Index (MS-OXOMSG 2.2.1.3): a 22-byte header (reserved
 * byte, 5 bytes of FILETIME, a GUID) and a 5-byte child block per reply. We extend the request's
 * own Thread-Index when it had one, so chasers land in the recipient's existing conversation;
 * otherwise we derive a stable header from the case.
 */
export function threadIndexFor(parent: string | undefined, caseId: string, openedAt: Date, now: Date, salt: string): string {
  let header: Buffer | undefined;
  if (parent) {
    const decoded = Buffer.from(parent.trim(), 'base64');
    if (decoded.length >= 22 && (decoded.length - 22) % 5 === 0) header = decoded;
  }
  if (!header) {
    header = Buffer.alloc(22);
    header[0] = 0x01;
    const ft = filetime(openedAt);
    for (let i = 0; i < 5; i++) header[1 + i] = Number((ft >> BigInt(56 - 8 * i)) & 0xffn);
    createHash('sha256').update(`thread:${caseId}`).digest().copy(header, 6, 0, 16);
  }
  let headerTime = 0n;
  for (let i = 0; i < 5; i++) headerTime |= BigInt(header.readUInt8(1 + i)) << BigInt(56 - 8 * i);
  let delta = filetime(now) - headerTime;
  if (delta < 0n) delta = 0n;
  let block: bigint;
  if (delta < 1n << 49n) block = (delta >> 18n) & 0x7fffffffn;
  else block = (1n << 31n) | ((delta >> 23n) & 0x7fffffffn);
  const rnd = createHash('sha256').update(salt).digest().readUInt8(0);
  const child = Buffer.alloc(5);
  child.writeUInt32BE(Number(block), 0);
  child[4] = rnd;
  return Buffer.concat([header, child]).toString('base64');
}
