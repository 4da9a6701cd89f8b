import { readAuthentication, type Authentication } from './authentication.js';
import { bounceRecipients, detectAutomatic, type AutomaticVerdict, type BounceRecipient } from './automatic.js';
import { classifyReply, type Classification } from './classify-reply.js';
import { parseCommands, type CommandParse } from './commands.js';
import { parseDirectives, type DirectiveOptions, type DirectiveParse } from './directives.js';
import type { WorkingDays } from './en-gb-dates.js';
import { allAddresses, isTnef, type InboundMail } from './inbound-mail.js';
import { splitReply } from './new-text.js';
import { plusDetails, TOKEN_PATTERN } from './plus-address.js';
import { verifySender, type SenderVerification, type TrustSetting } from './sender-verification.js';
import { caseTagOf, hasEscalateTag } from './subject-tags.js';

export interface AnalysisOptions {
  inboxAddress: string;
  timezone: string;
  roles: Iterable<string>;
  ladderIds: Iterable<string>;
  trustedAuthservIds: string[];
  /** How senders are proven; default: `authserv-id` with `trustedAuthservIds`, or none when that is empty. */
  trust?: TrustSetting;
  /** The organisation's child reference format (`childReference.pattern`); default: letters and digits with two digits at least. */
  childReference?: { pattern: RegExp; example: string };
  /**
   * The organisation's working days (its `WorkCalendar`), so a promise "within 5 working days"
   * skips its nation's bank holidays. Without it, Monday to Friday.
   */
  workingDays?: WorkingDays;
  /** HTML longer than this is not used for finding the new text (the plain text is). */
  maxHtmlLength?: number;
  /**
   * The case's category, when the case is known before reading (the corpus, `mail inspect --case`):
   * a done statement about another kind of thing reads as other. See `classifyForCase` for the ingest path.
   */
  category?: string;
}

/** Everything the service reads from one message, before looking anything up. Pure. */
export interface MessageAnalysis {
  automatic: AutomaticVerdict;
  bounce?: {
    recipients: BounceRecipient[];
    /** The Message-ID of our mail that bounced, when the DSN returned its headers. */
    originalMessageId?: string;
    originalReferences: string[];
    /** The `[ESC-…]` tag in the returned message's subject. */
    originalCaseTag?: string;
  };
  /** The sender's new words: quoted history, forwarded text, signature and banners removed. */
  newText: string;
  /** Where the new text was found: the HTML part's quote markers, or the plain text. */
  newTextSource: 'html' | 'text';
  escalateTag: boolean;
  /** `inbox+<ladder>@` — opens on that ladder. */
  plusLadder?: string;
  /** `inbox+<token>@` — routes to that case. */
  plusToken?: string;
  /** `inbox+<something>@` that is neither a ladder here nor shaped like one of our tokens. */
  plusUnknown?: string;
  caseTag?: string;
  directives: DirectiveParse;
  commands: CommandParse;
  classification: Classification;
  authentication: Authentication;
  /** Is the From proven (README, Trust)? */
  verification: SenderVerification;
  /** `CONFIRM <token>` on the first line: the answer to a confirmation round trip. */
  confirmToken?: string;
  /** Thread ids to match against: In-Reply-To first, then References newest first. */
  threadIds: string[];
  /** A TNEF (winmail.dat) attachment came with it; it is kept as an attachment, not decoded. */
  tnef: boolean;
}

