/**
 * "Someone else holds this now": the sender names another person or mailbox to ask, with an
 * address. The address is offered to the RM (they decide whether to add them). Needs both an
 * address other than the sender's and the organisation's, and words that hand the matter over,
 * in the same sentence or the one next to it.
 */
export interface Redirect {
  to: string;
  evidence: string;
}

const ADDRESS = /\b[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b/g;

/** Words that pass the matter to someone else. */
const HAND_OVER = new RegExp(
  [
    // "please contact / email / send it to / direct this to / resend your request to"
    String.raw`\b(?:please|pls|kindly|best to|you(?:'ll)? need to|you need|you should|can you|could you)\b[^.?!]{0,40}?\b(?:contact|e-?mail|ask|send|resend|direct|forward|write to|speak to|check with|get in touch)\b`,
    String.raw`^\s*(?:contact|e-?mail|send (?:it|this|them|your request) to|direct (?:it|this) to)\b`,
    String.raw`\byou need\b|\b(?:go|goes) to\b`,
    // "no longer the allocated worker", "not the IRO any more", "I've moved", "left the Trust"
    String.raw`\bno longer\b|\bany ?more\b|\b(?:i've|i have|has|have) (?:now )?(?:moved|left|changed (?:teams?|roles?|jobs?))\b|\bleft (?:the|my|this)\b|\bmoved to\b|\bcontract\b[^.?!]{0,30}\bended\b`,
    // "the new social worker is", "X is now the IRO", "X is covering", "took over", "holds the"
    String.raw`\bnew (?:social worker|worker|sw|iro|dt|designated teacher|adviser|advisor|personal adviser|pa|manager|contact|address|mailbox|team)\b|\bis now (?:the|their|his|her|our)\b|\b(?:is|are) covering\b|\btook over\b|\btaken over\b|\bholds? (?:the|these|this|it|all)\b|\bsits? with\b|\bis with\b|\bit's with\b|\bin charge of\b|\bdeals? with\b|\bsupervises\b|\bnow (?:coordinated|handled|dealt with|managed|held) by\b`,
    // "I've forwarded this to", "passed this to", "handed this over to", "transferred to"
    String.raw`\b(?:forwarded|passed|handed|transferred|referred|redirected|moved)\b(?: (?:this|it|your (?:e-?mail|message|request)))?(?: (?:over|on))? to\b`,
    // leave, sickness, secondment: "on leave until … please contact"
    String.raw`\bon (?:\w+ )?(?:leave|secondment)\b|\boff (?:sick|work)\b|\bmaternity\b`,
    String.raw`\b(?:in the meantime|from then on|instead)\b|\bthe responsibility of\b|\bdistribute\b|\bsends? (?:the )?(?:records|minutes|reports) out\b`,
  ].join('|'),
  'i',
);

/** "If you need anything else, please contact …": for what comes next, not what was asked. */
const ONLY_FURTHER = /\banything else\b|\bany (?:other|further)\b|\bfurther (?:queries|questions|information)\b/i;

/** "I've copied her in" with no hand-over words is no redirect; "I've sent the minutes to x@y" neither. */
const ONLY_COPIED = /\b(?:copied|cc'?d|cc)\b/i;

/**
 * The first address another holder is given at, in a sentence with hand-over words (or next to
 * one), or undefined. `ignore` is the sender's own and the organisation's addresses.
 */
export function findRedirect(sentences: string[], ignore: (address: string) => boolean): Redirect | undefined {
  for (const [i, sentence] of sentences.entries()) {
    for (const m of sentence.matchAll(ADDRESS)) {
      const to = m[0].replace(/[.'-]+$/, '');
      if (ignore(to)) continue;
      const near = [sentences[i - 1] ?? '', sentence, sentences[i + 1] ?? ''];
      const own = sentence.replace(ADDRESS, ' ');
      const handOver = HAND_OVER.test(own) || near.some((s, k) => k !== 1 && HAND_OVER.test(s.replace(ADDRESS, ' ')) && !/\?\s*$/.test(s));
      if (!handOver) continue;
      if (ONLY_COPIED.test(own) && !HAND_OVER.test(own)) continue;
      if (ONLY_FURTHER.test(own)) continue;
      return { to: to.toLowerCase(), evidence: sentence.slice(0, 200) };
    }
  }
  return undefined;
}
