import type { Repositories } from '../../db/repositories/index.js';
import type { MessageAnalysis } from '../../domain/inbound/analyse-message.js';
import type { InboundMail } from '../../domain/inbound/inbound-mail.js';
import { rolesOf } from '../../domain/ladder/effective-ladder.js';
import { agencyTitleRoles } from '../../domain/ladder/partner-ladder.js';
import type { Deps } from '../../runtime/deps.js';
import { ReadLimitExceeded, type MessageReader, type ReadTask } from '../../runtime/message-reader.js';
import type { LimitName } from '../../runtime/metrics.js';
import type { OrgRuntime } from '../../runtime/organisations.js';
import { matchCase, type MatchedCase } from './message-facts.js';

export interface StoredMessage {
  id: string;
  mailbox: string;
  raw: Buffer | null;
  receivedAt: Date;
  internalDate: Date | null;
  envelopeTo: string[] | null;
  size: number;
  /** The header section kept for a message that was not stored whole (over the size limit). */
  headers: string | null;
}

export interface ReadOutcome {
  mail: InboundMail;
  analysis: MessageAnalysis;
  /** Judged on its headers alone: an untagged message from a stranger that belongs to no case. */
  judgedOnHeaders?: boolean;
  /** The case the headers found, when already looked up. */
  matched?: MatchedCase;
  /** Not read, and why: over a limit. Its headers (`mail`, `analysis` from them), size and SHA-256 are what is kept. */
  notRead?: { limit: LimitName; reason: string; headers: string };
}

type ReadDeps = Pick<Deps, 'limits' | 'trust'> & { reader: MessageReader };

/**
 * Reads a stored message within the limits. First its header section only (cheap): an untagged
 * message from a stranger that belongs to no case is judged on that alone and never fully parsed.
 * Everything else is parsed and analysed whole, off the event loop, within the reader's time and
 * memory limits. A message over the size limit, or that could not be read within the limits, or
 * whose only body is HTML over its limit, comes back `notRead` with what its headers say.
 */
export async function readStored(db: Repositories, deps: ReadDeps, org: OrgRuntime, stored: StoredMessage): Promise<ReadOutcome> {
  const limits = deps.limits;
  const task = (mode: ReadTask['mode'], raw: Uint8Array): ReadTask => ({
    mode,
    raw,
    receivedAt: stored.receivedAt,
    ...(stored.internalDate ? { internalDate: stored.internalDate } : {}),
    ...(stored.envelopeTo ? { envelopeTo: stored.envelopeTo } : {}),
    maxHtmlLength: limits.maxHtmlLength,
    maxDateAgeDays: limits.dateHeaderMaxAgeDays,
    analysis: {
      inboxAddress: org.mailbox,
      calendar: { nation: org.calendar.nation, timezone: org.calendar.timezone, window: org.calendar.window },
      // A partner agency's own titles ("Designated nurse: …") are roles a directive may name.
      roles: [...new Set([...org.ladders.all(org.id).flatMap((l) => [...rolesOf(l)]), ...agencyTitleRoles(org.directory)])],
      ladderIds: org.ladders.ids(org.id),
      trustedAuthservIds: deps.trust.authservIds,
      trust: org.trust,
      childReference: org.childReference,
    },
  });
  if (!stored.raw) {
    const headers = stored.headers ?? '';
    const head = await deps.reader.read(task('head', Buffer.from(headers, 'latin1')));
    return {
      ...head,
      notRead: {
        limit: 'max-message-bytes',
        reason: `message is larger than the limit (${stored.size} bytes; limits.maxMessageBytes is ${limits.maxMessageBytes}); not read: its headers, size and SHA-256 are kept`,
        headers,
      },
    };
  }
  const headBytes = headSectionCopy(stored.raw);
  const head = await deps.reader.read(task('head', headBytes));
  const h = head.analysis;
  const sender = head.mail.from?.address;
  const untaggedStranger =
    !org.isStaff(sender) &&
    !h.escalateTag &&
    !h.plusLadder &&
    !h.plusToken &&
    !h.caseTag &&
    h.automatic.kind === 'none' &&
    !/^\s*multipart\/report/i.test(head.mail.contentType);
  let matched: MatchedCase | undefined;
  if (untaggedStranger) {
    matched = await matchCase(db.cases, org, h);
    if (!matched) return { ...head, judgedOnHeaders: true };
  }
  try {
    const full = await deps.reader.read(task('full', stored.raw));
    if (full.mail.html !== undefined && full.mail.html.length > limits.maxHtmlLength && !full.mail.text.trim()) {
      return {
        ...head,
        ...(matched ? { matched } : {}),
        notRead: {
          limit: 'max-html-length',
          reason: `its only body is HTML longer than the limit (${full.mail.html.length} characters; limits.maxHtmlLength is ${limits.maxHtmlLength}); not read: its headers, size and SHA-256 are kept`,
          headers: headBytes.toString('latin1'),
        },
      };
    }
    return { ...full, ...(matched ? { matched } : {}) };
  } catch (error) {
    if (!(error instanceof ReadLimitExceeded)) throw error;
    return {
      ...head,
      ...(matched ? { matched } : {}),
      notRead: {
        limit: 'parse-time-or-memory',
        reason: `it could not be read within the limits (${error.message}); not read: its headers, size and SHA-256 are kept`,
        headers: headBytes.toString('latin1'),
      },
    };
  }
}

/** The header section, copied (the whole message may move to a worker thread). */
function headSectionCopy(raw: Buffer): Buffer {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  const ends = [crlf >= 0 ? crlf + 4 : -1, lf >= 0 ? lf + 2 : -1].filter((n) => n >= 0);
  const end = Math.min(ends.length ? Math.min(...ends) : raw.length, 256 * 1024);
  return Buffer.from(raw.subarray(0, end));
}
