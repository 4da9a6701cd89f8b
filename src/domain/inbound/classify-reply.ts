import type { ReplyClass } from '../case/apply-reply.js';
import { findEnGbDate } from './en-gb-dates.js';
import { COMMITMENT, NEGATION, REPLY_RULES } from './reply-rules.js';

export interface Classification {
  class: ReplyClass;
  /** The phrase that decided it. */
  evidence?: string;
  /** For a promise: the promised local date (YYYY-MM-DD). */
  promiseDate?: string;
}

function sentences(text: string): string[] {
  return text
    .replace(/\s+/g, ' ')
    .split(/(?<=[.!?])\s+|\n+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * Classifies a chased recipient's new text: resolved, a dated promise, acknowledged, disputed,
 * or other. Dates are read in en-GB relative to the message's own date.
 */
export function classifyReply(newText: string, messageDate: Date, timezone: string): Classification {
  const parts = sentences(newText);
  for (const rule of REPLY_RULES) {
    for (const sentence of parts) {
      for (const pattern of rule.patterns) {
        const m = pattern.exec(sentence);
        if (!m) continue;
        const before = sentence.slice(0, m.index + m[0].length);
        if (rule.class === 'resolved' && NEGATION.test(before)) continue;
        if (rule.class === 'resolved' && /\bwill\b|'ll\b/i.test(before)) continue;
        return { class: rule.class, evidence: m[0] };
      }
    }
    if (rule.class === 'resolved') {
      // Promises outrank acknowledgements: "I'll look into it and send them by Friday" is a promise.
      const promise = findPromise(parts, messageDate, timezone);
      if (promise) return promise;
    }
  }
  return findPromise(parts, messageDate, timezone) ?? { class: 'other' };
}

function findPromise(parts: string[], messageDate: Date, timezone: string): Classification | undefined {
  for (const sentence of parts) {
    if (!COMMITMENT.test(sentence)) continue;
    const date = findEnGbDate(sentence, messageDate, timezone);
    if (date) return { class: 'promise', evidence: sentence.slice(0, 200), promiseDate: date.date };
  }
  return undefined;
}
