import type { ReplyClass } from '../case/reply-class.js';
import { addressKey } from '../address.js';
import { clauseEnd as endOfClause, clauseStart as startOfClause } from './clauses.js';
import { findAllEnGbDates, localDate, type ParsedDate, type WorkingDays } from './en-gb-dates.js';
import { findMeetingDate } from './meeting-date.js';
import { plainForMatching } from './new-text.js';
import { aboutOtherItem, itemKinds } from './items.js';
import {
  CORRECTED,
  FOR_THE_REQUESTER_TO_DO,
  HEDGE,
  isDocument,
  LATER_RELEASE,
  PENDING_AFTER,
  RESEND,
  REST_TO_COME,
  WRONG_ITEM,
  type Defeat,
} from './not-yet-done.js';
import { findRedirect } from './redirect.js';
import {
  BUT_NOT,
  CLASS_ORDER,
  CLAUSE_BREAK,
  COMMITMENT,
  CONDITION_BEFORE_DATE,
  CONDITIONAL,
  DELIVERED_HERE,
  LATER_DELIVERY,
  NEGATION,
  NOT_DELIVERY,
  NOT_DONE_YET,
  NOT_YET,
  PAST_INTENT,
  PROMISE_NEGATION,
  REPLY_RULES,
  type ReplyRule,
} from './reply-rules.js';
import { findSecureNotice } from './secure-message.js';

export interface Classification {
  class: ReplyClass;
  /** The phrase that decided it. */
  evidence?: string;
  /** For a promise: the promised local date (YYYY-MM-DD). */
  promiseDate?: string;
  /** For `redirected`: the address of whoever the sender says holds it now. */
  redirectTo?: string;
  /** For `secure-message`: the secure-mail service the content is behind. */
  secureService?: string;
  /** Whatever the class: the date a meeting is confirmed for, and the words (see meeting-date.ts). */
  meetingDate?: string;
  meetingEvidence?: string;
}

/**
 * Sentences of the new text. Paragraphs (blank-line separated) never run together; inside one,
 * a short line ("Hi Alex") ends its sentence, while long lines are taken as wrapped text.
 */
