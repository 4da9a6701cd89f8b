import type { ReplyClass } from '../case/reply-class.js';

/**
 * What a chased recipient's words mean, as data. Each rule is a class and the phrases that show
 * it; the phrase that matched is kept as evidence. Text is matched after typographic quotes and
 * dashes are made plain ("haven’t" → "haven't"), one clause at a time.
 *
 * Precedence (see `CLASS_ORDER`): a dispute outranks everything ("please find attached our
 * letter: this is not our responsibility"); "done" outranks a promise, except that a dated
 * delivery written after the done phrase wins ("the minutes are completed and I will send them
 * by Friday": see `LATER_DELIVERY`) unless the document came with the reply itself
 * (`DELIVERED_HERE`); a dated promise outranks an acknowledgement ("I will look into it and send
 * them by Friday" is a promise).
 */
export interface ReplyRule {
  class: Exclude<ReplyClass, 'promise' | 'other' | 'redirected' | 'secure-message'>;
  patterns: RegExp[];
  /** A negation or hedge in the same clause, before the phrase, cancels it ("not yet completed"). */
  negatable: boolean;
  /** Future, conditional or obligation wording before the phrase cancels it ("will be sent once…"). */
  pastOnly: boolean;
  /** A question ("Has this been done?") is not a statement. */
  notInQuestions: boolean;
  /** Clauses that look like the class but are not ("I have sent an email to the chair"). */
  unless?: RegExp[];
  /** Words before the phrase, in its clause, that make it only part of the whole ("part of the minutes have been sent"). */
  partialBefore?: RegExp;
  /** Words anywhere after the phrase that say the rest is still to come ("the rest will follow"). */
  cancelledAfter?: RegExp;
}

export const CLASS_ORDER: readonly Exclude<ReplyClass, 'other' | 'redirected' | 'secure-message'>[] = ['disputed', 'resolved', 'promise', 'acknowledged'];

const DOCUMENTS =
  '(?:minutes|notes|plan|care plan|pathway plan|report|review|document|documents|form|forms|paperwork|letter|assessment|referral|information|details|copy|copies|action|actions|task|request|it|this|these|they|that)';
/** What "I have …" must be followed by to mean done ("I have sent", not "I have arranged a meeting"). */
const DONE_VERBS =
  '(?:sent|completed|finished|written up|typed up|uploaded|attached|circulated|actioned|resolved|done|shared|submitted|finalised|finalized|signed off|issued|provided|dealt with|sorted|paid|e-?mailed|posted|delivered|hand[- ]delivered|distributed)';
/** The same after "has been", where a few more verbs mean the request was met ("has been allocated"). */
const PASSIVE_DONE = `(?:${DONE_VERBS.slice(3, -1)}|approved|authorised|authorized|allocated|agreed|updated|arranged|booked)`;

/** Done-words that read as "finished" after is/are/was/were ("the minutes are attached"). */
const SHORT_DONE =
  '(?:sent|completed|complete|finished|written up|typed up|uploaded|attached|enclosed|circulated|finalised|finalized|signed off|done|actioned|resolved|dealt with|sorted|in place)';

