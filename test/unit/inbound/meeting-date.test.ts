/**
 * A chased recipient confirming the date of a meeting (FIRO stages 2 and 3 ask for one). The
 * reference is Thursday 3 December 2026; dates without a year are the nearest such date: "14
 * January" is Thursday 14 January 2027, "Tuesday 12th" is 12 January 2027 (12 December 2026 is a
 * Saturday).
 */
import { describe, expect, it } from 'vitest';
import { classifyReply } from '../../../src/domain/inbound/classify-reply.js';

const THU_3_DEC = new Date('2026-12-03T11:00:00Z');
const classify = (text: string) => classifyReply(text, THU_3_DEC, 'Europe/London');

describe('a meeting date in a reply', () => {
  it.each([
    ['I can confirm the meeting for 14 January at 10am.', '2027-01-14'],
    ['Meeting booked for Tuesday 12th.', '2027-01-12'],
    ['Hi, meeting booked for Tuesday 12th with the FIRO team manager. Thanks, Sam', '2027-01-12'],
    ['The meeting has been arranged for 14 January.', '2027-01-14'],
    ['I am pleased to confirm the meeting on Thursday 10 December at 2pm.', '2026-12-10'],
    ['The stage 2 meeting will take place on Monday 11 January 2027 at 2pm.', '2027-01-11'],
    ['Meeting confirmed: 14/01/2027 10:00', '2027-01-14'],
    ['We have booked the meeting for the 15th.', '2026-12-15'],
    ['This has been arranged for 16 December.', '2026-12-16'],
    ['I have booked it for 9 December in the FIRO office.', '2026-12-09'],
    ['The meeting on 14 January is confirmed.', '2027-01-14'],
    ['Apologies for the delay, the meeting has now been rescheduled for 21 January.', '2027-01-21'],
  ])('%j confirms a meeting on %s', (text, date) => {
    const c = classify(text);
    expect(c.meetingDate).toBe(date);
    expect(c.meetingEvidence).toBeTruthy();
    expect(text).toContain(c.meetingEvidence!);
  });

  it.each([
    'I will confirm a date for the meeting by Friday.',
    'Can we meet on 14 January?',
    'Could you confirm the meeting for 14 January?',
    'Please confirm the meeting for 14 January.',
    'We could book the meeting for 14 January.',
    'I have not been able to book the meeting for 14 January.',
    'The meeting booked for 14 January has been cancelled.',
    'We provisionally booked the meeting for 14 January.',
    'I hope to arrange the meeting for 14 January.',
    'The meeting was held on 1 December.',
    'The meeting booked for 1 December went ahead.',
    'I need to book a meeting for 14 January.',
    'Thanks, the minutes will follow by 14 January.',
    'Please find attached the minutes.',
  ])('%j confirms no meeting date', (text) => {
    expect(classify(text).meetingDate).toBeUndefined();
  });

  it('leaves the class to the reply rules: a meeting date is added alongside it', () => {
    expect(classify('I can confirm the meeting for 14 January at 10am.')).toEqual({
      class: 'other',
      meetingDate: '2027-01-14',
      meetingEvidence: 'confirm the meeting for 14 January',
    });
    // Read as done by the reply rules ("it has been arranged"); the meeting date goes with it, and
    // the case decides (a ladder that waits for its meetings does not take it as resolved).
    expect(classify('It has been arranged for 14 January.')).toMatchObject({ class: 'resolved', meetingDate: '2027-01-14' });
    // Nothing added when there is no meeting date.
    expect(classify('Please find attached the minutes.')).toEqual({ class: 'resolved', evidence: 'Please find attached' });
  });
});
