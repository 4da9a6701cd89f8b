import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ReplyClass } from '../../../src/domain/case/apply-reply.js';
import { analyseMessage } from '../../../src/domain/inbound/analyse-message.js';
import { decideRoute, type Route, type RouteFacts } from '../../../src/domain/inbound/route.js';
import { formatInspectReport, inspectMessage } from '../../../src/inbound/inspect-message.js';
import { parseMessage } from '../../../src/inbound/parse-message.js';
import { ANALYSIS_OPTIONS, FIXTURES, describeCommand, describeDirective, readFixture, receivedAtOf } from './support.js';

/**
 * One row per fixture in test/fixtures/mail: what the service must read from it, and where the
 * router must send it given the facts the database look-ups would have found.
 */
interface Row {
  file: string;
  automatic: 'none' | 'auto-reply' | 'bounce' | 'bulk';
  returnDate?: string;
  bounce?: { recipients: { address: string; status: string; action: string; permanent: boolean }[]; originalMessageId?: string; originalCaseTag?: string };
  class: ReplyClass;
  evidence?: string;
  promiseDate?: string;
  commands?: string[];
  commandErrors?: RegExp[];
  directives?: string[];
  unknown?: string[];
  problems?: RegExp[];
  caseTag?: string;
  escalateTag?: boolean;
  plusLadder?: string;
  plusToken?: string;
  tnef?: boolean;
  auth: 'pass' | 'fail' | 'none';
  /** The exact new text, or words it must and must not contain. */
  newText: string | { contains: string[]; notContains?: string[] };
  newTextSource?: 'html' | 'text';
  threadIds?: string[];
  attachments?: string[];
  date?: { iso: string; fromHeader: boolean };
  parseProblems?: RegExp[];
  /** What the look-ups found. */
  facts: { staff: boolean; match?: NonNullable<RouteFacts['match']>; unknownCaseTag?: string };
  route: Route['kind'];
  routeDetail?: { role?: string; reason?: RegExp; automatic?: 'auto-reply' | 'bulk' };
}

const REQ = '<LO4P265MB59371A2B3C4D5E6F7A8B9C0D1E2F3A4B@LO4P265MB5937.GBRP265.PROD.OUTLOOK.COM>';
const CHASER = '<esc-2026-0001.s1-chaser.3f9a2c1b@escalations.sunrise-homes.org.uk>';
const SAM_REPLY = '<CWLP265MB61401111222233334444555566667777@CWLP265MB6140.GBRP265.PROD.OUTLOOK.COM>';
const professional = { by: 'thread' as const, senderRole: 'professional', senderIsConfirmer: false, senderIsChased: true, senderAnswers: true };
const teamManager = { by: 'thread' as const, senderRole: 'team-manager', senderIsConfirmer: false, senderIsChased: true, senderAnswers: true };
const originator = { by: 'thread' as const, senderRole: 'originator', senderIsConfirmer: false, senderIsChased: false, senderAnswers: true };
const JO_TM = 'contact:team-manager:jo.bennett@northshire.gov.uk:Jo Bennett';
const ESC1 = 'ESC-2026-0001';

