import type { ReplyClass } from '../case/apply-reply.js';

/**
 * What a chased recipient's words mean, as data: each rule is a class and the phrases that
 * show it. Checked in order; the first match wins and its phrase is kept as evidence.
 */
export interface ReplyRule {
  class: Exclude<ReplyClass, 'promise' | 'other'>;
  patterns: RegExp[];
}

export const REPLY_RULES: ReplyRule[] = [
  {
    class: 'disputed',
    patterns: [
      /\bnot (?:our|my|the team'?s) responsibility\b/i,
      /\b(?:i am|i'm|we are|we're) not responsible\b/i,
      /\bno longer (?:the allocated|allocated|responsible|the social worker|working (?:with|on))\b/i,
      /\b(?:wrong|not the right) (?:person|team|department|local authority)\b/i,
      /\bshould be (?:directed|sent|addressed) to\b/i,
      /\b(?:i|we) (?:do not|don't) agree\b|\bdisagree\b/i,
      /\bnot (?:a )?(?:statutory|required)\b/i,
    ],
  },
  {
    class: 'resolved',
    patterns: [
      /\bplease find (?:the |these |it )?(?:attached|enclosed)\b/i,
      /\b(?:attached|enclosed) (?:are|is|please find) (?:the|a copy)\b/i,
      /\bhere (?:are|is) the (?:minutes|plan|report|document)/i,
      /\b(?:minutes|report|plan|review|document|form|it|this|action|task)s? (?:have|has) (?:now )?been (?:sent|completed|uploaded|shared|circulated|finalised|done|signed off|issued|actioned)\b/i,
      /\b(?:is|are|was|were) (?:now )?(?:complete|completed|done|finalised|resolved|sorted|in place)\b/i,
      /\b(?:i|we) have (?:now )?(?:sent|completed|uploaded|attached|circulated|actioned|resolved|done)\b/i,
      /\bthis (?:is|has been) (?:now )?(?:done|sorted|resolved|dealt with)\b/i,
      /\b(?:now|just) (?:been )?(?:sent|uploaded|completed)\b/i,
    ],
  },
  {
    class: 'acknowledged',
    patterns: [
      /\bwill (?:look into|chase|follow (?:this )?up|pick (?:this|it) up|get back to you|action|come back to you|ask|check|find out)\b/i,
      /\b(?:am|are|i'm|we're) (?:looking into|chasing|following up|working on)\b/i,
      /\bthanks? (?:you )?for (?:the|your) (?:reminder|email|message|patience|chaser)\b/i,
      /\b(?:noted|received|acknowledged)\b/i,
      /\bapolog(?:ies|ise|ize) for the delay\b/i,
    ],
  },
];

/** Words that turn "completed" into "not completed". */
export const NEGATION = /\b(?:not|n't|never|yet to|still (?:to|need|waiting|outstanding)|awaiting|pending|hasn't|haven't|isn't|wasn't|unable|cannot|can't)\b/i;

/** A commitment that, with a date, makes a promise ("I will send them by Friday"). */
export const COMMITMENT =
  /\b(?:will|shall|'ll|aim to|aiming to|expect to|hope to|going to|intend to|plan to|should (?:be|have)|promise|by|before|no later than|at the latest)\b/i;
