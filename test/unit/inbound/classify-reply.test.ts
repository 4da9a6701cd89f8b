import { describe, expect, it } from 'vitest';
import { WorkCalendar } from '../../../src/domain/calendar/work-calendar.js';
import { analyseMessage } from '../../../src/domain/inbound/analyse-message.js';
import { classifyReply, sentencesOf } from '../../../src/domain/inbound/classify-reply.js';
import { REPLY_RULES } from '../../../src/domain/inbound/reply-rules.js';
import { ANALYSIS_OPTIONS } from './support.js';

const TZ = 'Europe/London';
const TUE_1_DEC = new Date('2026-12-01T10:00:00Z');
const classify = (text: string) => classifyReply(text, TUE_1_DEC, TZ);

describe('classifyReply', () => {
  it.each([
    ['Please find attached the minutes.', 'Please find attached'],
    ['Please see attached.', 'Please see attached'],
    ['The care plan action is now completed.', 'action is now completed'],
    ['The minutes have been sent to Oak House.', 'minutes have been sent'],
    ['This is done.', 'This is done'],
    ['I have now sent the minutes.', 'I have now sent'],
    ["I've attached the signed copy.", "I've attached"],
    ['The minutes are attached.', 'minutes are attached'],
    ['The referral has been allocated to a social worker.', 'referral has been allocated'],
    ['Here are the minutes you asked for.', 'Here are the minutes'],
    ['All done now, thanks for your patience.', 'All done'],
  ])('%j is resolved (evidence %j)', (text, evidence) => {
    expect(classify(text)).toEqual({ class: 'resolved', evidence });
  });

  it.each([
    'The minutes are not yet completed.',
    "I haven't sent them yet.",
    'I haven’t sent the minutes yet.',
    'This isn’t done yet.',
    'The minutes have not been sent.',
    'Nothing has been completed so far.',
    'The plan is nearly complete.',
    'The assessment is partially completed.',
    'The minutes are still not completed.',
    'The plan is completed but not yet signed off.',
    'The draft minutes are attached, the final version will follow.',
    'Has this been done?',
    'Have the minutes been sent?',
    'I will send them once they have been completed.',
    'They need to be completed by the chair first.',
    'If the minutes have been sent, please let me know.',
    'I have sent an email to the chair asking for them.',
    'Thanks, will wait.',
    'Who is this from?',
    '',
  ])('%j is not resolved', (text) => {
    expect(classify(text).class).not.toBe('resolved');
  });

  it('keeps a negation to its own clause', () => {
    expect(classify("Sorry I couldn't reply sooner, the minutes have now been sent.")).toEqual({ class: 'resolved', evidence: 'minutes have now been sent' });
    expect(classify('No problem - the minutes have been sent.').class).toBe('resolved');
    expect(classify("I hadn't forgotten; the plan is now completed.").class).toBe('resolved');
  });

  it('reads a dated commitment as a promise, with the date relative to the message', () => {
    expect(classify('I will send them by Friday.')).toEqual({ class: 'promise', evidence: 'will send them by Friday', promiseDate: '2026-12-04' });
    expect(classify('You will have them by 4 December.')).toMatchObject({ class: 'promise', promiseDate: '2026-12-04' });
    expect(classify('Minutes to follow by the end of next week.')).toMatchObject({ class: 'promise', promiseDate: '2026-12-11' });
    expect(classify("I'm aiming to get them to you by 04/12.")).toMatchObject({ class: 'promise', promiseDate: '2026-12-04' });
    expect(classify('They will be sent on Friday.')).toMatchObject({ class: 'promise', promiseDate: '2026-12-04' });
    expect(classify('Following the review on 20 November, I will send the minutes by Friday.')).toMatchObject({ class: 'promise', promiseDate: '2026-12-04' });
  });

  it('prefers a promise to the acknowledgement words around it', () => {
    expect(classify('I will look into this and send them by Friday.')).toMatchObject({ class: 'promise', promiseDate: '2026-12-04' });
    expect(classify('Thanks for the reminder. I will chase the chair and get them to you by 4 December.')).toMatchObject({
      class: 'promise',
      promiseDate: '2026-12-04',
    });
  });

  it('does not read a negated, past or questioned date as a promise', () => {
    expect(classify("I won't be able to send them by Friday.").class).toBe('other');
    expect(classify("I can't promise anything by Friday.").class).toBe('other');
    expect(classify('I said I would send them by 20 November.').class).toBe('other');
    expect(classify('Could you confirm you need them by Friday?').class).toBe('other');
    expect(classify("I haven't sent them yet but will by Friday.")).toMatchObject({ class: 'promise', promiseDate: '2026-12-04' });
  });

  it('reads a commitment to a date already passed as an acknowledgement, which holds nothing (issue 14, point 3)', () => {
    expect(classify('The report will be sent by 30 November.')).toEqual({ class: 'acknowledged', evidence: 'will be sent by 30 November' });
    expect(classify('We aim to finish it before 27 November.')).toEqual({ class: 'acknowledged', evidence: 'aim to finish it before 27 November' });
    // A date that only records when something happened is no commitment.
    expect(classify('IRO informed by phone on 20 November.').class).toBe('other');
    // A later date in the same reply is still a promise.
    expect(classify('It was meant to go by 30 November; I will send it by Friday.')).toMatchObject({ class: 'promise', promiseDate: '2026-12-04' });
  });

  it.each([
    ['Thanks for the reminder, I will look into this.', 'will look into'],
    ['Will chase.', 'Will chase'],
    ["I'm looking into it.", "I'm looking into"],
    ['Noted, thanks.', 'Noted'],
    ['Apologies for the delay.', 'Apologies for the delay'],
    ['I have forwarded your email to my manager.', 'have forwarded your email'],
  ])('%j is acknowledged', (text, evidence) => {
    expect(classify(text)).toEqual({ class: 'acknowledged', evidence });
  });

  it.each([
    ['This is not our responsibility.', 'not our responsibility'],
    ['I am no longer the allocated social worker.', 'I am no longer the allocated'],
    ['This should be directed to the placing authority.', 'should be directed to'],
    ["We don't agree that anything is outstanding.", "We don't agree"],
    ['The case transferred to Westvale, it is the responsibility of their team.', 'is the responsibility of'],
    ['Wrong person - I work in adult services.', 'Wrong person'],
  ])('%j is disputed', (text, evidence) => {
    expect(classify(text)).toEqual({ class: 'disputed', evidence });
  });

  it('ranks dispute over done, and a later dated delivery over an earlier done phrase', () => {
    expect(classify('Please find attached our letter: this is not our responsibility.').class).toBe('disputed');
    // Something is still to come by a date: hold until then (the RM is told and can close it),
    // rather than stop chasing on a part that was done.
    expect(classify('The minutes have been sent and the plan will follow by Friday.')).toMatchObject({ class: 'promise', promiseDate: '2026-12-04' });
  });

  it('says other when nothing matches', () => {
    expect(classify('Who is dealing with this now?')).toEqual({ class: 'other' });
  });

  it('reads "not done yet", said plainly, as an acknowledgement: the sender owns that it is outstanding', () => {
    expect(classify('Sorry, the minutes are not yet completed and I haven’t sent them to the chair.')).toEqual({
      class: 'acknowledged',
      evidence: 'are not yet completed',
    });
    expect(classify('Nothing has been sent from our side yet, I’m afraid.')).toMatchObject({ class: 'acknowledged' });
    expect(classify('The EHCP paperwork was not sent because the annual review had to be rearranged.')).toMatchObject({ class: 'acknowledged' });
    // A question is no statement, and a dispute outranks it.
    expect(classify('Have the minutes not been sent?')).toEqual({ class: 'other' });
    expect(classify('The minutes haven’t been sent because they are not our responsibility.')).toMatchObject({ class: 'disputed' });
  });

  describe('a promise is a commitment to deliver the thing by a date (issue 14, point 3)', () => {
    it.each([
      ["I'll look into it this morning.", 'acknowledged'],
      ['Received, will look into this on Monday when I’m back in.', 'acknowledged'],
      ["I'll speak to the IRO tomorrow and come back to you.", 'acknowledged'],
      ["I'll give you a ring this afternoon to discuss.", 'acknowledged'],
      ["Thanks, I'll check with Grace and come back to you today.", 'acknowledged'],
      ["I'll raise this with my manager tomorrow.", 'acknowledged'],
      ["I'll look into it by Friday.", 'acknowledged'],
    ])('looking into it by a date is no promise: %j', (text, expected) => {
      expect(classify(text).class).toBe(expected);
    });

    it('is a promise when a delivery follows before the date', () => {
      expect(classify("I'll check with Grace and send them by Friday.")).toMatchObject({ class: 'promise', promiseDate: '2026-12-04' });
      // Updating the plan may be the thing asked for; updating the requester is not.
      expect(classify('I will update the care plan by Friday.')).toMatchObject({ class: 'promise', promiseDate: '2026-12-04' });
      expect(classify('I will update you by Friday.').class).toBe('acknowledged');
    });

    it('reads "by" and "before" as a deadline only with the date straight after', () => {
      expect(classify('I sent the minutes by post on Monday.')).toMatchObject({ class: 'resolved' });
      expect(classify('Hopefully by Friday.')).toMatchObject({ class: 'promise', promiseDate: '2026-12-04' });
      expect(classify('I will send them by the end of next week.')).toMatchObject({ class: 'promise', promiseDate: '2026-12-11' });
    });

    it('takes no hope already gone by as a commitment', () => {
      expect(classify('I was hoping to send it on Friday but we had a staff illness.').class).not.toBe('promise');
      expect(classify('I am hoping to send it on Friday.')).toMatchObject({ class: 'promise', promiseDate: '2026-12-04' });
    });

    it('leaves a date that belongs to a condition out of the promise', () => {
      expect(classify('The minutes will be distributed once the IRO returns from leave on 4 January and has approved them.').class).toBe('acknowledged');
      expect(classify('I will send the minutes on Monday once they are countersigned.')).toMatchObject({ class: 'promise', promiseDate: '2026-12-07' });
    });

    it('reads "scheduled to" as a commitment and "that day" as the date written before it', () => {
      expect(classify('The minutes are scheduled to be sent out on the 4th.')).toMatchObject({ class: 'promise', promiseDate: '2026-12-04' });
      expect(classify('Aisha is back on the 18th and will send the minutes that day.')).toEqual({
        class: 'promise',
        evidence: 'will send the minutes that day',
        promiseDate: '2026-12-18',
      });
    });
  });

  describe('in hand with no date is an acknowledgement', () => {
    it.each([
      "Sorry, I'll send them as soon as I can.",
      'Thanks Dawn, I’ll get on to this ASAP.',
      'Will do.',
      'Ok',
      '👍',
      'Will get this over to you.',
      "I'll be in touch shortly.",
      "This is with me now and I will make sure it's dealt with.",
      'Apologies, this is on my list.',
      'Sorry, this slipped through the net. Leave it with me.',
      'The review record should be ready to send shortly.',
      'The referral will be made as soon as we have KM’s consent.',
      'The minutes are being typed by business support.',
      'I believe the minutes may have been sent already, but I’m checking with Priya.',
      "I've asked business support to prioritise the minutes for KM.",
      "I've sent a reminder to Sam this morning.",
      "Thanks Dawn, I've added this to the agenda for Thursday's team meeting.",
      'Aisha, have the minutes been sent to the home? Can you confirm to Dawn please.',
      'Dawn, forwarding Priya’s update below.',
      'On it.',
      'The minutes are still with the IRO for approval.',
    ])('%j', (text) => {
      expect(classify(text).class).toBe('acknowledged');
    });

    it('is outranked by a dated promise, and a question asks nothing of the RM', () => {
      expect(classify("I'll send them as soon as I can, by Friday at the latest.")).toMatchObject({ class: 'promise', promiseDate: '2026-12-04' });
      expect(classify('Will you send them?').class).toBe('other');
      expect(classify('Could you confirm the child’s date of birth please.').class).toBe('other');
    });
  });

  it('keeps every rule in data with at least one pattern', () => {
    for (const rule of REPLY_RULES) expect(rule.patterns.length).toBeGreaterThan(0);
    expect(new Set(REPLY_RULES.map((r) => r.class))).toEqual(new Set(['disputed', 'resolved', 'acknowledged']));
  });

  it('splits sentences without running paragraphs or short lines together', () => {
    expect(sentencesOf('Hi Alex\nNo\n\nThe minutes have been sent. Thanks!')).toEqual(['Hi Alex', 'No', 'The minutes have been sent.', 'Thanks!']);
    const wrapped = 'I am sorry this has taken so long, the chair has been on leave and\nthe minutes have now been sent to the home.';
    expect(sentencesOf(wrapped)).toHaveLength(1);
  });
});

