import type { ImapFlow } from 'imapflow';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { configSchema, type OrganisationConfig } from '../../src/config/config-schema.js';
import { ManualClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/lib/logger.js';
import { composeMail } from '../../src/outbound/compose/compose-mail.js';
import { AppendToSentTransport } from '../../src/outbound/transport/append-to-sent-transport.js';
import { createTransport } from '../../src/outbound/transport/transport-factory.js';
import type { MailTransport } from '../../src/runtime/mail-transport.js';
import { startDovecot, type DovecotServer } from '../support/dovecot.js';
import { EscalatorHarness, INBOX, LogCapture, RM, rfc822 } from '../support/escalator-harness.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { waitFor } from '../support/wait.js';
import { ifStarted } from '../support/if-started.js';

const MAILBOX = 'escalations@sunrise-homes.org.uk';

/** Every message in a folder, with flags and internal date. */
async function folderContents(client: ImapFlow, folder: string) {
  const lock = await client.getMailboxLock(folder);
  try {
    const out: { source: Buffer; flags: Set<string>; internalDate: Date }[] = [];
    if ((client.mailbox && client.mailbox.exists) === 0) return out;
    for await (const m of client.fetch('1:*', { source: true, flags: true, internalDate: true })) {
      out.push({ source: Buffer.from(m.source!), flags: m.flags ?? new Set(), internalDate: new Date(m.internalDate!) });
    }
    return out;
  } finally {
    lock.release();
  }
}

describe('appending sent mail to the Sent folder over IMAP', () => {
  let dovecot: DovecotServer;
  let sink: SmtpSink;
  const clock = new ManualClock('2026-11-23T10:15:00Z');
  let n = 0;

  beforeAll(async () => {
    [dovecot, sink] = await Promise.all([startDovecot(), startSmtpSink()]);
  });
  afterAll(async () => {
    await Promise.all([ifStarted(dovecot, (d) => d.dispose()), ifStarted(sink, (s) => s.stop())]);
  });

  const org = (password: string): OrganisationConfig =>
    configSchema.parse({
      database: { url: 'postgres://unused' },
      redis: { url: 'redis://unused' },
      secret: 'test-secret-0123456789abcdef',
      organisations: [
        {
          id: 'sunrise-homes',
          name: 'Sunrise',
          nation: 'england-and-wales',
          manager: { email: RM },
          staff: { domains: ['sunrise-homes.org.uk'] },
          mailbox: {
            address: MAILBOX,
            inbound: { type: 'imap', host: dovecot.host, port: dovecot.port, secure: false, auth: { type: 'password', user: 'escalations', password } },
            outbound: { type: 'smtp', host: sink.host, port: sink.port, secure: false, requireTLS: false, appendToSent: 'Sent' },
          },
        },
      ],
    }).organisations[0]!;

  const composed = async (subject: string) =>
    composeMail({
      from: { email: MAILBOX },
      to: [{ email: 'sam.patel@northshire.gov.uk' }],
      cc: [],
      messageId: `<sent-${++n}-${Date.now()}@sunrise-homes.org.uk>`,
      date: clock.now(),
      rendered: { subject, text: `${subject}\n`, html: `<p>${subject}</p>` },
    });

  it('keeps each sent message, byte for byte and \\Seen, in the named folder', async () => {
    const logs = new LogCapture();
    const transport = createTransport(org('secret'), '/tmp', undefined, { logger: createLogger('info', logs), clock });
    expect(transport).toBeInstanceOf(AppendToSentTransport);
    const one = await composed('first');
    const two = await composed('second');
    try {
      await transport.send(one.envelope, one.raw);
      await transport.send(two.envelope, two.raw);
      await appendsToSent(transport).sent.flush();
    } finally {
      await transport.close();
    }
    expect(sink.byMessageId(one.messageId)).toBeDefined();
    const client = await dovecot.connect();
    try {
      const sent = await folderContents(client, 'Sent');
      expect(sent.map((m) => m.source.toString('latin1'))).toEqual([one.raw.toString('latin1'), two.raw.toString('latin1')]);
      for (const m of sent) {
        expect(m.flags.has('\\Seen')).toBe(true);
        expect(m.internalDate.toISOString()).toBe('2026-11-23T10:15:00.000Z');
      }
      // Nothing went to the INBOX the watcher reads.
      expect(await folderContents(client, 'INBOX')).toHaveLength(0);
    } finally {
      await client.logout();
    }
    expect(logs.lines.filter((l) => l.level === 40)).toEqual([]);
  });

  it('never fails the send when the copy cannot be kept, and says so in the log', async () => {
    const logs = new LogCapture();
    const transport = createTransport(org('wrong-password'), '/tmp', undefined, { logger: createLogger('info', logs), clock });
    const mail = await composed('copy refused');
    try {
      const result = await transport.send(mail.envelope, mail.raw);
      expect(result.accepted).toEqual(['sam.patel@northshire.gov.uk']);
      await appendsToSent(transport).sent.flush();
    } finally {
      await transport.close();
    }
    expect(sink.byMessageId(mail.messageId)).toBeDefined();
    const warning = logs.lines.find((l) => l.msg === 'could not log in to IMAP to keep sent mail; these copies are not in the Sent folder');
    expect(warning).toMatchObject({ folder: 'Sent', messages: [mail.messageId] });
    expect(JSON.stringify(logs.lines)).not.toContain('wrong-password');
  });

  it('is not used without an IMAP inbound (nothing to append to)', () => {
    const base = org('secret');
    if (base.mailbox.transport !== 'imap-smtp') throw new Error('unexpected test config');
    const listener: OrganisationConfig = { ...base, mailbox: { ...base.mailbox, inbound: { type: 'smtp-listener', host: '127.0.0.1', port: 2525 } } };
    const logs = new LogCapture();
    const transport = createTransport(listener, '/tmp', undefined, { logger: createLogger('info', logs) });
    expect(transport).not.toBeInstanceOf(AppendToSentTransport);
    expect(logs.lines.some((l) => String(l.msg).includes('appendToSent needs inbound.type imap'))).toBe(true);
    return transport.close();
  });
});

describe('the running service keeps what it sends in Sent', () => {
  let h: EscalatorHarness;

  beforeAll(async () => {
    h = await EscalatorHarness.start({ name: 'sent-folder', start: '2026-11-23T10:00:00Z' });
    const out = h.loaded.config.organisations[0]!.mailbox.outbound;
    if (out.type !== 'smtp') throw new Error('the harness sends by SMTP');
    out.appendToSent = 'Sent';
    await h.restart();
  });
  afterAll(async () => {
    await ifStarted(h, (x) => x.close());
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') console.log(h.logs.raw.slice(-20).join('\n'));
  });

  it('appends the case-opened confirmation to the Sent folder', async () => {
    await h.append(
      rfc822({
        from: `Alex Morgan <${RM}>`,
        to: 'Sam Patel <sam.patel@northshire.gov.uk>',
        cc: INBOX,
        subject: 'LAC review minutes for AB-1234 [escalate]',
        messageId: '<sent-folder-request@sunrise-homes.org.uk>',
        date: h.clock.now(),
        body: 'Hi Sam,\r\n\r\nCould you send the minutes of the review?\r\n\r\nChild: AB-1234\r\n\r\nAlex',
      }),
    );
    const confirmation = await h.sink.waitFor((m) => m.parsed.subject?.startsWith('Case opened') ?? false);
    // A fresh session per look: a selected mailbox only learns of appends on its next command.
    const sent = await waitFor(
      async () => {
        const client = await h.dovecot.connect();
        try {
          const found = (await client.list()).some((b) => b.path === 'Sent') ? await folderContents(client, 'Sent') : [];
          return found.length > 0 && found;
        } finally {
          await client.logout().catch(() => undefined);
        }
      },
      { what: 'the confirmation in Sent' },
    );
    expect(sent).toHaveLength(1);
    expect(sent[0]!.source.equals(confirmation.raw)).toBe(true);
    expect(sent[0]!.flags.has('\\Seen')).toBe(true);
  });
});

/** The transport as the Sent-folder wrapper it must be for these tests (fails the test otherwise). */
function appendsToSent(transport: MailTransport): AppendToSentTransport {
  if (!(transport instanceof AppendToSentTransport)) throw new Error('expected the transport to append to the Sent folder');
  return transport;
}
