import { describe, expect, it } from 'vitest';
import { REPLY_CLASSES } from '../../../src/domain/case/reply-class.js';
import { classifyReply } from '../../../src/domain/inbound/classify-reply.js';
import { findSecureNotice } from '../../../src/domain/inbound/secure-message.js';

const TZ = 'Europe/London';
const TUE_1_DEC = new Date('2026-12-01T10:00:00Z');
const SENDER = 'kim.hale@westshire.gov.uk';
const INBOX = 'escalations@oakfield-care.org.uk';
const classify = (text: string, unquoted?: string) =>
  classifyReply(text, TUE_1_DEC, TZ, undefined, { ownAddresses: [SENDER, INBOX], ...(unquoted ? { unquoted } : {}) });

describe('the reply classes', () => {
  it('lists every class issue 14 names', () => {
    expect([...REPLY_CLASSES]).toEqual(['resolved', 'promise', 'acknowledged', 'disputed', 'redirected', 'secure-message', 'other']);
  });
});

describe('secure-message: the content is behind a secure-mail link', () => {
  it.each([
    ['Egress', 'Pat Reed (pat.reed@westshire.gov.uk) has sent you a secure email.\n\nRead it here: https://switch.egress.com/ui/read/abc'],
    [
      'Microsoft Purview',
      "You've received an encrypted message from pat.reed@westshire.gov.uk\n\nRead the message\n\nLearn about messages protected by Microsoft Purview Message Encryption.",
    ],
    ['Microsoft Purview', 'pat.reed@westshire.gov.uk has sent you a protected message\n\nMessage encryption by Microsoft Office 365'],
    ['Cryptshare', 'pat.reed@westshire.gov.uk has made files available to you using Cryptshare.\nDownload: https://cryptshare.westshire.gov.uk/x'],
    ['Galaxkey', 'You have received a secure email from pat.reed@westshire.gov.uk. Open it in the Galaxkey web portal.'],
    ['Mimecast', 'Pat Reed has sent you a secure message.\n\nView Secure Message: https://secure-messaging.mimecast.com/r/abc'],
  ])('%s notice', (service, text) => {
    const c = classify(text);
    expect(c.class).toBe('secure-message');
    expect(c.secureService).toBe(service);
    expect(c.evidence).toBeTruthy();
  });

  it('outranks the sender’s own "please find attached" inside the notice', () => {
    const text =
      'Pat Reed has sent you a secure message.\n\n"Please find the plan attached."\n\nView Secure Message: https://secure-messaging.mimecast.com/r/x';
    expect(classify(text).class).toBe('secure-message');
  });

  it('is found in the footer the new text sets aside', () => {
    const unquoted =
      'Hi, sent this way as it is sensitive.\n\nThis email has been protected with Egress Switch. Read the message: https://switch.egress.com/r/1';
    expect(classify('Hi, sent this way as it is sensitive.', unquoted).class).toBe('secure-message');
  });

  it('needs the notice, not just a service named by a person', () => {
    expect(findSecureNotice('I sent the plan through Egress yesterday afternoon.')).toBeUndefined();
    expect(findSecureNotice('Has sent you a secure email.')).toBeUndefined();
    expect(classify('I sent the plan through Egress yesterday afternoon.').class).toBe('resolved');
  });
});

describe('redirected: someone else holds it now, with an address', () => {
  it.each([
    ["I'm no longer the allocated worker; the new worker is Lee Moss (lee.moss@westshire.gov.uk).", 'lee.moss@westshire.gov.uk'],
    ['I am on leave until 10 January. Please contact my manager, ana.diaz@westshire.gov.uk.', 'ana.diaz@westshire.gov.uk'],
    ['Plans of this kind go to the duty inbox: duty.team@westshire.gov.uk', 'duty.team@westshire.gov.uk'],
    ['I have passed this to Lee, who holds the case now (Lee.Moss@Westshire.gov.uk).', 'lee.moss@westshire.gov.uk'],
    ['Could you check with the panel clerk, rob.iles@westshire.gov.uk?', 'rob.iles@westshire.gov.uk'],
  ])('%j → %s', (text, to) => {
    expect(classify(text)).toMatchObject({ class: 'redirected', redirectTo: to });
  });

  it('is not an address alone, the sender’s own, the inbox, or one only copied in', () => {
    expect(classify('Any questions, my number is below. kim.hale@westshire.gov.uk').class).not.toBe('redirected');
    expect(classify('Please contact me at kim.hale@westshire.gov.uk.').class).not.toBe('redirected');
    expect(classify('Please send it to escalations+abc123@oakfield-care.org.uk.').class).not.toBe('redirected');
    expect(classify("I've copied in my manager, ana.diaz@westshire.gov.uk.").class).not.toBe('redirected');
  });

  it('leaves a done reply done when the hand-over is only for anything further', () => {
    const text = 'The plan is attached. I am away next week; for anything else please contact ana.diaz@westshire.gov.uk.';
    expect(classify(text).class).toBe('resolved');
  });
});