export function analyseMessage(mail: InboundMail, opts: AnalysisOptions): MessageAnalysis {
  const automatic = detectAutomatic(mail, opts.timezone);
  const reply = splitReply(mail.text, mail.html, {
    ...(mail.textFromHtml !== undefined ? { textFromHtml: mail.textFromHtml } : {}),
    ...(opts.maxHtmlLength !== undefined ? { maxHtmlLength: opts.maxHtmlLength } : {}),
  });
  const newText = reply.newText;
  const ladderIds = [...opts.ladderIds];
  const plus = plusDetails(allAddresses(mail), opts.inboxAddress);
  const plusLadder = plus.find((p) => ladderIds.includes(p));
  const plusToken = plus.find((p) => !ladderIds.includes(p) && TOKEN_PATTERN.test(p));
  const plusUnknown = plus.find((p) => !ladderIds.includes(p) && !TOKEN_PATTERN.test(p));
  const dirOpts: DirectiveOptions = {
    roles: [...opts.roles],
    ladderIds,
    reference: mail.date,
    timezone: opts.timezone,
    ...(opts.childReference ? { childReference: opts.childReference } : {}),
  };
  const trust: TrustSetting =
    opts.trust ?? (opts.trustedAuthservIds.length ? { source: 'authserv-id', authservIds: opts.trustedAuthservIds } : { source: 'none' });
  const threadIds = [...(mail.inReplyTo ? [mail.inReplyTo] : []), ...[...mail.references].reverse()];

  // Directives count anywhere before the quoted part: a valid one written below the sign-off
  // is used too, but only the new text's unknown lines are reported (a signature's "Pronouns:"
  // is no directive anyone meant).
  // Automatic mail never changes a case, so its words are not read as directives or commands.
  const human = automatic.kind === 'none';
  const directives: DirectiveParse = human ? parseDirectives(newText, dirOpts) : { items: [], unknown: [], problems: [] };
  const belowSignOff = reply.unquoted.startsWith(newText) ? reply.unquoted.slice(newText.length) : '';
  if (human && belowSignOff.trim()) directives.items.push(...parseDirectives(belowSignOff, dirOpts).items);

  const caseTag = caseTagOf(mail.subject);
  const confirmToken = human ? confirmTokenOf(newText) : undefined;
  const analysis: MessageAnalysis = {
    automatic,
    newText,
    newTextSource: reply.source,
    escalateTag: hasEscalateTag(mail.subject),
    ...(plusLadder ? { plusLadder } : {}),
    ...(plusToken ? { plusToken } : {}),
    ...(plusUnknown ? { plusUnknown } : {}),
    ...(caseTag ? { caseTag } : {}),
    directives,
    commands: human && !confirmToken ? parseCommands(newText, dirOpts) : { lines: [], errors: [] },
    classification: human
      ? classifyReply(newText, mail.date, opts.timezone, opts.workingDays, {
          unquoted: reply.unquoted,
          ownAddresses: [opts.inboxAddress, ...(mail.from ? [mail.from.address] : [])],
          attachments: mail.attachments,
          ...(opts.category ? { category: opts.category } : {}),
        })
      : { class: 'other' },
    authentication: readAuthentication(mail, authservIdsOf(trust, opts.trustedAuthservIds)),
    verification: verifySender(mail, trust),
    ...(confirmToken ? { confirmToken } : {}),
    threadIds: [...new Set(threadIds)],
    tnef: mail.attachments.some(isTnef),
  };
  if (automatic.kind === 'bounce') {
    const returned = mail.returnedHeaders;
    const originalCaseTag = returned?.subject ? caseTagOf(returned.subject) : undefined;
    analysis.bounce = {
      recipients: bounceRecipients(mail),
      ...(returned?.messageId ? { originalMessageId: returned.messageId } : {}),
      originalReferences: [...new Set([...(returned?.inReplyTo ? [returned.inReplyTo] : []), ...(returned?.references ?? [])])],
      ...(originalCaseTag ? { originalCaseTag } : {}),
    };
  }
  return analysis;
}

/** `CONFIRM ABCD…` as the first words of the new text (a greeting before it is fine). */
export function confirmTokenOf(newText: string): string | undefined {
  const lines = newText
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(0, 3);
  for (const line of lines) {
    const m = /^\**confirm\**[:\s]+([A-Za-z2-7]{20,40})\b/i.exec(line);
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the group is not optional, so it is set whenever the pattern matched
    if (m) return m[1]!.toLowerCase();
  }
  return undefined;
}

/** The authserv-ids whose headers `mail inspect` and the message record show. */
function authservIdsOf(trust: TrustSetting, fallback: string[]): string[] {
  if (trust.source === 'google-workspace') return ['mx.google.com'];
  if (trust.source === 'authserv-id' || trust.source === 'exchange-online') return trust.authservIds;
  return fallback;
}

/**
 * The reply's class once its case is known: a done statement about another kind of thing than
 * the case's category ("the CAMHS referral has been completed" on a minutes case) is other, shown
 * to the RM. The message is analysed before any look-up, so a resolved reading is checked again
 * here with the category; every other reading stands.
 */
export function classificationForCase(
  mail: Pick<InboundMail, 'date' | 'attachments' | 'from'>,
  analysis: Pick<MessageAnalysis, 'classification' | 'newText'>,
  category: string | undefined,
  opts: { timezone: string; workingDays?: WorkingDays; inboxAddress?: string },
): Classification {
  if (!category || analysis.classification.class !== 'resolved') return analysis.classification;
  return classifyReply(analysis.newText, mail.date, opts.timezone, opts.workingDays, {
    ownAddresses: [...(opts.inboxAddress ? [opts.inboxAddress] : []), ...(mail.from ? [mail.from.address] : [])],
    attachments: mail.attachments,
    category,
  });
}
