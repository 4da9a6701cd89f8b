import { DateTime } from 'luxon';
import { clauseStart as startOfClause } from './clauses.js';
import { findAllEnGbDates, localDate } from './en-gb-dates.js';

/**
 * A reply confirming when a meeting will be held: "I can confirm the meeting for 14 January at
 * 10am", "Meeting booked for Tuesday 12th", "we have arranged the meeting for 4/12". Ladders
 * whose rungs ask for a meeting (FIRO stages 2 and 3: "the FSM will confirm the date of the
 * meeting") use it to wait for the meeting before the next stage, which follows only "if no
 * resolution has been achieved from the meeting".
 *
 * Kept apart from the reply classes (reply-rules.ts): a meeting date is noted whatever the class,
 * and what it does is the case's business (apply-reply.ts, meeting-hold.ts).
 */
export interface MeetingDate {
  /** The meeting's local date, YYYY-MM-DD. */
  date: string;
  /** The words that gave it. */
  evidence: string;
}

/** Wording that says a meeting has a date: confirmed, booked, arranged, or simply "is on". */
const MEETING_CONFIRMED: RegExp[] = [
  /\bconfirm(?:ed|ing)?\b(?: that)?(?: the| a| our| your)?(?: \w+){0,3}? meeting\b/i,
  /\bmeeting(?: date)?(?: \w+){0,4}? (?:is |has been |have been |was |now |been )*(?:confirmed|booked|arranged|re-?arranged|scheduled|rescheduled|re-?booked|set up|fixed|organised|organized|agreed|moved|set)\b/i,
  /\b(?:booked|arranged|scheduled|rescheduled|set up|fixed|organised|organized|agreed|moved|put in)\b(?: \w+){0,3}? meeting\b/i,
  /\bmeeting(?: date)?(?: \w+){0,4}? (?:will (?:be held|take place|go ahead|be)|is (?:on|for|at|taking place|being held)|takes place)\b/i,
  /\bconfirm(?:ed|ing)?(?: that)? (?:the |a )?date (?:of|as|for|is)\b/i,
  // Without the word: "this has been arranged for 14 January", "I have booked it for the 14th".
  // Only a reply to a rung that asked for a meeting is read for one, so "it" is that meeting.
  /\b(?:it|this|that|a date|the date)(?: has been| have been| is| was|'s)? (?:now )?(?:booked|arranged|scheduled|set up|fixed|confirmed|organised|organized)\b/i,
  /\b(?:i|we)(?:'ve| have)? (?:now )?(?:booked|arranged|scheduled|set up|organised|organized|fixed) (?:it|this|that|a date|the date)\b/i,
];

/** Before the words, in the same clause, these make it no confirmation ("we have not booked"). */
const NOT_CONFIRMED =
  /\b(?:not|no|never|nothing|cannot|can't|unable|won't|yet to|cancel(?:l?ed|ling)?|called off|hope|hoping|try|trying|aim|aiming|intend|intending|plan(?:ning)? to|propose|proposed|proposing|suggest|suggested|suggesting|provisional(?:ly)?|tentative(?:ly)?|pencil(?:led)?|would|could|might|if|unless|whether|awaiting|waiting|will (?:confirm|book|arrange|try)|'ll (?:confirm|book|arrange|try)|(?:need|needs|have|has) to|to (?:book|arrange|set up)|please (?:confirm|book|arrange|let))\b|n't\b/i;

/** After the words, these unsay them ("the meeting booked for 14 January has been cancelled"). */
const UNDONE = /\b(?:cancel(?:l?ed|ling)?|called off|not (?:go(?:ing)? ahead|take place|happen))\b/i;

const CLAUSE_BREAK = /[,;:()]|\s-\s|\b(?:but|however|although|though|whereas)\b/gi;

const MONTH_WORDS = /^(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?$/i;
const WEEKDAYS: Record<string, number> = { mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6, sun: 7 };

/**
 * "Tuesday 12th" (a day name and a day of the month, no month): the first such date from the
 * reference day on whose day name agrees, this month or the next two. The general date reader takes the day
 * name alone ("next Tuesday"), which is the wrong week when the 12th is a month away.
 */
function dayNameAndOrdinal(sentence: string, reference: Date, timezone: string): { date: string; index: number; length: number }[] {
  const today = DateTime.fromISO(localDate(reference, timezone), { zone: timezone });
  const out: { date: string; index: number; length: number }[] = [];
  const re = /\b(mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+(?:the\s+)?(\d{1,2})(st|nd|rd|th)\b(?:\s+(?:of\s+)?([a-z]+\.?))?/gi;
  let m: RegExpExecArray | null;
  while ((m = re.exec(sentence))) {
    if (m[4] && MONTH_WORDS.test(m[4])) continue; // "Tuesday 12th January": the general reader has it
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the group is not optional, so it is set whenever the pattern matched
    const weekday = WEEKDAYS[m[1]!.slice(0, 3).toLowerCase()];
    const day = Number(m[2]);
    if (!weekday || day < 1 || day > 31) continue;
    for (let i = 0; i < 3; i++) {
      const month = today.plus({ months: i });
      const candidate = DateTime.fromObject({ year: month.year, month: month.month, day }, { zone: timezone });
      if (!candidate.isValid || candidate < today.startOf('day') || candidate.weekday !== weekday) continue;
      out.push({ date: candidate.toISODate(), index: m.index, length: m[0].length - (m[4] ? m[4].length : 0) });
      break;
    }
  }
  return out;
}

const clauseStart = (sentence: string, at: number) => startOfClause(sentence, at, CLAUSE_BREAK);

/**
 * The date a meeting is confirmed for, if the text confirms one: meeting wording (see
 * `MEETING_CONFIRMED`) with a date after it in the same sentence (within 80 characters), not
 * hedged, negated or cancelled, not a question, and not already past. Dates are read in en-GB
 * relative to the message's own date in the organisation's timezone.
 */
export function findMeetingDate(sentences: string[], messageDate: Date, timezone: string): MeetingDate | undefined {
  const today = localDate(messageDate, timezone);
  for (const sentence of sentences) {
    if (/\?\s*$/.test(sentence)) continue;
    for (const pattern of MEETING_CONFIRMED) {
      const m = pattern.exec(sentence);
      if (!m) continue;
      if (NOT_CONFIRMED.test(sentence.slice(clauseStart(sentence, m.index), m.index + m[0].length))) continue;
      if (UNDONE.test(sentence.slice(m.index + m[0].length))) continue;
      const dates = [
        ...dayNameAndOrdinal(sentence, messageDate, timezone),
        ...findAllEnGbDates(sentence, messageDate, timezone).map((d) => ({ date: d.date, index: d.index, length: d.matched.length })),
      ]
        .filter((d) => d.index >= m.index && d.index - (m.index + m[0].length) <= 80 && d.date >= today)
        .sort((a, b) => a.index - b.index || b.length - a.length);
      const first = dates[0];
      if (!first) continue;
      return { date: first.date, evidence: sentence.slice(m.index, first.index + first.length).slice(0, 200) };
    }
  }
  return undefined;
}