describe('done, half done, or on its way', () => {
  it.each([
    ['The minutes have been sent to the chair for signing and I will forward them to you by 4 December.', '2026-12-04'],
    ['Part of the minutes have been sent; the rest will follow by Friday.', '2026-12-04'],
    ['I am not responsible for the delay, but I will send them by Friday.', '2026-12-04'],
    ['The minutes have been completed and I will send them to you by Friday.', '2026-12-04'],
    ['Some of the actions have been completed, the rest will follow by 11 December.', '2026-12-11'],
    ['The first section of the pathway plan has been uploaded; the remaining sections will be uploaded by Friday.', '2026-12-04'],
    ['The report is with the service manager for sign-off and should be with you by the end of next week.', '2026-12-11'],
    ['I have sent an interim response to the chair and will send the minutes by 4 December.', '2026-12-04'],
    ['The minutes are done. I will send them over by Thursday once the chair has signed them.', '2026-12-03'],
  ])('%j is a promise, not done', (text, promiseDate) => {
    expect(classify(text)).toMatchObject({ class: 'promise', promiseDate });
  });

  it.each([
    'The assessment has been submitted to the team manager for approval.',
    'The minutes have gone to the IRO for checking.',
    'I have sent the draft plan to the IRO.',
    'Half of the actions are now completed.',
    'Please find attached the first part of the minutes. The rest will follow.',
  ])('%j is not done (in transit, a draft, or partial)', (text) => {
    expect(classify(text).class).not.toBe('resolved');
  });

  it.each([
    // The document is in this very reply: a signed copy to come is an extra, not what was asked.
    ['Please find the minutes attached. I will send the signed copy by Friday.', 'Please find the minutes attached'],
    ["I've attached the minutes and will send the signed copy by Friday.", "I've attached"],
    ['The minutes have been sent to you and the IRO today.', 'minutes have been sent'],
    ['The minutes have been approved and sent to you.', 'minutes have been approved'],
    ['The approved minutes are attached.', 'minutes are attached'],
    ['The plan was signed off by the service manager yesterday and has been sent to Oak House.', 'plan was signed off'],
    // A later date that promises no delivery changes nothing.
    ['I have now sent the minutes. I will be on leave from 4 December, so please contact Jo after that.', 'I have now sent'],
    ['I sent the minutes to the home on 20 November; I will resend them by Friday if they have not arrived.', 'I sent'],
    ['The minutes were sent to the chair for signing last week and have now been sent to you.', 'now been sent'],
  ])('%j is still done', (text, evidence) => {
    expect(classify(text)).toEqual({ class: 'resolved', evidence });
  });

  it('keeps a real dispute about responsibility, and reads the delay apology as none', () => {
    expect(classify('I am not responsible for the minutes; the IRO service is.').class).toBe('disputed');
    expect(classify('We are not responsible for the delays in the IRO service.').class).not.toBe('disputed');
    expect(classify("I'm not responsible for the delay, the chair was off sick. I will chase.").class).toBe('acknowledged');
  });
});

