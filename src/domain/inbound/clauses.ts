/**
 * Clause boundaries inside a sentence, for rules that must read a phrase with its own clause only
 * ("the minutes were sent, but the plan will follow by Friday"). Each rule passes its own break
 * pattern: the reply rules split on "and", the meeting-date rule does not.
 */

/** Start of the clause that contains position `at`. */
export function clauseStart(sentence: string, at: number, pattern: RegExp): number {
  let start = 0;
  const breaks = new RegExp(pattern.source, 'gi');
  let m: RegExpExecArray | null;
  while ((m = breaks.exec(sentence)) && m.index < at) start = m.index + m[0].length;
  return start;
}

/** End of the clause that contains position `at`. */
export function clauseEnd(sentence: string, at: number, pattern: RegExp): number {
  const breaks = new RegExp(pattern.source, 'gi');
  breaks.lastIndex = at;
  const m = breaks.exec(sentence);
  return m ? m.index : sentence.length;
}