const ROWS: Row[] = [
  // ---- opening requests ---------------------------------------------------------------------
  {
    file: 'open-outlook-directives.eml',
    automatic: 'none',
    class: 'other',
    commands: [],
    directives: ['ladder:childrens-home-reg5', 'child:AB-1234', JO_TM, 'category:LAC review minutes', 'due:2026-12-04'],
    unknown: [],
    escalateTag: true,
    auth: 'pass',
    newTextSource: 'text',
    newText:
      "Hi Sam,\n\nI am still waiting for the minutes of AB-1234's Looked After Review held on 22 October. Could you send them over, please?\n\n" +
      'Ladder: childrens-home-reg5\nChild: AB-1234\nTeam manager: Jo Bennett <jo.bennett@northshire.gov.uk<mailto:jo.bennett@northshire.gov.uk>>\nCategory: LAC review minutes\nDue: 4 December',
    date: { iso: '2026-11-24T10:14:07.000Z', fromHeader: true },
    facts: { staff: true },
    route: 'open-case',
  },
  {
    file: 'open-apple-mail-hash-escalate-flags.eml',
    automatic: 'none',
    class: 'other',
    commands: [],
    directives: [
      'flag:safeguarding:true',
      'flag:child-protection:true',
      'contact:iro:kim.osei@northshire-iro.org.uk:Kim Osei',
      'flag:psw:true',
      'category:Care plan action',
    ],
    unknown: [],
    escalateTag: true,
    auth: 'pass',
    newText:
      'Hi Sam,\n\nThe care plan says AB-1234 should have had a dental check by now and it still has not been booked. Can you tell me when it will happen?\n\n' +
      'Safeguarding: yes\nChild protection: Yes\nIRO: Kim Osei <kim.osei@northshire-iro.org.uk>\nPSW: yes\nCategory: Care plan action',
    facts: { staff: true },
    route: 'open-case',
  },
  {
    file: 'open-owa-unknown-directives.eml',
    automatic: 'none',
    class: 'other',
    directives: ['child:AB-1234'],
    unknown: ['Priority: high', 'Placement: Oak House'],
    problems: [],
    escalateTag: true,
    auth: 'pass',
    newText:
      'Hi Sam,\n\nAB-1234 turned 16 in October and the pathway plan has still not been started. Please can this be allocated?\n\nChild: AB-1234\nPriority: high\nPlacement: Oak House',
    facts: { staff: true },
    route: 'open-case',
  },
  {
    file: 'open-child-full-name.eml',
    automatic: 'none',
    class: 'other',
    directives: ['category:Initial health assessment'],
    unknown: [],
    problems: [/^Child: that looks like a name, so it was not recorded/],
    escalateTag: true,
    auth: 'pass',
    newText: { contains: ['six weeks overdue', 'Category: Initial health assessment'], notContains: ['Kind regards', 'Registered Manager'] },
    facts: { staff: true },
    route: 'open-case',
  },
  {
    file: 'open-plus-address-ladder.eml',
    automatic: 'none',
    class: 'other',
    directives: ['child:AB-1234'],
    escalateTag: false,
    plusLadder: 'foster-carer-concern',
    auth: 'pass',
    newText:
      'Hi Sam,\n\nThe carers asked for respite over the Christmas holidays three weeks ago and have had no answer. Could you let them know this week?\n\nChild: AB-1234',
    facts: { staff: true },
    route: 'open-case',
  },
  {
    file: 'open-bcc-only-delivered-to.eml',
    automatic: 'none',
    class: 'other',
    directives: [],
    escalateTag: true,
    auth: 'pass',
    newText: 'Hi Sam,\n\nThe placement plan for AB-1234 still needs your signature. Please could you sign it this week?',
    facts: { staff: true },
    route: 'open-case',
  },
  {
    file: 'open-stranger-tagged.eml',
    automatic: 'none',
    class: 'other',
    escalateTag: true,
    auth: 'pass',
    newText: 'Hello,\n\nNobody has called me back about my grandson for two weeks. I want this escalated.\n\nLee Carter',
    facts: { staff: false },
    route: 'quarantine',
    routeDetail: { reason: /not on the organisation’s staff list/ },
  },
  {
    file: 'open-untagged-copy.eml',
    automatic: 'none',
    class: 'other',
    escalateTag: false,
    auth: 'pass',
    newText: 'Hi Sam,\n\nJust so you know, family time on 27 December will be at Oak House rather than the contact centre.',
    facts: { staff: true },
    route: 'ignore',
  },
  {
    file: 'open-html-only-owa.eml',
    automatic: 'none',
    class: 'other',
    directives: ['child:AB-1234', JO_TM, 'category:EHCP review'],
    unknown: [],
    escalateTag: true,
    auth: 'pass',
    newTextSource: 'html',
    newText:
      'Hi Sam,\n\nThe EHCP annual review for AB-1234 was due in September and we have heard nothing from the SEND team.\n\nChild: AB-1234\nTeam manager: Jo Bennett <jo.bennett@northshire.gov.uk>\nCategory: EHCP review',
    facts: { staff: true },
    route: 'open-case',
  },
  {
    file: 'open-spoof-dmarc-fail.eml',
    automatic: 'none',
    class: 'other',
    directives: ['ladder:childrens-home-reg5', 'child:AB-1234'],
    escalateTag: true,
    auth: 'fail',
    newText: 'Please update the bank details for all placement fees from today.\n\nLadder: childrens-home-reg5\nChild: AB-1234\n\nAlex',
    facts: { staff: true },
    route: 'quarantine',
    routeDetail: { reason: /DMARC/ },
  },

  // ---- replies from chased recipients --------------------------------------------------------
  {
    file: 'reply-outlook-resolved-attached.eml',
    automatic: 'none',
    class: 'resolved',
    evidence: 'Please find attached',
    escalateTag: true,
    auth: 'pass',
    newTextSource: 'html',
    newText: 'Hi Alex,\n\nPlease find attached the minutes from the review on 22 October. Apologies for the delay.',
    threadIds: [REQ],
    attachments: ['LAC review minutes AB-1234.pdf'],
    facts: { staff: false, match: professional },
    route: 'recipient-reply',
    routeDetail: { role: 'professional' },
  },
  {
    file: 'reply-owa-promise-by-friday.eml',
    automatic: 'none',
    class: 'promise',
    promiseDate: '2026-12-11',
    evidence: 'will make sure the minutes are sent to you by Friday',
    caseTag: ESC1,
    auth: 'pass',
    newTextSource: 'html',
    newText: 'Hi Alex,\n\nSam is off sick this week. I will make sure the minutes are sent to you by Friday.\n\nJo',
    threadIds: [CHASER, REQ],
    facts: { staff: false, match: teamManager },
    route: 'recipient-reply',
    routeDetail: { role: 'team-manager' },
  },
  {
    file: 'reply-gmail-promise-4-december.eml',
    automatic: 'none',
    class: 'promise',
    promiseDate: '2026-12-04',
    evidence: 'aiming to get the signed minutes to you by 4 December',
    escalateTag: true,
    auth: 'pass',
    newTextSource: 'html',
    newText: "Hi Alex,\n\nI've spoken to the chair. I'm aiming to get the signed minutes to you by 4 December.",
    facts: { staff: false, match: { by: 'thread', senderRole: 'iro', senderIsConfirmer: false, senderIsChased: false, senderAnswers: true } },
    // Only copied (the IRO): read and passed to the RM, changes nothing.
    route: 'reply-notice',
    routeDetail: { role: 'iro' },
  },
  {
    file: 'reply-iphone-promise-end-next-week.eml',
    automatic: 'none',
    class: 'promise',
    promiseDate: '2026-12-18',
    evidence: 'Will do by end of next week',
    caseTag: ESC1,
    auth: 'pass',
    newTextSource: 'text',
    newText: 'Will do by end of next week, just waiting for the chair to sign them off.',
    facts: { staff: false, match: professional },
    route: 'recipient-reply',
    routeDetail: { role: 'professional' },
  },
  {
    file: 'reply-apple-mail-acknowledged.eml',
    automatic: 'none',
    class: 'acknowledged',
    evidence: 'will look into',
    escalateTag: true,
    auth: 'pass',
    newTextSource: 'html',
    newText: 'Thanks for the reminder – I will look into this and come back to you.\n\nKim',
    facts: { staff: false, match: { by: 'thread', senderRole: 'iro', senderIsConfirmer: false, senderIsChased: false, senderAnswers: true } },
    // Only copied (the IRO): read and passed to the RM, changes nothing.
    route: 'reply-notice',
    routeDetail: { role: 'iro' },
  },
  {
    file: 'reply-outlook-disputed.eml',
    automatic: 'none',
    class: 'disputed',
    evidence: 'not our responsibility',
    caseTag: ESC1,
    auth: 'pass',
    newText:
      "Hi Alex,\n\nThis is not our responsibility. AB-1234's case transferred to Westvale's leaving care team on 1 November, so the request should be directed to them.",
    facts: { staff: false, match: professional },
    route: 'recipient-reply',
    routeDetail: { role: 'professional' },
  },
  {
    file: 'reply-negation-not-yet-completed.eml',
    automatic: 'none',
    // "Not yet completed", said plainly: an acknowledgement (test/corpus's labels), never resolved.
    class: 'acknowledged',
    escalateTag: true,
    auth: 'pass',
    newText: 'Hi Alex,\n\nSorry, the minutes are not yet completed and I haven’t sent them to the chair for sign-off.\n\nSam',
    facts: { staff: false, match: professional },
    route: 'recipient-reply',
    routeDetail: { role: 'professional' },
  },
  {
    file: 'reply-owa-promise-with-ack-words.eml',
    automatic: 'none',
    class: 'promise',
    promiseDate: '2026-12-04',
    evidence: 'will look into this and will send the minutes by Friday 4 December',
    escalateTag: true,
    auth: 'pass',
    newText: 'Alex,\n\nI will look into this and will send the minutes by Friday 4 December.',
    facts: { staff: false, match: teamManager },
    route: 'recipient-reply',
    routeDetail: { role: 'team-manager' },
  },
  {
    file: 'reply-windows-1252-now-completed.eml',
    automatic: 'none',
    class: 'resolved',
    evidence: 'action is now completed',
    caseTag: 'ESC-2026-0002',
    auth: 'pass',
    newTextSource: 'text',
    newText: 'Alex\n\nThe care plan action is now completed – the £250 setting-up allowance was paid on Monday and it’s all done.',
    facts: { staff: false, match: professional },
    route: 'recipient-reply',
    routeDetail: { role: 'professional' },
  },
  {
    file: 'reply-iso-8859-1-minutes-sent.eml',
    automatic: 'none',
    class: 'resolved',
    evidence: 'minutes have been sent',
    caseTag: ESC1,
    auth: 'pass',
    // The 0x92 byte in a body labelled ISO-8859-1 is read as Windows-1252's right quote, as mail clients do.
    newText: 'Dear Alex,\n\nThe minutes have been sent to Oak House’s secure inbox this morning. The £30 travel claim for the review is with our finance team.',
    facts: { staff: false, match: teamManager },
    route: 'recipient-reply',
    routeDetail: { role: 'team-manager' },
  },
  {
    file: 'reply-aw-wg-prefixes-by-tag.eml',
    automatic: 'none',
    class: 'resolved',
    evidence: 'This is done',
    caseTag: ESC1,
    auth: 'pass',
    threadIds: [],
    newText: 'Hi Alex,\n\nThis is done – the minutes went to Oak House today.\n\nJo',
    facts: { staff: false, match: { by: 'tag', senderRole: 'team-manager', senderIsConfirmer: false, senderIsChased: true, senderAnswers: true } },
    route: 'recipient-reply',
    routeDetail: { role: 'team-manager' },
  },
  {
    file: 'reply-sv-ext-truncated-tag.eml',
    automatic: 'none',
    class: 'acknowledged',
    evidence: "I'm chasing",
    caseTag: ESC1,
    auth: 'pass',
    threadIds: [],
    newText: "I'm chasing the chair – bear with me.\n\nSam",
    facts: { staff: false, match: { by: 'tag', senderRole: 'professional', senderIsConfirmer: false, senderIsChased: true, senderAnswers: true } },
    route: 'recipient-reply',
    routeDetail: { role: 'professional' },
  },
  {
    file: 'reply-banner-official-see-attached.eml',
    automatic: 'none',
    class: 'resolved',
    evidence: 'Please see attached',
    caseTag: ESC1,
    auth: 'pass',
    newText: 'Hi Alex,\n\nPlease see attached the signed minutes.',
    attachments: ['Signed minutes.pdf'],
    facts: { staff: false, match: teamManager },
    route: 'recipient-reply',
    routeDetail: { role: 'team-manager' },
  },
  {
    file: 'reply-html-only-owa-resolved.eml',
    automatic: 'none',
    class: 'resolved',
    evidence: 'minutes have now been sent',
    caseTag: ESC1,
    auth: 'pass',
    newTextSource: 'html',
    newText: 'Hi Alex,\n\nThe minutes have now been sent to Oak House.\n\nJo Bennett',
    facts: { staff: false, match: teamManager },
    route: 'recipient-reply',
    routeDetail: { role: 'team-manager' },
  },
  {
    file: 'reply-stranger-quoting-tag.eml',
    automatic: 'none',
    class: 'other',
    caseTag: ESC1,
    auth: 'pass',
    newText: 'Hello,\n\nI have been forwarded this - can you tell me what is needed from Westvale?',
    facts: { staff: false, match: { by: 'tag', senderIsConfirmer: false, senderIsChased: false, senderAnswers: true } },
    route: 'flag',
    routeDetail: { reason: /not on the case/ },
  },
  {
    file: 'reply-tnef-winmail-dat.eml',
    automatic: 'none',
    class: 'resolved',
    evidence: 'Please find attached',
    caseTag: ESC1,
    tnef: true,
    auth: 'pass',
    newText: 'Please find attached the minutes.\n\nSam Patel',
    attachments: ['winmail.dat'],
    facts: { staff: false, match: professional },
    route: 'recipient-reply',
    routeDetail: { role: 'professional' },
  },
  {
    file: 'spoof-forged-auth-results.eml',
    automatic: 'none',
    class: 'resolved',
    evidence: 'This is now done',
    caseTag: ESC1,
    auth: 'fail',
    newText: 'This is now done. Please close the case.',
    facts: { staff: false, match: professional },
    route: 'flag',
    routeDetail: { reason: /DMARC/ },
  },
  {
    file: 'staff-forward-fyi.eml',
    automatic: 'none',
    class: 'other',
    commands: [],
    commandErrors: [],
    caseTag: ESC1,
    auth: 'pass',
    newTextSource: 'html',
    newText: "FYI - Sam's reply below, still no minutes.\n\nAlex",
    threadIds: [SAM_REPLY, CHASER, REQ],
    facts: { staff: true, match: originator },
    route: 'staff-message',
  },

  // ---- commands from the RM ------------------------------------------------------------------
  {
    file: 'cmd-resolved.eml',
    automatic: 'none',
    class: 'other',
    commands: ['resolved'],
    commandErrors: [],
    caseTag: ESC1,
    auth: 'pass',
    newText: 'RESOLVED',
    facts: { staff: true, match: originator },
    route: 'command',
  },
  {
    file: 'cmd-extend-5-days.eml',
    automatic: 'none',
    class: 'other',
    commands: ['extend:5d'],
    commandErrors: [],
    caseTag: ESC1,
    auth: 'pass',
    newText: 'Hi,\n\nExtend 5 days - Sam has asked for more time.\n\nAlex',
    facts: { staff: true, match: originator },
    route: 'command',
  },
  {
    file: 'cmd-views-and-note.eml',
    automatic: 'none',
    class: 'other',
    commands: [
      'views:AB-1234 told me she feels let down that nobody has sent the minutes and she would like her IRO to know.',
      'note:IRO informed by phone on 7 December.',
    ],
    commandErrors: [],
    caseTag: ESC1,
    auth: 'pass',
    newText: { contains: ['VIEWS: AB-1234 told me', 'NOTE: IRO informed by phone'], notContains: ['Kind regards', 'I am chasing the chair'] },
    facts: { staff: true, match: originator },
    route: 'command',
  },
  {
    file: 'cmd-unknown-command.eml',
    automatic: 'none',
    class: 'other',
    commands: [],
    commandErrors: [/^"POSTPONE until Friday": POSTPONE is not a command I know/],
    caseTag: ESC1,
    auth: 'pass',
    newText: 'POSTPONE until Friday\n\nAlex',
    facts: { staff: true, match: originator },
    route: 'command',
  },
  {
    file: 'cmd-malformed-pause.eml',
    automatic: 'none',
    class: 'other',
    commands: [],
    commandErrors: [/^"PAUSE until the IRO is back from leave": "the IRO is back from leave" is not a date I can read/],
    caseTag: ESC1,
    auth: 'pass',
    newText: 'PAUSE until the IRO is back from leave\n\nAlex',
    facts: { staff: true, match: originator },
    route: 'command',
  },
  {
    file: 'cmd-conversational.eml',
    automatic: 'none',
    class: 'other',
    commands: [],
    commandErrors: [],
    caseTag: ESC1,
    auth: 'pass',
    newText: 'Thanks Sam, will wait to hear from you.\n\nAlex',
    facts: { staff: true, match: originator },
    route: 'staff-message',
  },
  {
    file: 'cmd-directive-contacts.eml',
    automatic: 'none',
    class: 'other',
    commands: [`directive:${JO_TM}`, 'directive:contact:iro:kim.osei@northshire-iro.org.uk'],
    commandErrors: [],
    directives: [JO_TM, 'contact:iro:kim.osei@northshire-iro.org.uk'],
    caseTag: ESC1,
    auth: 'pass',
    newText: {
      contains: [
        'Team manager: Jo Bennett <jo.bennett@northshire.gov.uk<mailto:jo.bennett@northshire.gov.uk>>',
        'IRO: kim.osei@northshire-iro.org.uk<mailto:kim.osei@northshire-iro.org.uk>',
      ],
      notContains: ['From:', 'chasing the chair'],
    },
    facts: { staff: true, match: originator },
    route: 'command',
  },
  {
    file: 'cmd-safeguarding-escalate.eml',
    automatic: 'none',
    class: 'other',
    commands: ['safeguarding', 'escalate'],
    commandErrors: [],
    caseTag: ESC1,
    auth: 'pass',
    newText: 'SAFEGUARDING\nESCALATE\n\nShe went missing last night; we need this moving.\n\nAlex',
    facts: { staff: true, match: originator },
    route: 'command',
  },
  {
    file: 'cmd-typo-resolved.eml',
    automatic: 'none',
    class: 'other',
    commands: [],
    commandErrors: [/Did you mean RESOLVED\?/],
    caseTag: ESC1,
    auth: 'pass',
    newText: 'RESLOVED\n\nAlex',
    facts: { staff: true, match: originator },
    route: 'command',
  },
  {
    file: 'cmd-approve.eml',
    automatic: 'none',
    class: 'other',
    commands: ['approve'],
    commandErrors: [],
    caseTag: ESC1,
    auth: 'pass',
    newText: 'APPROVE\n\nAlex',
    threadIds: ['<esc-2026-0001.s4-dcs.approval.5b2e91aa@escalations.sunrise-homes.org.uk>', REQ],
    facts: { staff: true, match: { by: 'thread', senderRole: 'rm', senderIsConfirmer: false, senderIsChased: false, senderAnswers: true } },
    route: 'command',
  },
  {
    file: 'cmd-iphone-pause-until-4-december.eml',
    automatic: 'none',
    class: 'other',
    commands: ['pause:2026-12-04'],
    commandErrors: [],
    escalateTag: true,
    auth: 'pass',
    newTextSource: 'text',
    newText: 'PAUSE until 4 December',
    facts: { staff: true, match: originator },
    route: 'command',
  },
  {
    file: 'cmd-iphone-skip.eml',
    automatic: 'none',
    class: 'other',
    commands: ['skip'],
    commandErrors: [],
    caseTag: ESC1,
    auth: 'pass',
    newText: 'Skip',
    facts: { staff: true, match: originator },
    route: 'command',
  },

  // ---- automatic mail ------------------------------------------------------------------------
  {
    file: 'ooo-exchange-automatic-reply.eml',
    automatic: 'auto-reply',
    returnDate: '2026-12-14',
    class: 'other',
    caseTag: ESC1,
    plusToken: 'k7q2m4x5w3b5n6r6t2y4',
    auth: 'pass',
    newText: { contains: ['I am out of the office until Monday 14 December 2026'] },
    facts: { staff: false, match: professional },
    route: 'automatic',
    routeDetail: { automatic: 'auto-reply', reason: /Auto-Submitted: auto-replied/ },
  },
  {
    file: 'ooo-gmail-vacation.eml',
    automatic: 'auto-reply',
    returnDate: '2026-12-07',
    class: 'other',
    auth: 'pass',
    newText: { contains: ["I'm on annual leave and back in the office on Monday 7 December."] },
    facts: { staff: false, match: { by: 'thread', senderRole: 'iro', senderIsConfirmer: false, senderIsChased: false, senderAnswers: true } },
    route: 'automatic',
    routeDetail: { automatic: 'auto-reply' },
  },
  {
    file: 'ooo-subject-only.eml',
    automatic: 'auto-reply',
    returnDate: '2026-12-10',
    class: 'other',
    caseTag: ESC1,
    auth: 'pass',
    newText: 'I am out of the office until 10/12/2026. Please contact the duty desk on 01632 960 000.',
    facts: { staff: false, match: { by: 'tag', senderRole: 'team-manager', senderIsConfirmer: false, senderIsChased: true, senderAnswers: true } },
    route: 'automatic',
    routeDetail: { automatic: 'auto-reply', reason: /out-of-office subject/ },
  },
  {
    file: 'bounce-exchange-online-ndr.eml',
    automatic: 'bounce',
    bounce: {
      recipients: [{ address: 'sam.patell@northshire.gov.uk', status: '5.1.10', action: 'failed', permanent: true }],
      originalMessageId: CHASER,
      originalCaseTag: ESC1,
    },
    class: 'other',
    caseTag: ESC1,
    auth: 'none',
    newText: { contains: ['Delivery has failed to these recipients or groups'] },
    facts: { staff: false, match: { by: 'thread', senderIsConfirmer: false, senderIsChased: false, senderAnswers: true } },
    route: 'bounce',
  },
  {
    file: 'bounce-postfix-user-unknown.eml',
    automatic: 'bounce',
    bounce: {
      recipients: [{ address: 'jo.bennet@northshire.gov.uk', status: '5.1.1', action: 'failed', permanent: true }],
      originalMessageId: CHASER,
      originalCaseTag: ESC1,
    },
    class: 'other',
    auth: 'none',
    newText: { contains: ['This is the mail system at host smtp.sunrise-homes.org.uk.'], notContains: ['Dear Sam'] },
    facts: { staff: false, match: { by: 'thread', senderIsConfirmer: false, senderIsChased: false, senderAnswers: true } },
    route: 'bounce',
  },
  {
    file: 'bounce-gmail-dsn.eml',
    automatic: 'bounce',
    bounce: {
      recipients: [{ address: 'kim.osei@northshire-iro.org.uk', status: '5.1.1', action: 'failed', permanent: true }],
      originalMessageId: CHASER,
      originalCaseTag: ESC1,
    },
    class: 'other',
    auth: 'pass',
    newText: { contains: ["Your message wasn't delivered to kim.osei@northshire-iro.org.uk"] },
    facts: { staff: false, match: { by: 'thread', senderIsConfirmer: false, senderIsChased: false, senderAnswers: true } },
    route: 'bounce',
  },
  {
    file: 'bounce-postfix-delayed.eml',
    automatic: 'bounce',
    bounce: {
      recipients: [{ address: 'sam.patel@northshire.gov.uk', status: '4.4.1', action: 'delayed', permanent: false }],
      originalMessageId: CHASER,
      originalCaseTag: ESC1,
    },
    class: 'other',
    auth: 'none',
    newText: { contains: ['THIS IS A WARNING ONLY'] },
    facts: { staff: false, match: { by: 'thread', senderIsConfirmer: false, senderIsChased: false, senderAnswers: true } },
    route: 'bounce',
  },
  {
    file: 'bulk-newsletter-list.eml',
    automatic: 'bulk',
    class: 'other',
    auth: 'pass',
    newText: { contains: ['This month: how to escalate'] },
    facts: { staff: false },
    route: 'automatic',
    routeDetail: { automatic: 'bulk', reason: /Precedence: bulk/ },
  },
  {
    file: 'read-receipt-mdn.eml',
    automatic: 'auto-reply',
    class: 'other',
    caseTag: ESC1,
    auth: 'pass',
    newText: { contains: ['was read on 08 December 2026'] },
    facts: { staff: false, match: teamManager },
    route: 'automatic',
    routeDetail: { automatic: 'auto-reply', reason: /read receipt/ },
  },

  // ---- broken input --------------------------------------------------------------------------
  {
    file: 'malformed-broken-boundary.eml',
    automatic: 'none',
    class: 'other',
    caseTag: ESC1,
    auth: 'pass',
    newText: { contains: [], notContains: ['RESOLVED'] },
    parseProblems: [/boundary never appears/],
    facts: { staff: false, match: professional },
    route: 'reject',
    routeDetail: { reason: /boundary/ },
  },
  {
    file: 'invalid-date-header.eml',
    automatic: 'none',
    class: 'promise',
    // Read from the received time (Friday 4 December), not the impossible "31 Nov" (which
    // JavaScript would have turned into Tuesday 1 December, making "Friday" the 4th).
    promiseDate: '2026-12-11',
    escalateTag: true,
    auth: 'pass',
    date: { iso: '2026-12-04T16:40:11.000Z', fromHeader: false },
    newText: 'Alex,\n\nI will send the minutes by Friday.\n\nSam',
    parseProblems: [],
    facts: { staff: false, match: professional },
    route: 'recipient-reply',
    routeDetail: { role: 'professional' },
  },
  {
    file: 'malformed-two-from-headers.eml',
    automatic: 'none',
    class: 'other',
    caseTag: ESC1,
    auth: 'pass',
    newText: 'RESOLVED',
    parseProblems: [/2 From headers/],
    facts: { staff: true, match: originator },
    route: 'reject',
  },
];

