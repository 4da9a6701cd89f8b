import { describe, expect, it } from 'vitest';
import { formatInspectReport, inspectMessage, type InspectReport } from '../../../src/inbound/inspect-message.js';
import { growth } from '../../support/work-meter.js';
import { ANALYSIS_OPTIONS, readFixture } from './support.js';

const RECEIVED = new Date('2026-12-08T09:00:00Z');
const inspect = (raw: Buffer) => inspectMessage(raw, { ...ANALYSIS_OPTIONS, receivedAt: RECEIVED, maxHtmlLength: 1_000_000 });

/** A small deterministic PRNG, so a failure can be reproduced. */
function bytes(seed: number, length: number): Buffer {
  let x = seed >>> 0 || 1;
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** What every report must be, however bad the input. */
function expectSane(r: InspectReport) {
  expect(['none', 'auto-reply', 'bounce', 'bulk']).toContain(r.automatic);
  expect(r.messageId).toMatch(/^<[^<>\s]+>$/);
  expect(typeof r.newText).toBe('string');
  expect(Array.isArray(r.parseProblems)).toBe(true);
  expect(Number.isNaN(new Date(r.date).getTime())).toBe(false);
  expect(['resolved', 'promise', 'acknowledged', 'disputed', 'other']).toContain(r.classification.class);
  expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  expect(formatInspectReport(r)).toContain('Message-ID:');
}

describe('inspectMessage never throws', () => {
  it('on random bytes, and says why it cannot use them', async () => {
    for (const [seed, length] of [
      [1, 0],
      [2, 1],
      [3, 64],
      [4, 4096],
      [5, 200_000],
    ] as const) {
      const r = await inspect(bytes(seed, length));
      expectSane(r);
      expect(r.parseProblems.length, `seed ${seed}`).toBeGreaterThan(0);
      expect(r.date).toBe(RECEIVED.toISOString());
    }
  });

  it('on a fixture cut short at any point', async () => {
    const raw = readFixture('reply-outlook-resolved-attached.eml');
    for (const at of [10, 200, 1500, 2400, 3000, Math.floor(raw.length / 2), raw.length - 300, raw.length - 5]) {
      const r = await inspect(raw.subarray(0, at));
      expectSane(r);
    }
    const bounce = readFixture('bounce-postfix-user-unknown.eml');
    expectSane(await inspect(bounce.subarray(0, bounce.length - 400)));
  });

  it('on 50 messages nested inside each other', async () => {
    for (const disposition of ['inline', 'attachment']) {
      let inner = 'From: sam.patel@northshire.gov.uk\r\nSubject: innermost\r\nContent-Type: text/plain\r\n\r\nRESOLVED\r\n';
      for (let i = 0; i < 50; i++) {
        inner = `From: level${i}@northshire.gov.uk\r\nSubject: level ${i}\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n--b${i}\r\nContent-Type: message/rfc822\r\nContent-Disposition: ${disposition}\r\n\r\n${inner}\r\n--b${i}--\r\n`;
      }
      const r = await inspect(Buffer.from(inner));
      expectSane(r);
      expect(r.from?.address).toBe('level49@northshire.gov.uk');
    }
  });

  it('on multiparts nested deeper than the parser allows', async () => {
    let body = 'Content-Type: text/plain\r\n\r\ndeep\r\n';
    for (let i = 0; i < 1200; i++) body = `Content-Type: multipart/mixed; boundary="d${i}"\r\n\r\n--d${i}\r\n${body}\r\n--d${i}--\r\n`;
    const r = await inspect(Buffer.from(`From: a@b.c\r\nSubject: deep\r\nMIME-Version: 1.0\r\n${body}`));
    expectSane(r);
  });

  it('on NUL bytes in headers and body', async () => {
    const raw = Buffer.from(
      'From: Sam\u0000 Patel <sam.patel@northshire.gov.uk>\r\nSubject: RE: minutes\u0000 [ESC-2026-0001]\r\nMessage-ID: <n\u0000ul@x>\r\n\r\nRESOLVED\u0000\u0000 done\r\n',
      'utf8',
    );
    const r = await inspect(raw);
    expectSane(r);
    expect(r.newText).not.toContain('\u0000');
    expect(r.caseTag).toBe('ESC-2026-0001');
  });

  it('on a 1 MB header line', async () => {
    const withHeader = (n: number) => Buffer.from(`From: sam.patel@northshire.gov.uk\r\nX-Junk: ${'A'.repeat(n)}\r\nSubject: x\r\n\r\nRESOLVED\r\n`);
    const r = await inspect(withHeader(1024 * 1024));
    expectSane(r);
    expect(r.parseProblems.length).toBeGreaterThan(0);
    // No clock: the work grows linearly with the line up to the header limit (4× at 4n, not 16×).
    const g = await growth((n) => () => inspect(withHeader(n)), 32 * 1024);
    expect(g.ratio, JSON.stringify(g)).toBeLessThan(6);
  });

  it('on a 1 MB subject, a megabyte of "<" and a body of one long line', async () => {
    const subject = await inspect(Buffer.from(`From: a@b.c\r\nSubject: ${'[ESC-2026-0001] '.repeat(60_000)}\r\n\r\nhi\r\n`));
    expectSane(subject);
    const html = await inspect(Buffer.from(`From: a@b.c\r\nSubject: x\r\nContent-Type: text/html\r\n\r\n${'<a <div <!'.repeat(100_000)}\r\n`));
    expectSane(html);
    const line = await inspect(Buffer.from(`From: a@b.c\r\nSubject: x\r\n\r\n${'by Friday not done '.repeat(100_000)}\r\n`));
    expectSane(line);
  });

  it('on headers without a body, a body without headers, and bare line feeds', async () => {
    expectSane(await inspect(Buffer.from('From: a@b.c\r\nSubject: x\r\n')));
    expectSane(await inspect(Buffer.from('\r\n\r\nRESOLVED\r\n')));
    const lf = await inspect(
      Buffer.from('From: Alex Morgan <alex.morgan@sunrise-homes.org.uk>\nSubject: RE: x [ESC-2026-0001]\nMessage-ID: <lf@x>\n\nRESOLVED\n'),
    );
    expectSane(lf);
    expect(lf.command.lines.map((l) => l.command.kind)).toEqual(['resolved']);
  });

  it('on broken encodings: bad base64, bad quoted-printable, an unknown charset, a broken encoded word', async () => {
    const raw = [
      'From: =?utf-8?B?U2Ft?= <sam.patel@northshire.gov.uk>',
      'Subject: =?x-unknown?Q?RE=3A_minutes?= =?utf-8?B?!!!notbase64?= [ESC-2026-0001]',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="m"',
      '',
      '--m',
      'Content-Type: text/plain; charset="x-klingon"',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'The minutes have been sent =ZZ =',
      '--m',
      'Content-Type: application/pdf; name="a.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      '!!!! this is not base64 ####',
      '--m--',
      '',
    ].join('\r\n');
    const r = await inspect(Buffer.from(raw));
    expectSane(r);
    expect(r.caseTag).toBe('ESC-2026-0001');
  });
});
