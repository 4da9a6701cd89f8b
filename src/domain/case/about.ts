import { parseDirectiveLine } from '../inbound/directives.js';
import { rolesOf } from '../ladder/effective-ladder.js';
import type { CaseContext } from './case-context.js';
import type { CaseState } from './case-state.js';
import type { ReplyClass } from './reply-class.js';

/** How much of the request's own text a chaser to someone new quotes (characters). */
export const ABOUT_TEXT_LIMIT = 1500;

/**
 * The request's new text as a chaser to someone new quotes it (issue 15.2): the RM's own words,
 * never the quoted thread below them (the stored new text has none), without the directive lines
 * meant for the service ("Ladder: …", "Team manager: …", a "Child:" line, which may hold a name),
 * blank runs folded, cut at a word near `limit` characters. Empty when nothing is left.
 */
export function requestTextForAbout(
  newText: string,
  state: CaseState,
  ctx: Pick<CaseContext, 'ladder' | 'calendar'>,
  limit = ABOUT_TEXT_LIMIT,
): { lines: string[]; trimmed: boolean } {
  const opts = { roles: rolesOf(ctx.ladder), ladderIds: [ctx.ladder.id], reference: new Date(state.openedAt), timezone: ctx.calendar.timezone };
  const kept = newText
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.replace(/\s+$/, ''))
    .filter((l) => parseDirectiveLine(l, opts) === undefined && !/^\s*#?\[?escalate\]?\s*$/i.test(l));
  let text = kept
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  let trimmed = false;
  if (text.length > limit) {
    const cut = text.slice(0, limit);
    const space = cut.search(/\s\S*$/);
    text = `${(space > limit * 0.8 ? cut.slice(0, space) : cut).trimEnd()} …`;
    trimmed = true;
  }
  return { lines: text ? text.split('\n') : [], trimmed };
}

/** What an answer was, in a sentence's words: "promised it by Friday 4 December 2026". */
export function answerText(a: { class: ReplyClass; promisedFor?: string }, formatDate: (isoDate: string) => string): string {
  switch (a.class) {
    case 'resolved':
      return 'said it was done';
    case 'promise':
      return a.promisedFor ? `promised it by ${formatDate(a.promisedFor)}` : 'promised it';
    case 'acknowledged':
      return 'acknowledged it, but it was not done';
    case 'disputed':
      return 'disputed it';
    case 'redirected':
      return 'said someone else now holds it';
    case 'secure-message':
      return 'replied through a secure-message service';
    case 'other':
      return 'replied, but it was not done';
  }
}
