import { describe, expect, it } from 'vitest';
import { analyseMessage } from '../../../src/domain/inbound/analyse-message.js';
import { parseMailDate } from '../../../src/domain/inbound/mail-date.js';
import { normaliseMessageId, normaliseReferences, parseDeliveryStatus, parseMessage, topReceivedDate } from '../../../src/inbound/parse-message.js';
import { ANALYSIS_OPTIONS } from './support.js';

const RECEIVED = new Date('2026-12-04T16:40:11Z');
const parse = (raw: string, maxHtmlLength = 1_000_000) =>
  parseMessage(Buffer.from(raw.replace(/\r?\n/g, '\r\n'), 'utf8'), { receivedAt: RECEIVED, maxHtmlLength });
const head = (extra = '') =>
  `From: Sam Patel <sam.patel@northshire.gov.uk>\nTo: escalations@sunrise-homes.org.uk\nSubject: RE: minutes [ESC-2026-0001]\nMessage-ID: <a@b>\n${extra}`;

describe('parseMailDate', () => {
  it.each([
    ['Tue, 01 Dec 2026 09:12:33 +0000', '2026-12-01T09:12:33.000Z'],
    ['Tue, 1 Dec 2026 09:12:33 +0000 (GMT)', '2026-12-01T09:12:33.000Z'],
    ['1 Dec 2026 09:12 GMT', '2026-12-01T09:12:00.000Z'],
    ['Tue, 08 Dec 2026 01:00:33 -0800 (PST)', '2026-12-08T09:00:33.000Z'],
    ['Wed, 1 Jul 2026 10:00:00 +0100', '2026-07-01T09:00:00.000Z'],
    ['Tue, 1 Dec 26 09:12:33 +0000', '2026-12-01T09:12:33.000Z'],
    ['Tue,  1 Dec 2026 09:12:33 EST', '2026-12-01T14:12:33.000Z'],
    ['Tuesday, 01 December 2026 09:12:33 +0000', '2026-12-01T09:12:33.000Z'],
  ])('%j', (value, iso) => {
    expect(parseMailDate(value)?.toISOString()).toBe(iso);
  });

  it.each([
    'Tue, 31 Nov 2026 09:12:33 +0000',
    'Mon, 30 Feb 2026 10:00 +0000',
    'Tue, 1 Dec 2026 09:12:33 BST',
    'sometime yesterday',
    '2026-12-01T09:00:00Z',
    'Tue, 1 Dec 2026 25:00:00 +0000',
    'Tue, 1 Foo 2026 09:12 +0000',
    '',
    undefined,
  ])('refuses %j', (value) => {
    expect(parseMailDate(value)).toBeUndefined();
  });
});

describe('parseMessage dates', () => {
  it('falls back to the received time when the Date header is invalid, missing or far in the future', async () => {
    for (const date of ['Date: Tue, 31 Nov 2026 09:12:33 +0000\n', '', 'Date: Mon, 1 Jan 2035 10:00:00 +0000\n']) {
      const m = await parse(`${head(date)}\nbody\n`);
      expect(m.date).toEqual(RECEIVED);
      expect(m.dateFromHeader).toBe(false);
      expect(m.parseProblems).toEqual([]);
      expect(m.parseWarnings?.length).toBeGreaterThan(0);
    }
    const ok = await parse(`${head('Date: Tue, 01 Dec 2026 09:12:33 +0000\n')}\nbody\n`);
    expect(ok.date.toISOString()).toBe('2026-12-01T09:12:33.000Z');
    expect(ok.dateFromHeader).toBe(true);
  });
});

