import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Message } from '../../src/db/entities/index.js';
import { EscalatorHarness, INBOX, RM, rfc822 } from '../support/escalator-harness.js';
import { waitFor } from '../support/wait.js';
import { ifStarted } from '../support/if-started.js';

const LIMIT = 20_000;

describe('messages over the size limit are recorded (headers, size, SHA-256) with a reason, never parsed', () => {
  let h: EscalatorHarness;

  beforeAll(async () => {
    h = await EscalatorHarness.start({
      name: 'oversized',
      start: '2026-11-23T10:00:00Z',
      config: { limits: { maxMessageBytes: LIMIT, maxHtmlLength: 100_000 } },
    });
  });
  afterAll(async () => {
    await ifStarted(h, (x) => x.close());
  });

  const verdict = (messageId: string) =>
    waitFor(
      async () => {
        const m = await h.em().findOne(Message, { messageId });
        return m && m.status !== 'pending' ? m : undefined;
      },
      { what: `a verdict on ${messageId}` },
    );

  it('from the IMAP mailbox: stored without its body, not read, with the reason; no case opened; the staff sender told', async () => {
    const big = rfc822({
      from: `Alex Morgan <${RM}>`,
      to: 'Sam Patel <sam.patel@northshire.gov.uk>',
      cc: INBOX,
      subject: 'Scanned care plan [escalate]',
      messageId: '<big-imap@sunrise-homes.org.uk>',
      date: h.clock.now(),
      body: `Child: AB-1234\r\n\r\n${'x'.repeat(76)}\r\n`.repeat(600),
    });
    expect(big.length).toBeGreaterThan(LIMIT);
    await h.append(big);
    const m = await verdict('<big-imap@sunrise-homes.org.uk>');
    expect(m.status).toBe('processed');
    expect(m.route).toBe('not-read');
    expect(m.reason).toContain(`message is larger than the limit (${m.size} bytes; limits.maxMessageBytes is ${LIMIT})`);
    expect(m.raw).toBeNull();
    expect(m.size).toBeGreaterThan(LIMIT);
    expect(m.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(m.headers).toContain('Subject: Scanned care plan [escalate]');
    await h.sink.waitFor((x) => x.envelope.to.includes(RM) && (x.parsed.subject?.startsWith('Not read:') ?? false));
    expect(await h.em().execute('select 1 from escalation_case')).toHaveLength(0);
  });

  it('a message under the limit still opens its case', async () => {
    await h.append(
      rfc822({
        from: `Alex Morgan <${RM}>`,
        to: 'Sam Patel <sam.patel@northshire.gov.uk>',
        cc: INBOX,
        subject: 'Care plan [escalate]',
        messageId: '<small@sunrise-homes.org.uk>',
        date: h.clock.now(),
        body: 'Child: AB-1234',
      }),
    );
    expect((await verdict('<small@sunrise-homes.org.uk>')).route).toBe('new-case');
  });
});

describe('the inbound SMTP listener keeps an oversized message as a reference too', () => {
  let h: EscalatorHarness;
  beforeAll(async () => {
    h = await EscalatorHarness.start({
      name: 'oversized-smtp',
      start: '2026-11-23T10:00:00Z',
      config: { limits: { maxMessageBytes: LIMIT, maxHtmlLength: 100_000 } },
      org: {
        mailbox: {
          address: INBOX,
          name: 'Sunrise escalations',
          inbound: { type: 'smtp-listener', host: '127.0.0.1', port: 0 },
          outbound: { type: 'file', dir: '/tmp/escalator-oversized-outbox' },
        },
      },
    });
  });
  afterAll(async () => {
    await ifStarted(h, (x) => x.close());
  });

  it('accepts it (250), stores the reference and its Message-ID, and records why it was not read', async () => {
    const port = h.service.listenerPorts[0]!;
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
    const info = await transport.sendMail({
      from: RM,
      to: 'sam.patel@northshire.gov.uk',
      cc: INBOX,
      subject: 'Big [escalate]',
      messageId: '<big-smtp@sunrise-homes.org.uk>',
      text: 'y'.repeat(LIMIT * 2),
    });
    transport.close();
    expect(info.accepted).toContain(INBOX);
    const m = await waitFor(async () => {
      const row = await h.em().findOne(Message, { messageId: '<big-smtp@sunrise-homes.org.uk>' });
      return row && row.status !== 'pending' ? row : undefined;
    });
    expect(m.raw).toBeNull();
    expect(m.reason).toContain('larger than the limit');
    expect(m.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(m.headers).toContain('Subject: Big [escalate]');
  });
});
