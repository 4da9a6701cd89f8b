import { describe, expect, it } from 'vitest';
import { classificationForCase } from '../../../src/domain/inbound/analyse-message.js';
import { classifyReply, type ReplyContext } from '../../../src/domain/inbound/classify-reply.js';
import { aboutOtherItem, itemKinds } from '../../../src/domain/inbound/items.js';
import { isDocument } from '../../../src/domain/inbound/not-yet-done.js';

const TZ = 'Europe/London';
const WED_2_DEC = new Date('2026-12-02T11:00:00Z');
const PDF = { filename: 'Care plan - KT.pdf', contentType: 'application/pdf', size: 180_000 };
const DOCX = { filename: 'Notes.docx', contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', size: 40_000 };
const PHOTO = { filename: 'IMG_0042.jpg', contentType: 'image/jpeg', size: 1_900_000 };
const LOGO = { filename: 'image001.png', contentType: 'image/png', size: 3_800 };
const INVITE = { filename: 'Review.ics', contentType: 'text/calendar', size: 2_100 };

const read = (text: string, context: ReplyContext = {}) => classifyReply(text, WED_2_DEC, TZ, undefined, context);
const cls = (text: string, context: ReplyContext = {}) => read(text, context).class;

describe('"please find … attached" and its kin', () => {
  it.each([
    'Please find the signed care plan for KT attached.',
    'Please find, as we discussed on the phone yesterday, the care plan attached.',
    'Care plan attached.',
    'Attached - apologies for the wait.',
    'PFA the care plan.',
    "Here's the care plan you asked for.",
    'Sorry, here it is.',
    'Resending with the file this time.',
    'Attaching it now, I had not realised it had not gone.',
  ])('%j with a document attached is resolved', (text) => {
    expect(cls(text, { attachments: [PDF] })).toBe('resolved');
  });

  it('takes a photo or scan of a form, or a Word file, as the document', () => {
    expect(cls('Signed form attached.', { attachments: [PHOTO] })).toBe('resolved');
    expect(cls('Signed form attached.', { attachments: [DOCX] })).toBe('resolved');
  });

  it('reads a bare "attached" with nothing attached, or only a logo or an invitation, as other', () => {
    expect(read('Please find attached the care plan.', { attachments: [] })).toEqual({ class: 'other' });
    expect(cls('Please find attached.', { attachments: [LOGO] })).toBe('other');
    expect(cls('Attached is the care plan.', { attachments: [INVITE] })).toBe('other');
  });

  it('leaves the words to decide when the attachments are not known', () => {
    expect(cls('Please find attached the care plan.')).toBe('resolved');
  });

  it('recognises documents', () => {
    expect(isDocument(PDF)).toBe(true);
    expect(isDocument(DOCX)).toBe(true);
    expect(isDocument(PHOTO)).toBe(true);
    expect(isDocument(LOGO)).toBe(false);
    expect(isDocument(INVITE)).toBe(false);
    expect(isDocument({ filename: 'winmail.dat', contentType: 'application/ms-tnef', size: 90_000 })).toBe(true);
    expect(isDocument({ filename: 'photo.png', contentType: 'image/png', size: 9_000 })).toBe(false);
  });
});

describe('delivered another way', () => {
  it.each([
    'The plan was posted to the home second class on Monday.',
    'I hand-delivered the plan to reception at lunchtime.',
    'I dropped the signed plan in at the office on my way past.',
    'The plan is now on the portal the home can see.',
    'Done - plan sent to you this morning.',
    'Kim has told me she emailed the plan to your deputy earlier.',
    'The care plan went to you by secure email at 10.15.',
  ])('%j is resolved', (text) => {
    expect(cls(text)).toBe('resolved');
  });
});

describe('"not yet" is never "done"', () => {
  it.each([
    ['a hedge before it', 'I believe the plan was sent last week.', 'other'],
    ['a hedge: possible', "It's possible the plan went to the old address.", 'other'],
    ['a future release next', 'The plan is finished. It will be released to the home after the panel.', 'acknowledged'],
    ['waiting after it', 'The plan has been completed and is awaiting the head of service.', 'acknowledged'],
    ['pending in the next sentence', 'The plan is written up. It is with the manager for sign-off.', 'acknowledged'],
    ['a wrong item', 'I attached the wrong plan yesterday, sorry.', 'acknowledged'],
    ['a wrong item in the next sentence', "Here's the plan. Sorry, it's the old one, I will send the new one.", 'acknowledged'],
    ['a resend', 'The plan I sent was the June version. I will resend it.', 'acknowledged'],
    ['checking', 'The plan was uploaded. I am checking whether it was the signed copy.', 'acknowledged'],
    ['the rest to come', 'Section one is attached; the remaining sections will follow.', 'acknowledged'],
  ])('%s: %j', (_why, text, expected) => {
    expect(cls(text, { attachments: [PDF] })).toBe(expected);
  });

  it('lets a corrected copy stand though the wrong one is mentioned next', () => {
    expect(
      cls("I've attached the corrected version of the plan. The one sent on Friday had the wrong date on it, please delete it.", { attachments: [PDF] }),
    ).toBe('resolved');
  });

  it('keeps a resend "in case" from undoing a done statement', () => {
    expect(cls('The plan was sent on 20 November; I will resend it if it has not arrived.')).toBe('resolved');
  });

  it('reads a form sent for the requester to fill in as other', () => {
    expect(cls('Attached is the consent form for the home to complete and return.', { attachments: [PDF] })).toBe('other');
    expect(cls('I have attached the form. Could the home sign it and send it back?', { attachments: [PDF] })).toBe('other');
  });

  it('reads who does a thing as not done', () => {
    expect(cls('Care plans are completed by the allocated social worker, not by me.')).not.toBe('resolved');
  });
});

describe('done, but about another item than the case asks for', () => {
  it('reads a done statement naming only another kind as other', () => {
    expect(read('The dental referral has been sent.', { category: 'LAC review minutes' })).toEqual({ class: 'other' });
    expect(cls('Please find attached our escalation policy.', { category: 'care plan', attachments: [PDF] })).toBe('other');
    expect(cls('Attached is the invite for the next review.', { category: 'LAC review minutes', attachments: [PDF] })).toBe('other');
  });

  it('keeps a statement naming the category’s own kind, or nothing at all', () => {
    expect(cls('The review minutes have been sent.', { category: 'LAC review minutes' })).toBe('resolved');
    expect(cls('Attached, sorry for the delay.', { category: 'LAC review minutes', attachments: [PDF] })).toBe('other');
    expect(cls('Attached, sorry for the delay.', { category: 'care plan', attachments: [PDF] })).toBe('resolved');
  });

  it('reads the attached file’s name when the words name nothing', () => {
    const minutes = { filename: 'Review minutes KT.pdf', contentType: 'application/pdf', size: 150_000 };
    expect(cls('Attached, sorry for the delay.', { category: 'LAC review minutes', attachments: [minutes] })).toBe('resolved');
  });

  it('lets an action case take an action done, but not a document of another kind', () => {
    expect(cls('The GP referral was made this morning.', { category: 'care plan action' })).toBe('resolved');
    expect(cls('The review minutes have been sent.', { category: 'care plan action' })).toBe('other');
  });

  it('names kinds from the more specific words first', () => {
    expect([...itemKinds('the health assessment report')]).toEqual(['health-assessment']);
    expect(aboutOtherItem('the referral has been updated', 'placement referral')).toBe(false);
    expect(aboutOtherItem('anything', undefined)).toBe(false);
    expect(aboutOtherItem('the minutes', 'something we have no words for')).toBe(false);
  });

  it('is applied again once the case is known (classificationForCase)', () => {
    const mail = { date: WED_2_DEC, attachments: [], from: { address: 'kim.hale@westshire.gov.uk' } };
    const analysis = { newText: 'The dental referral has been sent.', classification: { class: 'resolved' as const, evidence: 'has been sent' } };
    expect(classificationForCase(mail, analysis, 'LAC review minutes', { timezone: TZ }).class).toBe('other');
    expect(classificationForCase(mail, analysis, undefined, { timezone: TZ })).toBe(analysis.classification);
    expect(classificationForCase(mail, analysis, 'care plan action', { timezone: TZ }).class).toBe('resolved');
  });
});

describe('disputed: not owed, not late, not theirs, refused', () => {
  it.each([
    "The plan isn't due until February.",
    'Nothing is outstanding from us.',
    "We don't accept that this is overdue.",
    'We are within the timescale set by our procedure.',
    'This task is not ours; the school leads on it.',
    "It isn't for me to send it to you.",
    'We are not able to share care plans with providers.',
    'Care plans are only sent to the parents and the IRO.',
    'There is no plan for us to send: the placement is private.',
    'Please do not escalate this again.',
  ])('%j', (text) => {
    expect(cls(text, { attachments: [] })).toBe('disputed');
  });

  it('ranks a refusal with a policy attached as disputed, not done', () => {
    expect(cls('Attached is our information sharing policy. We are not able to share the plan with the home.', { attachments: [PDF] })).toBe('disputed');
  });

  it('reads "not due yet" as not owed, not as a delay', () => {
    expect(cls("The review was only held on 30 November, so the minutes aren't due yet.")).toBe('disputed');
  });

  it('does not read a delay as a refusal', () => {
    expect(cls("We can't send it until Friday.")).not.toBe('disputed');
    expect(cls("We can't share it yet, the chair has not signed it.")).not.toBe('disputed');
  });
});