describe('topReceivedDate', () => {
  it('reads the timestamp our own server wrote on the topmost Received header', () => {
    const raw = Buffer.from(
      'Return-Path: <a@b.c>\r\nReceived: from mx.sunrise-homes.org.uk\r\n\tby imap.sunrise-homes.org.uk with LMTP\r\n\tfor <x@y>; Fri, 04 Dec 2026 16:40:11 +0000 (GMT)\r\nReceived: from elsewhere; Fri, 04 Dec 2026 16:40:09 +0000\r\nDate: Tue, 31 Nov 2026 09:12:33 +0000\r\n\r\nbody',
    );
    expect(topReceivedDate(raw)?.toISOString()).toBe('2026-12-04T16:40:11.000Z');
    expect(topReceivedDate(Buffer.from('From: a@b.c\r\n\r\nReceived: from x; Fri, 04 Dec 2026 16:40:11 +0000\r\n'))).toBeUndefined();
    expect(topReceivedDate(Buffer.from('Received: by x with y\r\n\r\n'))).toBeUndefined();
  });
});

describe('Message-ID and References', () => {
  it('normalises ids and references from strings or arrays, brackets or not, once each', () => {
    expect(normaliseMessageId(' <abc@x> ')).toBe('<abc@x>');
    expect(normaliseMessageId('message from Alex of Tue <abc@x>')).toBe('<abc@x>');
    expect(normaliseMessageId('abc@x')).toBe('<abc@x>');
    expect(normaliseMessageId('')).toBeUndefined();
    expect(normaliseReferences('<a@x> <b@x>\r\n <c@x>')).toEqual(['<a@x>', '<b@x>', '<c@x>']);
    expect(normaliseReferences(['<a@x>', '<b@x>', '<a@x>'])).toEqual(['<a@x>', '<b@x>']);
    expect(normaliseReferences('a@x, b@x')).toEqual(['<a@x>', '<b@x>']);
    expect(normaliseReferences(undefined)).toEqual([]);
  });

  it('gives thread ids In-Reply-To first, then References newest first', async () => {
    const m = await parse(`${head('In-Reply-To: <c@x>\nReferences: <a@x> <b@x> <c@x>\n')}\nbody\n`);
    expect(analyseMessage(m, ANALYSIS_OPTIONS).threadIds).toEqual(['<c@x>', '<b@x>', '<a@x>']);
  });

  it('makes a Message-ID from the content when there is none', async () => {
    const m = await parse('From: a@b.c\nSubject: x\n\nbody\n');
    expect(m.messageId).toMatch(/^<[0-9a-f]{32}@no-message-id\.invalid>$/);
    expect(m.parseWarnings).toContain('no Message-ID; one was made from the content');
  });
});