export const REPLY_RULES: ReplyRule[] = [
  {
    class: 'disputed',
    negatable: false,
    pastOnly: false,
    notInQuestions: false,
    patterns: [
      /\bnot (?:our|my|the team's|this team's|this service's|the service's|the local authority's|the la's) responsibility\b/i,
      /\b(?:is|are|was|remains|would be) (?:the )?responsibility of\b/i,
      /\b(?:i am|i'm|we are|we're|this team is|the team is|the service is)(?: not| no longer) (?:responsible|the (?:allocated|responsible)|involved|allocated)\b/i,
      /\bno longer (?:the allocated|allocated|responsible|involved|the social worker|the worker|working (?:with|on)|open to)\b/i,
      /\b(?:wrong|not the right|not the correct|incorrect) (?:person|team|service|department|local authority|authority|address|contact)\b/i,
      /\bshould (?:be|have been) (?:directed|sent|addressed|raised|referred) (?:to|with)\b/i,
      /\b(?:i|we) (?:do not|don't|did not|didn't) agree\b|\b(?:i|we) disagree\b|\bdispute (?:this|that|the)\b/i,
      /\bnot (?:a )?(?:statutory (?:requirement|duty)|required|something we (?:do|provide|are required to))\b/i,
      /\b(?:has|have|was|were) (?:been )?transferred to\b|\bcase (?:has been |was |is )?closed (?:to|with|by) (?:us|our|the)\b/i,
      /\b(?:we|i) (?:do not|don't) hold (?:this|these|that|the|any)\b/i,
      // Not owed yet, or not late: "isn't due until March", "nothing outstanding", "we are within that".
      /\b(?:isn't|is not|aren't|are not|not) (?:yet )?(?:due|overdue|late)\b|\bnot due until\b/i,
      /\bnothing (?:is )?outstanding\b|\bno outstanding (?:action|actions|work|task|tasks|request)\b/i,
      /\b(?:i|we) (?:do not|don't) accept\b|\b(?:i|we) (?:do not|don't) think (?:this|it|that) is (?:late|fair|overdue|right|reasonable)\b/i,
      /\bwe are within\b|\bwithin (?:the |our |that |those )?(?:timescales?|deadline|time limit)\b/i,
      /\b(?:timescales?|deadlines?)\b[^.?!]{0,60}\b(?:don't|do not|doesn't|does not) apply\b|\bthe (?:deadline|timescale|date) you (?:quote|give|mention|cite)\b/i,
      /\b(?:this|that) is (?:not correct|incorrect)\b/i,
      // Not theirs: "this action isn't ours", "isn't for me to send", "not in my control".
      /\b(?:isn't|is not|aren't|are not) (?:ours|mine)\b|\b(?:isn't|is not|not) for (?:me|us) to\b|\bnot (?:in|within) (?:my|our) control\b/i,
      /\b(?:isn't|is not|aren't|are not) (?:\w+'?s? ){0,3}responsibility\b/i,
      /\b(?:delay|hold-up) (?:is|was|lies) not with\b/i,
      // Refusals: "we are not able to share", "we do not send copies", "only sent to the GP".
      /\bwe (?:will not|won't|do not|don't|cannot|can't|are not able to|aren't able to|are unable to|are not going to|aren't going to) (?:be )?(?:send|sending|share|sharing|issue|issuing|produce|producing|provide|providing|release|releasing|respond|responding|disclose|disclosing)\b/i,
      /\b(?:are|is) (?:never|only) (?:shared|sent|given|provided|released|issued)\b|\b(?:never|only) (?:shared|sent|given) (?:with|to)\b|\bsent to\b[^.?!]{0,60}\bonly\b/i,
      /\bnot (?:going to|able to) (?:produce|send|write|do) (?:it|them|this|that) again\b/i,
      /\b(?:no|nothing) (?:[\w-]+ ){0,3}?(?:for (?:us|me) )?to (?:send|produce|provide|share)\b/i,
      /\b(?:doesn't|does not|don't|do not) (?:produce|issue|generate|write) (?:a |any )?(?:written )?(?:minutes|plan|plans|record|records|report|reports)\b/i,
      // Challenges: "I have to challenge this", "please do not escalate", "never agreed".
      /\b(?:i|we) (?:have to|must|would) challenge\b|\bwith (?:the greatest|all due|the utmost) respect\b|^with respect,/i,
      /\bplease (?:do not|don't) escalate\b|\b(?:escalating|chasing)\b[^.?!]{0,30}\b(?:is not appropriate|isn't appropriate|not appropriate|seems premature|is premature|is unfair|won't make)\b/i,
      /\b(?:was|were) never agreed\b|\bnever (?:received|been sent|had) (?:a|any|the) request\b|\bnot aware of any (?:agreement|request)\b/i,
    ],
    unless: [
      // "I am not responsible for the delay, but I will send them by Friday" disowns the delay, not the task.
      /\bresponsible for (?:the |this |these |any |all (?:the |of the )?)?(?:delays?|wait|hold[- ]ups?|lateness|late (?:reply|response))\b/i,
      // A delay, not a refusal: "we can't send them until Friday / yet / today".
      // ("Not due yet" is no delay: it says nothing is owed.)
      /\b(?:(?<!\bdue )yet|today|tomorrow|this week|in time|until (?:monday|tuesday|wednesday|thursday|friday|next|the \d|\d))\b/i,
    ],
  },
  {
    class: 'resolved',
    negatable: true,
    pastOnly: true,
    notInQuestions: true,
    patterns: [
      // "Please find … attached" with any words between.
      /\bplease find\b[^.?!]{0,100}?\b(?:attached|enclosed)\b/i,
      /\b(?:please )?see (?:the )?attached\b/i,
      /\b(?:i|we) (?:have )?(?:now )?attach(?:ed)?\b/i,
      /\b(?:i|we)'ve (?:now )?attached\b/i,
      /\b(?:attached|enclosed) (?:are|is|you will find|please find)\b/i,
      new RegExp(`\\bhere (?:are|is) (?:the|a copy of the|our|my) ${DOCUMENTS}\\b`, 'i'),
      new RegExp(`\\b${DOCUMENTS} (?:have|has|had) (?:now |just |already |finally |today )?been ${PASSIVE_DONE}\\b`, 'i'),
      new RegExp(`\\b${DOCUMENTS} (?:were|was|are|is) (?:now |just |already |finally |today )?${SHORT_DONE}\\b`, 'i'),
      new RegExp(
        `\\b(?:i|we|i've|we've|i have|we have|i had|we had|he|she|they|he's|she's|they've|he has|she has|they have) (?:now |just |already |finally |today )?(?:have )?${DONE_VERBS}\\b`,
        'i',
      ),
      /\b(?:is|are|was|were|has been|have been) (?:now |all )?(?:complete|completed|done|finalised|finalized|resolved|sorted|in place|signed off|dealt with)\b/i,
      /\b(?:this|it|that) (?:is|has been) (?:now )?(?:done|sorted|resolved|dealt with|completed|actioned)\b/i,
      /\b(?:now|just|already) (?:been )?(?:sent|uploaded|completed|done|actioned)\b/i,
      /\b(?:all|now) done\b|\bdone and dusted\b/i,
      /^(?:all )?done\b/i,
      // Delivered some other way: posted, e-mailed, handed in, on the system.
      /\b(?:was|were|has been|have been|had been) (?:now |just |already |today |all )?(?:sent|posted|e-?mailed|hand[- ]delivered|delivered|uploaded|distributed|circulated|shared|made|booked)\b/i,
      /\b(?:went|gone) (?:out )?(?:to you|over to you|to the home|to your)\b/i,
      /\b(?:sent|posted|e-?mailed|uploaded|delivered|made|booked|submitted|completed) (?:to you|to the home|today|yesterday|this morning|this afternoon|earlier today|on (?:monday|tuesday|wednesday|thursday|friday)|on \d{1,2}(?:st|nd|rd|th)? \w+)\b/i,
      /\bhand[- ]delivered\b|\bdropped\b[^.?!]{0,60}?\b(?:off|in|through|round)\b/i,
      /\b(?:is|are) (?:now )?(?:on|in|uploaded to) (?:the system|the portal|liquidlogic|mosaic|eclipse|the child's file|their file)\b/i,
      // Came with this reply: read with its attachments (an attached document is the evidence).
      /\b(?:attach(?:ed|ing)|enclosed)\b/i,
      /\bPFA\b/,
      /\bhere (?:they|it|this|these) (?:are|is)\b|\bhere you (?:go|are)\b|\bhere's (?:the|a|my|our|your)\b/i,
      /\b(?:re-?sending|forwarding) (?:these|this|them|it|the|with)\b/i,
    ],
    unless: [
      /\b(?:sent|emailed|forwarded) (?:a|an|another|the) (?:e-?mail|message|reminder|request|chaser|note|query)\b/i,
      /\b(?:sent|passed|forwarded) (?:it|this|your (?:e-?mail|message)) (?:on|over|to (?:my|our|the) (?:manager|team|admin|business support))\b/i,
      /\b(?:attached|see attached) (?:is|are)? ?(?:my|our|a) (?:letter|response|reply) (?:explaining|setting out)\b/i,
      // In transit, not with the requester: "sent to the chair for signing", "submitted for approval".
      /\b(?:sent|passed|forwarded|gone|submitted|returned|given|emailed|e-mailed|uploaded|shared)\b(?: [\w'-]+){0,5}? (?:for|to be) (?:her |his |their |its )?(?:signing|signature|sign(?:ed)?[- ]off|signed|approval|approved|authorisation|authorization|authorised|authorized|checking|checked|review|reviewing|quality assurance|qa|comments?|ratification|agreement|proofreading|proof-reading)\b/i,
      // Who does it, not that it was done: "the PEP is dealt with by our designated teacher".
      /\b(?:is|are) (?:dealt with|done|sent|completed|handled|written|chaired) by\b/i,
      // A draft is not the document asked for ("I have sent the draft plan").
      /\bdrafts?\b/i,
      /\b(?:first|second|1st|2nd|opening) (?:part|half|section|batch|instalment|installment|page)s?\b/i,
      /\bpart (?:one|two|1|2)\b/i,
    ],
    partialBefore:
      /\b(?:part|parts|some|half|most|a few|a couple|a number|a portion|a section|the first (?:part|half|section|few|batch|page)s?|(?:first|second) (?:part|half|section|batch|page)s?) of\b/i,
    cancelledAfter:
      /\b(?:the|a) (?:rest|remainder|remaining|outstanding|others?)\b[^.?!]{0,60}?\b(?:will|to|should|shall|is to|are to|'ll)\b[^.?!]{0,25}?\b(?:follow|come|be (?:sent|uploaded|completed|done|shared|provided|forwarded|finished|finalised|finalized))\b/i,
  },
  {
    class: 'acknowledged',
    negatable: true,
    pastOnly: false,
    notInQuestions: true,
    patterns: [
      /\b(?:will|'ll|shall|going to) (?:look into|look at|chase|follow (?:this |it )?up|pick (?:this|it) up|get back to you|come back to you|give you a (?:ring|call|bell)|ring you|call you|phone you|action|check|find out|ask|update you|let you know|pass (?:this|it) on|raise (?:this|it)|speak (?:to|with)|discuss|respond|reply|prioritise|sort (?:this|it))\b/i,
      /\b(?:am|are|i'm|we're|is) (?:currently )?(?:looking into|chasing|following (?:this |it )?up|working on|on it|aware|dealing with)\b/i,
      /\bthanks? (?:you )?(?:for|4) (?:the|your) (?:reminder|e-?mail|message|patience|chaser|nudge|prompt|follow[- ]up)\b/i,
      /\b(?:noted|received|acknowledged)\b/i,
      /\b(?:apolog(?:ies|ise|ize)|sorry) (?:for|about) (?:the|this) (?:delay|wait)\b/i,
      /\bbear with (?:me|us)\b/i,
      /\b(?:have|'ve) (?:passed|forwarded|escalated) (?:this|it|your (?:e-?mail|message))\b/i,
      // In hand with no date: the sender will do it ("I'll send them as soon as I can", "will do",
      // "will get this over to you", "it will be made once we have consent").
      /\b(?:will|'ll|shall|going to) (?:then |now |also )?(?:send|be sending|resend|re-send|forward|get (?:this|it|them|these|those) (?:over|sorted|done|to you|across|back)|get (?:on|onto|on to) (?:this|it)|make sure|be in touch|find|do\b|sort)/i,
      /\b(?:will|'ll|shall) (?:then )?be (?:sent|made|distributed|circulated|shared|uploaded|forwarded|completed|done|finalised|finalized|signed|ready)\b/i,
      /\b(?:should|ought to) be ready\b/i,
      /\bas soon as (?:i|we) (?:can|am able|are able|possibly can)\b|\basap\b/i,
      /\bleave (?:it|this) with me\b|\b(?:on|at the top of) my (?:list|to-do list|radar)\b|\b(?:this|it) is with me\b/i,
      // Under way but not finished: "being typed by business support", "I'm checking with Priya".
      /\b(?:is|are) (?:currently |still )?being (?:typed|written|drafted|prepared|finalised|finalized|checked|reviewed|completed|updated)\b/i,
      /\b(?:i'm|i am|we're|we are) (?:just )?(?:checking|double[- ]checking)\b|\b(?:i'll|i will|let me) double[- ]check\b/i,
      // Chased internally: "I've asked business support to prioritise", "I've sent a reminder to Sam", a colleague asked to tell the requester.
      /\b(?:have|'ve) (?:asked|reminded|chased|prompted|nudged)\b|\bsent (?:a|another) (?:reminder|chaser|nudge) to\b|\b(?:added|put) (?:this|it) (?:to|on) (?:the|my|our) (?:agenda|list)\b/i,
      /\bconfirm to (?!me\b|us\b)[A-Z][a-z]+\b|\b[Ll]et (?!me\b|us\b)[A-Z][a-z]+(?: and me)? know\b/,
      /\bforwarding (?:[A-Z][a-z]+'s |the |their |his |her )(?:update|reply|response|e-?mail|message)\b/i,
      // Nothing but an assent: "Ok", "Will do", a thumbs up.
      /^(?:ok(?:ay)?|will do|got it|understood|noted|on it|👍)[\s.!]*$/i,
      // With someone for approval: in hand, not with the requester ("still with the IRO for approval").
      /\b(?:is|are) (?:still |now |currently )?with (?:the|my|our|their|his|her) [\w' -]{1,40}? for (?:approval|sign[- ]off|signing|signature|checking|comments?|authorisation|authorization)\b/i,
    ],
    // A disclaimer left in the words ("if you have received this email in error") acknowledges nothing.
    unless: [/\bif you (?:have )?received\b|\breceived (?:this|it)(?: \w+)? in error\b/i],
  },
];

/**
 * "Not done yet", said plainly ("they haven't been sent yet", "nothing has been sent from our
 * side", "I've not sent it yet"): the sender owns that it is outstanding, which is an
 * acknowledgement when nothing else in the reply reads (a dispute or a dated promise outranks it).
 */
export const NOT_DONE_YET =
  /\b(?:(?:have|has|had|was|were|is|are|'ve|i've|we've)(?: not|n't)|haven't|hasn't|hadn't|wasn't|weren't|isn't|aren't|not) (?:yet |actually |quite )?(?:been )?(?:sent|gone(?: out)?|signed|completed|done|finished|written(?: up)?|typed(?: up)?|uploaded|shared|circulated|distributed|finalised|finalized|approved|issued)\b|\bnothing (?:has|have) (?:yet )?been (?:sent|done|shared|uploaded)\b/i;

/** Words that turn "completed" into "not completed", or make it partial. */
export const NEGATION =
  /\b(?:not|no|never|nothing|yet to|still (?:to|need|needs|waiting|outstanding|not|being|awaiting)|awaiting|pending|unable|cannot|can't|couldn't|won't|haven't|hasn't|isn't|aren't|wasn't|weren't|didn't|don't|doesn't|nearly|almost|partly|partially|mostly|not quite|in progress|draft)\b|n't\b/i;

/** Wording that puts the phrase in the future, makes it conditional, or an obligation. */
export const NOT_YET =
  /\b(?:will|'ll|shall|going to|aim(?:ing)? to|hope(?:fully)?|hoping|expect(?:ing)?|intend|plan(?:ning)? to|should|would|could|might|once|when|whenever|as soon as|if|until|till|after|before|need(?:s|ed)? to|has to|have to|to be|waiting for|ask(?:ed|ing)? (?:for|that)|make sure|ensure|chase)\b/i;

/**
 * A commitment that, with a date after it, makes a promise ("I will send them by Friday",
 * "minutes to follow by 4 December").
 */
export const COMMITMENT =
  /\b(?:will|shall|'ll|aim(?:ing)? to|expect(?:ing)? to|hope to|hoping to|going to|intend(?:ing)? to|plan(?:ning)? to|should be|promise|to follow|on track|scheduled (?:to|for)|due to (?:be|go)|by|before|no later than|at the latest)\b/i;

/**
 * Right after a commitment word, what the sender will do that is not the thing asked for
 * ("I'll look into it this morning", "I'll speak to the IRO tomorrow", "I'll give you a ring
 * this afternoon"): a date on it promises nothing, unless a delivery follows before the date
 * ("I'll check with Grace and send them by Friday"; see `LATER_DELIVERY`).
 */
export const NOT_DELIVERY =
  /^\s*(?:(?:just|then|also|now|personally|definitely|certainly)\s+)?(?:look (?:into|at)|check|double[- ]check|find out|ask|speak|talk|discuss|raise|chase|follow (?:this |it )?up|ring|call|phone|give (?:you|her|him|them) a (?:ring|call|bell)|come back|get back|update (?:you|her|him|them|the home)|let (?:you|her|him|them) know|pick (?:this|it) up|read|meet|be (?:in touch|back|in contact|in the office|on leave|off|away))\b/i;

/** Before a hope or plan: one already gone by ("I was hoping to send it on Friday, but …") is no commitment. */
export const PAST_INTENT = /\b(?:was|were|had been)\s+(?:hoping|planning|aiming|intending|going|expecting) to\s*$/i;

/** Between a commitment and its date: the date belongs to a condition ("will be distributed once the IRO returns on 4 January"). */
export const CONDITION_BEFORE_DATE = /\b(?:once|when|as soon as|if|unless|whenever)\b/i;

/** Words that split a sentence into clauses, so a negation in one does not spoil the next. */
export const CLAUSE_BREAK = /[,;:()]|\s-\s|\b(?:but|however|although|though|whereas|and)\b/gi;

/** What stops a commitment with a date being a promise ("I won't be able to send them by Friday"). */
export const PROMISE_NEGATION = /\b(?:not|never|won't|can't|cannot|couldn't|unable|unlikely)\b|n't\b/i;

/**
 * A promise whose words deliver something ("I will send them", "to follow", "will be with you"):
 * written after a done phrase, with a date, it wins ("the minutes are completed and I will send
 * them by Friday"). A date that delivers nothing ("I will be on leave from 4 December") does not.
 */
export const LATER_DELIVERY =
  /\b(?:send|sent|forward|follow|provide|share|upload|circulate|complete|finish|finalise|finalize|sign|email|e-mail|post|return|let you have|get (?:it|them|these|this|those|the \w+)(?: \w+)? (?:to|over)|be with you|have (?:it|them|these|this|those) (?:to|with)|be (?:sent|uploaded|completed|done|shared|provided|forwarded|finished|finalised|finalized|with you))\b/i;

/** A conditional later promise ("I will resend them by Friday if they have not arrived") is no override. */
export const CONDITIONAL = /\b(?:if|unless|in case|should (?:they|it) not)\b/i;

/** Done phrases that mean the document came with this very reply: a later promise of an extra ("the signed copy by Friday") does not undo them. */
export const DELIVERED_HERE =
  /\b(?:attach(?:ed|ing)?|enclosed|please find|here (?:are|is)|PFA|here (?:they|it|this|these) (?:are|is)|here you (?:go|are)|here's|re-?sending|forwarding)\b/i;

/** After "done", these mean it is not really done ("completed but not yet signed off"). */
export const BUT_NOT = /^[^.?!]*?\b(?:but|however|although|except|though)\b[^.?!]*\b(?:not|n't|yet to|still|awaiting|pending|outstanding|draft)\b/i;