export function sentencesOf(text: string): string[] {
  const out: string[] = [];
  for (const paragraph of plainForMatching(text).split(/\n\s*\n/)) {
    const lines = paragraph
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    let current = '';
    for (const line of lines) {
      current = current ? `${current} ${line}` : line;
      if (line.length < 60 || /[.!?]$/.test(line)) {
        out.push(current);
        current = '';
      }
    }
    if (current) out.push(current);
  }
  return out
    .flatMap((s) => s.split(/(?<=[.!?])\s+(?=["'(]?[A-Z0-9])/))
    .map((s) => s.trim())
    .filter(Boolean);
}

const clauseStart = (sentence: string, at: number) => startOfClause(sentence, at, CLAUSE_BREAK);
const clauseEnd = (sentence: string, at: number) => endOfClause(sentence, at, CLAUSE_BREAK);

/** Where in the sentences a phrase was found: sentence number, then offset in it. */
interface At {
  sentence: number;
  index: number;
}

type Found = Classification & { at: At; end: At };

/** Looks at a candidate phrase once the rule's own checks passed; a reason sets it aside (and the search goes on). */
type Judge = (sentences: string[], at: At, end: At, phrase: string) => Defeat | undefined;

function matchRule(rule: ReplyRule, sentences: string[], judge?: Judge, defeats?: { defeat: Defeat; phrase: string }[]): Found | undefined {
  for (const [i, sentence] of sentences.entries()) {
    const question = /\?\s*$/.test(sentence);
    if (rule.notInQuestions && question) continue;
    for (const pattern of rule.patterns) {
      const all = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
      let m: RegExpExecArray | null;
      while ((m = all.exec(sentence))) {
        if (m[0] === '') {
          all.lastIndex++;
          continue;
        }
        const from = clauseStart(sentence, m.index);
        const before = sentence.slice(from, m.index);
        const clause = sentence.slice(from, clauseEnd(sentence, m.index + m[0].length));
        // Set aside as still in hand ("once it is signed", "part of it", "the rest will follow"): an acknowledgement if nothing else reads.
        const inHand = () => {
          // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- m is the match the loop has just checked (TypeScript does not narrow it inside the callback)
          defeats?.push({ defeat: 'pending', phrase: m![0] });
        };
        if (rule.negatable && (NEGATION.test(before) || NEGATION.test(m[0]))) continue;
        if (rule.pastOnly && NOT_YET.test(before)) {
          if (!/\b(?:if|should|would|could|might|whenever)\b/i.test(before)) inHand();
          continue;
        }
        if (rule.unless?.some((u) => u.test(clause))) continue;
        if (rule.partialBefore?.test(before)) {
          inHand();
          continue;
        }
        const end = m.index + m[0].length;
        if (rule.cancelledAfter?.test([sentence.slice(end), ...sentences.slice(i + 1)].join(' '))) {
          inHand();
          continue;
        }
        if (rule.class === 'resolved' && BUT_NOT.test(sentence.slice(end))) {
          inHand();
          continue;
        }
        const defeat = judge?.(sentences, { sentence: i, index: m.index }, { sentence: i, index: end }, m[0]);
        if (defeat) {
          defeats?.push({ defeat, phrase: m[0] });
          continue;
        }
        return { class: rule.class, evidence: m[0], at: { sentence: i, index: m.index }, end: { sentence: i, index: end } };
      }
    }
  }
  return undefined;
}

/**
 * A dated commitment: a commitment word, then (within a short distance, in the same sentence)
 * a date that has not passed, with no negation in between ("I won't have them by Friday").
 */
function findPromise(
  sentences: string[],
  messageDate: Date,
  timezone: string,
  opts: { after?: At; accept?: (evidence: string, sentence: string) => boolean; workingDays?: WorkingDays; passed?: string[] } = {},
): (Classification & { at: At }) | undefined {
  const today = localDate(messageDate, timezone);
  for (const [i, sentence] of sentences.entries()) {
    if (opts.after && i < opts.after.sentence) continue;
    if (/\?\s*$/.test(sentence)) continue;
    const dates = findAllEnGbDates(sentence, messageDate, timezone, { workingDays: opts.workingDays });
    if (dates.length === 0) continue;
    const commitments = new RegExp(COMMITMENT.source, 'gi');
    if (opts.after?.sentence === i) commitments.lastIndex = opts.after.index;
    let c: RegExpExecArray | null;
    while ((c = commitments.exec(sentence))) {
      const at = c.index;
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- c is the match the loop condition has just checked (TypeScript does not narrow it inside the callback)
      const date = dates.find((d) => d.index >= at && d.index - (at + c![0].length) <= 80) ?? sameDay(sentence, dates, at, c[0].length);
      if (!date) continue;
      // "By", "before" are a deadline only with the date straight after: "sent by post on Monday" is a means, not a promise.
      if (DEADLINE_WORD.test(c[0]) && !/^\s*(?:(?:on|the|this|next|latest)\s+)*$/i.test(sentence.slice(at + c[0].length, date.index))) continue;
      const end = date.index + date.matched.length;
      const from = clauseStart(sentence, at);
      if (PROMISE_NEGATION.test(sentence.slice(from, end))) continue;
      // A promise is a commitment to deliver the thing by a date, not to look into it by then.
      if (onlyLooksIntoIt(sentence.slice(from, date.index))) continue;
      if (PAST_INTENT.test(sentence.slice(from, at + c[0].length))) continue;
      if (CONDITION_BEFORE_DATE.test(sentence.slice(at + c[0].length, date.index))) continue;
      const evidence = sentence.slice(at, end).slice(0, 200);
      if (opts.accept && !opts.accept(evidence, sentence.slice(from))) continue;
      // A date already gone holds nothing: the caller may read it as an acknowledgement.
      if (date.date < today) {
        // Only a commitment in words ("will", "aim to"): "informed by phone on 7 December" is a record, not a promise.
        if (!/^(?:by|before|no later than|at the latest)$/i.test(c[0])) opts.passed?.push(evidence);
        continue;
      }
      return { class: 'promise', evidence, promiseDate: date.date, at: { sentence: i, index: at } };
    }
  }
  return undefined;
}

/** Commitment words that are prepositions of a deadline. */
const DEADLINE_WORD = /^(?:by|before|no later than|at the latest)$/i;

/** Will-words that can put a non-delivery before a date ("I'll look into it by Friday"). */
const WILL = /\b(?:will|shall|'ll|going to|aim(?:ing)? to|hope to|hoping to|plan(?:ning)? to|intend(?:ing)? to)\b/gi;

/**
 * The clause up to the date commits only to something short of the thing: "I'll look into it
 * on Monday", "I'll speak to the IRO tomorrow", "I will update you by Friday". A delivery
 * anywhere in it ("I'll check and send them by Friday") makes it a promise after all.
 */
function onlyLooksIntoIt(clauseToDate: string): boolean {
  if (LATER_DELIVERY.test(clauseToDate)) return false;
  for (const w of clauseToDate.matchAll(WILL)) {
    if (NOT_DELIVERY.test(clauseToDate.slice(w.index + w[0].length))) return true;
  }
  return false;
}

/**
 * "Aisha is back on the 18th and will send the minutes that day": a commitment that points back
 * at the date written before it ("that day", "the same day") takes that date.
 */
function sameDay(sentence: string, dates: ParsedDate[], at: number, length: number): ParsedDate | undefined {
  const back = /^[^.?!]{0,60}?\b(?:on )?(?:that (?:day|date)|the same day)\b/i.exec(sentence.slice(at + length));
  if (!back) return undefined;
  const earlier = dates.filter((d) => d.index + d.matched.length <= at).at(-1);
  return earlier ? { ...earlier, index: at + length + back[0].length - back[0].trimStart().length, matched: back[0].trimStart() } : undefined;
}

/**
 * Classifies a chased recipient's new text: disputed, resolved, a dated promise, acknowledged,
 * or other (see `reply-rules.ts` for the phrases and the order). Dates are read in en-GB
 * relative to the message's own date in the organisation's timezone, and "within 5 working
 * days" on its working days (`WorkCalendar`: weekends and its nation's bank holidays) when given.
 */
function classifyWords(newText: string, messageDate: Date, timezone: string, workingDays: WorkingDays | undefined, context: ReplyContext): Classification {
  const parts = sentencesOf(newText.slice(0, 20_000));
  const defeats: { defeat: Defeat; phrase: string }[] = [];
  const judge = doneJudge(context);
  for (const cls of CLASS_ORDER) {
    if (cls === 'promise') {
      const passed: string[] = [];
      const promise = findPromise(parts, messageDate, timezone, { workingDays, passed });
      if (promise) return plain(promise);
      // "The report will be sent by 30 November", written in December: it is in hand, but no hold.
      if (passed[0] !== undefined) return { class: 'acknowledged', evidence: passed[0] };
      continue;
    }
    const rule = REPLY_RULES.find((r) => r.class === cls);
    const found = rule ? matchRule(rule, parts, cls === 'resolved' ? judge : undefined, cls === 'resolved' ? defeats : undefined) : undefined;
    if (!found && cls === 'resolved' && defeats.some((d) => d.defeat === 'other-item' || d.defeat === 'no-attachment')) {
      // A done statement about something else, or "attached" with nothing attached: only a dated
      // promise about the thing itself still counts; nothing else is guessed at.
      const promise = findPromise(parts, messageDate, timezone, { workingDays });
      if (promise) return plain(promise);
      return { class: 'other' };
    }
    if (found && cls === 'resolved' && !DELIVERED_HERE.test(found.evidence ?? '')) {
      // "Completed, and I will send them by Friday": something is still to come by a date, so
      // the ladder holds until then rather than stopping on a part that was done.
      const later = findPromise(parts, messageDate, timezone, {
        workingDays,
        after: found.end,
        accept: (evidence, clause) => LATER_DELIVERY.test(evidence) && !CONDITIONAL.test(clause),
      });
      if (later) return plain(later);
    }
    if (found) return plain(found);
  }
  // "Done, but it goes out once the chair has signed it" with no date, or the wrong one sent and
  // the right one to come: the sender has it in hand.
  const pending = defeats.find((d) => d.defeat === 'pending' || d.defeat === 'wrong-item');
  if (pending) return { class: 'acknowledged', evidence: pending.phrase };
  // "They haven't been sent yet": the sender owns that it is outstanding.
  for (const sentence of parts) {
    if (/\?\s*$/.test(sentence)) continue;
    const notYet = NOT_DONE_YET.exec(sentence);
    if (notYet) return { class: 'acknowledged', evidence: notYet[0] };
  }
  return { class: 'other' };
}

/**
 * The checks a done phrase must pass beyond its own clause (not-yet-done.ts): no hedge before it,
 * no wrong item or resend, nothing pending after it or in the next sentence, about the case's
 * category, and — for "attached" and its kin — a document really attached, when the attachments are known.
 */
function doneJudge(context: ReplyContext): Judge {
  const documents = context.attachments?.filter(isDocument);
  return (sentences, at, end, phrase) => {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- at is a position found in these sentences
    const sentence = sentences[at.sentence]!;
    const next = sentences[at.sentence + 1] ?? '';
    const before = sentence.slice(0, at.index);
    const after = sentence.slice(end.index);
    const here = DELIVERED_HERE.test(phrase);
    if (HEDGE.test(before)) return 'hedge';
    if (WRONG_ITEM.test(sentence) || (WRONG_ITEM.test(next) && !CORRECTED.test(sentence))) return 'wrong-item';
    if ([sentence, next].some((s) => RESEND.test(s) && !CONDITIONAL.test(s))) return 'wrong-item';
    if (PENDING_AFTER.test(after) || PENDING_AFTER.test(next)) return 'pending';
    if (REST_TO_COME.test(after) || REST_TO_COME.test(next)) return 'pending';
    if (!here && (LATER_RELEASE.test(after) || (LATER_RELEASE.test(next) && !CONDITIONAL.test(next)))) return 'pending';
    if (FOR_THE_REQUESTER_TO_DO.test(sentence) || FOR_THE_REQUESTER_TO_DO.test(next)) return 'other-item';
    if (aboutOtherItem(sentence, context.category)) return 'other-item';
    if (here && documents) {
      if (documents.length === 0) return 'no-attachment';
      // Nothing named in the words: the attached files' names say what it is.
      if (itemKinds(sentence).size === 0 && aboutOtherItem(documents.map((d) => d.filename ?? '').join(' '), context.category)) return 'other-item';
    }
    return undefined;
  };
}

/** The classification without where it was found. */
function plain(c: Classification & { at?: At; end?: At }): Classification {
  return {
    class: c.class,
    ...(c.evidence !== undefined ? { evidence: c.evidence } : {}),
    ...(c.promiseDate !== undefined ? { promiseDate: c.promiseDate } : {}),
  };
}

/** What, besides the words, a reply is read with. */
export interface ReplyContext {
  /** The sender's words with the signature and disclaimer still on: a secure-mail notice is often all footer. */
  unquoted?: string;
  /** Addresses that are no new contact: the sender's own, the organisation's inbox. */
  ownAddresses?: string[];
  /**
   * The message's attachments. When given, "attached" counts as done only with a document attached
   * (PDF, Word, a photo of a form: not a signature logo or an invitation); when not given, the words alone decide.
   */
  attachments?: readonly { filename?: string; contentType: string; size: number }[];
  /** The case's category ("LAC review minutes"): a done statement about another kind of thing is other. */
  category?: string;
}

/**
 * A secure-mail notice outranks everything (its own note may say "please find attached", but the
 * thing is behind a link); then a hand-over to someone else, with their address; then the words.
 */
function classifyWhole(newText: string, messageDate: Date, timezone: string, workingDays: WorkingDays | undefined, context: ReplyContext): Classification {
  const secure = findSecureNotice(plainForMatching(newText)) ?? (context.unquoted ? findSecureNotice(plainForMatching(context.unquoted)) : undefined);
  if (secure) return { class: 'secure-message', evidence: secure.evidence, secureService: secure.service };
  // A plus address of the inbox (escalations+token@) is the inbox too.
  const bare = (a: string) => addressKey(a).replace(/\+[^@]*@/, '@');
  const own = new Set((context.ownAddresses ?? []).map(bare));
  const redirect = findRedirect(sentencesOf(newText.slice(0, 20_000)), (a) => own.has(bare(a)));
  if (redirect) return { class: 'redirected', evidence: redirect.evidence, redirectTo: redirect.to };
  return classifyWords(newText, messageDate, timezone, workingDays, context);
}

/** The class of the reply's words, plus any meeting date it confirms (meeting-date.ts). */
export function classifyReply(newText: string, messageDate: Date, timezone: string, workingDays?: WorkingDays, context: ReplyContext = {}): Classification {
  const words = classifyWhole(newText, messageDate, timezone, workingDays, context);
  const meeting = findMeetingDate(sentencesOf(newText.slice(0, 20_000)), messageDate, timezone);
  return meeting ? { ...words, meetingDate: meeting.date, meetingEvidence: meeting.evidence } : words;
}