describe('structure', () => {
  it('notes when the text was made from HTML, and the TNEF it was given', async () => {
    const htmlOnly = await parse(`${head()}MIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n\n<div>Minutes attached.</div>\n`);
    expect(htmlOnly.textFromHtml).toBe(true);
    const alt = await parse(
      `${head()}MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="m"\n\n--m\nContent-Type: text/plain\n\nMinutes attached.\n--m\nContent-Type: application/ms-tnef; name="winmail.dat"\nContent-Transfer-Encoding: base64\nContent-Disposition: attachment; filename="winmail.dat"\n\neJ8+IgEAAQaQCAAEAAAAAAABAAEA\n--m--\n`,
    );
    expect(alt.textFromHtml).toBeUndefined();
    expect(alt.attachments).toEqual([{ filename: 'winmail.dat', contentType: 'application/ms-tnef', size: 21 }]);
    expect(analyseMessage(alt, ANALYSIS_OPTIONS).tnef).toBe(true);
  });

  it('reports HTML it could not read when there is no other text, and only warns when there is', async () => {
    const big = `<div>${'x'.repeat(5000)}</div>`;
    const htmlOnly = await parse(`${head()}MIME-Version: 1.0\nContent-Type: text/html\n\n${big}\n`, 1000);
    expect(htmlOnly.parseProblems).toEqual([expect.stringMatching(/^the HTML body could not be read as text \(HTML too long/)]);
    const withText = await parse(
      `${head()}MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="m"\n\n--m\nContent-Type: text/plain\n\nRESOLVED\n--m\nContent-Type: text/html\n\n${big}\n--m--\n`,
      1000,
    );
    expect(withText.parseProblems).toEqual([]);
    expect(withText.parseWarnings).toContainEqual(expect.stringMatching(/^part of the HTML body could not be read as text \(HTML too long/));
  });

  it('treats a multipart message whose boundary never appears, or two From headers, as unreadable', async () => {
    const broken = await parse(
      `${head()}MIME-Version: 1.0\nContent-Type: multipart/alternative; boundary="abc"\n\n--xyz\nContent-Type: text/plain\n\nRESOLVED\n--xyz--\n`,
    );
    expect(broken.parseProblems).toEqual(['multipart message whose boundary never appears in the body']);
    const twoFrom = await parse(`From: a@b.c\n${head()}\nRESOLVED\n`);
    expect(twoFrom.parseProblems).toEqual(['2 From headers (a message has exactly one)']);
  });

  it('finds the returned headers of a DSN whose returned message is inline rather than an attachment', async () => {
    const raw = [
      'From: MAILER-DAEMON@mx.example.org',
      'To: escalations@sunrise-homes.org.uk',
      'Subject: Undelivered Mail Returned to Sender',
      'Message-ID: <dsn@mx>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="B"',
      '',
      '--B',
      'Content-Type: text/plain',
      '',
      'Sorry.',
      '--B',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.example.org',
      '',
      'Final-Recipient: rfc822; nobody@northshire.gov.uk',
      'Action: failed',
      'Status: 5.1.1',
      '',
      '--B',
      'Content-Type: message/rfc822',
      'Content-Disposition: inline',
      '',
      'Message-ID: <esc-2026-0001.s1-chaser.3f9a2c1b@escalations.sunrise-homes.org.uk>',
      'Subject: LAC review minutes [ESC-2026-0001]',
      'References: <req@x>',
      '',
      'Dear Sam',
      '--B--',
      '',
    ].join('\n');
    const m = await parse(raw);
    const a = analyseMessage(m, ANALYSIS_OPTIONS);
    expect(a.automatic.kind).toBe('bounce');
    expect(a.bounce).toEqual({
      recipients: [{ address: 'nobody@northshire.gov.uk', status: '5.1.1', action: 'failed', permanent: true }],
      originalMessageId: '<esc-2026-0001.s1-chaser.3f9a2c1b@escalations.sunrise-homes.org.uk>',
      originalReferences: ['<req@x>'],
      originalCaseTag: 'ESC-2026-0001',
    });
  });

  it('merges the per-message DSN fields into each recipient', () => {
    expect(
      parseDeliveryStatus('Reporting-MTA: dns; mx\n\nFinal-Recipient: rfc822; a@b.c\nAction: failed\nDiagnostic-Code: smtp; 550\n  user unknown\n'),
    ).toEqual([{ 'reporting-mta': 'dns; mx', 'final-recipient': 'rfc822; a@b.c', action: 'failed', 'diagnostic-code': 'smtp; 550 user unknown' }]);
  });

  it('collects envelope recipients from Delivered-To, X-Original-To and the SMTP envelope', async () => {
    const raw = Buffer.from(
      `Delivered-To: escalations+foster-carer-concern@sunrise-homes.org.uk\r\nX-Original-To: Escalations@Sunrise-Homes.org.uk\r\n${head().replace(/\n/g, '\r\n')}\r\nbody\r\n`,
    );
    const m = await parseMessage(raw, { receivedAt: RECEIVED, maxHtmlLength: 1000, envelopeTo: ['escalations@sunrise-homes.org.uk'] });
    expect(m.deliveredTo).toEqual(['escalations@sunrise-homes.org.uk', 'escalations+foster-carer-concern@sunrise-homes.org.uk']);
    expect(analyseMessage(m, ANALYSIS_OPTIONS).plusLadder).toBe('foster-carer-concern');
  });
});