describe('a promise "within N working days" counts the organisation’s bank holidays', () => {
  const TUE_22_DEC = new Date('2026-12-22T10:00:00Z');
  const text = 'Sorry for the wait. I will send the minutes within 5 working days.';
  const calendar = new WorkCalendar({ nation: 'england-and-wales', timezone: TZ, window: { start: '09:00', end: '17:00' } });

  it('classifyReply takes the calendar', () => {
    expect(classifyReply(text, TUE_22_DEC, TZ, calendar)).toMatchObject({ class: 'promise', promiseDate: '2026-12-31' });
    expect(classifyReply(text, TUE_22_DEC, TZ)).toMatchObject({ class: 'promise', promiseDate: '2026-12-29' });
  });

  it('analyseMessage passes the organisation’s working days to it', () => {
    const a = analyseMessage(
      {
        messageId: '<m@x>',
        references: [],
        from: { address: 'sam.patel@northshire.gov.uk' },
        replyTo: [],
        to: [{ address: 'escalations@sunrise-homes.org.uk' }],
        cc: [],
        deliveredTo: [],
        subject: 'RE: LAC review minutes [ESC-2026-0001]',
        date: TUE_22_DEC,
        dateFromHeader: true,
        headers: {},
        text,
        contentType: 'text/plain',
        attachments: [],
        parseProblems: [],
      },
      { ...ANALYSIS_OPTIONS, workingDays: calendar },
    );
    expect(a.classification).toMatchObject({ class: 'promise', promiseDate: '2026-12-31' });
  });
});

describe('a disclaimer acknowledges nothing (issue 14, point 4)', () => {
  it('does not read "if you have received this in error" as an acknowledgement, even left in the words', () => {
    expect(classify('If you have received this email in error, please tell the sender.').class).toBe('other');
    expect(classify('Noted, thanks.').class).toBe('acknowledged');
  });
});