const fixtureFiles = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.eml'))
  .sort();

describe('fixture corpus', () => {
  it('has a row for every fixture and a fixture for every row', () => {
    expect(fixtureFiles.length).toBeGreaterThanOrEqual(40);
    expect(ROWS.map((r) => r.file).sort()).toEqual(fixtureFiles);
    expect(new Set(ROWS.map((r) => r.file)).size).toBe(ROWS.length);
  });

  describe.each(ROWS)('$file', (row) => {
    it('is read and routed as expected', async () => {
      const raw = readFixture(row.file);
      const receivedAt = receivedAtOf(raw);
      const mail = await parseMessage(raw, { receivedAt, maxHtmlLength: ANALYSIS_OPTIONS.maxHtmlLength! });
      const a = analyseMessage(mail, ANALYSIS_OPTIONS);

      expect(mail.parseProblems.length, mail.parseProblems.join('; ')).toBe(row.parseProblems?.length ?? 0);
      for (const [i, p] of (row.parseProblems ?? []).entries()) expect(mail.parseProblems[i]).toMatch(p);
      if (row.date) {
        expect(mail.date.toISOString()).toBe(row.date.iso);
        expect(mail.dateFromHeader).toBe(row.date.fromHeader);
      }

      expect(a.automatic.kind).toBe(row.automatic);
      expect(a.automatic.returnDate).toBe(row.returnDate);
      if (row.bounce) {
        expect(a.bounce?.recipients.map((r) => ({ address: r.address, status: r.status, action: r.action, permanent: r.permanent }))).toEqual(
          row.bounce.recipients,
        );
        expect(a.bounce?.originalMessageId).toBe(row.bounce.originalMessageId);
        expect(a.bounce?.originalCaseTag).toBe(row.bounce.originalCaseTag);
      } else {
        expect(a.bounce).toBeUndefined();
      }

      expect(a.classification.class).toBe(row.class);
      expect(a.classification.promiseDate).toBe(row.promiseDate);
      if (row.evidence) expect(a.classification.evidence).toBe(row.evidence);

      if (row.commands) expect(a.commands.lines.map((l) => describeCommand(l.command))).toEqual(row.commands);
      if (row.commandErrors) {
        expect(a.commands.errors).toHaveLength(row.commandErrors.length);
        row.commandErrors.forEach((e, i) => {
          expect(a.commands.errors[i]).toMatch(e);
        });
      }
      if (row.directives) expect(a.directives.items.map((d) => describeDirective(d.directive))).toEqual(row.directives);
      if (row.unknown) expect(a.directives.unknown).toEqual(row.unknown);
      if (row.problems) {
        expect(a.directives.problems).toHaveLength(row.problems.length);
        row.problems.forEach((p, i) => {
          expect(a.directives.problems[i]).toMatch(p);
        });
      }

      expect(a.caseTag).toBe(row.caseTag);
      expect(a.escalateTag).toBe(row.escalateTag ?? false);
      expect(a.plusLadder).toBe(row.plusLadder);
      expect(a.plusToken).toBe(row.plusToken);
      expect(a.tnef).toBe(row.tnef ?? false);
      expect(a.authentication.verdict).toBe(row.auth);
      if (row.threadIds) expect(a.threadIds).toEqual(row.threadIds);
      if (row.attachments) expect(mail.attachments.map((x) => x.filename)).toEqual(row.attachments);
      if (row.newTextSource) expect(a.newTextSource).toBe(row.newTextSource);

      if (typeof row.newText === 'string') {
        expect(a.newText).toBe(row.newText);
      } else {
        for (const c of row.newText.contains) expect(a.newText).toContain(c);
        for (const c of row.newText.notContains ?? []) expect(a.newText).not.toContain(c);
      }
      // Whatever else, the quoted history and signatures never reach the new text.
      expect(a.newText).not.toMatch(/^>/m);
      expect(a.newText).not.toMatch(/^(?:From|Sent|Von|Gesendet): /m);
      expect(a.newText).not.toMatch(/Sent from my iPhone|Kind regards|Best wishes|wrote:$/m);

      const route = decideRoute({
        analysis: a,
        parseProblems: mail.parseProblems,
        ...(mail.from ? { sender: mail.from.address } : {}),
        senderIsStaff: row.facts.staff,
        ...(row.facts.match ? { match: row.facts.match } : {}),
        ...(row.facts.unknownCaseTag ? { unknownCaseTag: row.facts.unknownCaseTag } : {}),
        // Whether a report names a mail of our outbox is looked up in the database (test/security/02).
        ...(row.automatic === 'bounce' ? { bounce: { genuine: true } as const } : {}),
      });
      expect(route.kind).toBe(row.route);
      if (row.routeDetail?.role) expect(route).toMatchObject({ role: row.routeDetail.role });
      if (row.routeDetail?.automatic) expect(route).toMatchObject({ automatic: row.routeDetail.automatic });
      if (row.routeDetail?.reason) expect('reason' in route ? route.reason : '').toMatch(row.routeDetail.reason);
    });

    it('inspectMessage reports the same reading', async () => {
      const raw = readFixture(row.file);
      const report = await inspectMessage(raw, { ...ANALYSIS_OPTIONS, receivedAt: receivedAtOf(raw), maxHtmlLength: ANALYSIS_OPTIONS.maxHtmlLength! });
      expect(report.automatic).toBe(row.automatic);
      expect(report.classification.class).toBe(row.class);
      expect(report.caseTag).toBe(row.caseTag);
      expect(report.tnef).toBe(row.tnef ?? false);
      expect(report.parseProblems).toHaveLength(row.parseProblems?.length ?? 0);
      if (typeof row.newText === 'string') expect(report.newText).toBe(row.newText);
      if (row.bounce) expect(report.bounce?.recipients.map((r) => r.address)).toEqual(row.bounce.recipients.map((r) => r.address));
      // JSON-safe, and the human text names the verdicts.
      expect(JSON.parse(JSON.stringify(report))).toEqual(report);
      const text = formatInspectReport(report);
      expect(text).toContain(`Automatic:    ${row.automatic}`);
      expect(text).toContain(`As a chased recipient's reply: ${row.class}`);
    });
  });
});
