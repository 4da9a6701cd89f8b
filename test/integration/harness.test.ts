// Proves the test-support modules against the real services they wrap, so a failing feature test
// can be trusted to be about the feature and not about the harness.
import net from 'node:net';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import pg from 'pg';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, adminPgUrl } from '../support/database.js';
import { startDovecot } from '../support/dovecot.js';
import type { DovecotServer } from '../support/dovecot.js';
import { isPortOpen } from '../support/free-port.js';
import { flushPrefix, testRedisUrl, uniquePrefix } from '../support/redis.js';
import { startSmtpSink } from '../support/smtp-sink.js';
import type { SmtpSink, SmtpSinkOptions } from '../support/smtp-sink.js';
import { waitFor } from '../support/wait.js';
import { ifStarted } from '../support/if-started.js';

const SLOW = 30_000;

function rawMessage(subject: string, body: string): string {
  return [
    'From: Referrer <referrer@example.org>',
    'To: Escalations <escalations@example.org>',
    `Subject: ${subject}`,
    `Message-ID: <${subject.replace(/\W+/g, '-')}@example.org>`,
    'Date: Mon, 23 Nov 2026 09:00:00 +0000',
    'Content-Type: text/plain; charset=utf-8',
    '',
    body,
    '',
  ].join('\r\n');
}

interface InboxSnapshot {
  uidValidity: bigint;
  messages: { uid: number; subject: string; source: string; flags: string[]; internalDate: Date | undefined }[];
}

async function readInbox(server: DovecotServer): Promise<InboxSnapshot> {
  const client = await server.connect();
  try {
    const lock = await client.getMailboxLock('INBOX');
    try {
      const mailbox = client.mailbox;
      if (!mailbox) throw new Error('INBOX not selected');
      const messages: InboxSnapshot['messages'] = [];
      if (mailbox.exists > 0) {
        // Collect first, act later: no other IMAP command may run inside the fetch iterator.
        for await (const msg of client.fetch('1:*', { uid: true, source: true, flags: true, envelope: true, internalDate: true })) {
          const internalDate = msg.internalDate === undefined ? undefined : new Date(msg.internalDate);
          messages.push({
            uid: msg.uid,
            subject: msg.envelope?.subject ?? '',
            source: msg.source?.toString('utf8') ?? '',
            flags: [...(msg.flags ?? [])],
            internalDate,
          });
        }
      }
      return { uidValidity: mailbox.uidValidity, messages };
    } finally {
      lock.release();
    }
  } finally {
    await client.logout();
  }
}

describe('dovecot harness', () => {
  let dovecot: DovecotServer;
  const internalDate = new Date('2026-11-20T08:30:00Z');

  beforeAll(async () => {
    dovecot = await startDovecot();
  }, SLOW);

  afterAll(async () => {
    await ifStarted(dovecot, (x) => x.dispose());
  }, SLOW);

  it('starts on a free loopback port with the default user', () => {
    expect(dovecot.host).toBe('127.0.0.1');
    expect(dovecot.port).not.toBe(1143);
    expect(dovecot.users).toEqual([{ user: 'escalations', password: 'secret' }]);
  });

  it('appends two messages that read back with their UIDs, source, flags and internal date', async () => {
    const first = await dovecot.append('escalations', rawMessage('Referral one', 'first body'));
    const second = await dovecot.append('escalations', Buffer.from(rawMessage('Referral two', 'second body')), {
      flags: ['\\Seen'],
      internalDate,
    });
    expect(second.uid).toBeGreaterThan(first.uid);

    const inbox = await readInbox(dovecot);
    expect(inbox.messages.map((m) => m.uid)).toEqual([first.uid, second.uid]);
    expect(inbox.messages.map((m) => m.subject)).toEqual(['Referral one', 'Referral two']);
    expect(inbox.messages[0]?.source).toContain('first body');
    expect(inbox.messages[1]?.source).toContain('Message-ID: <Referral-two@example.org>');
    expect(inbox.messages[1]?.flags).toContain('\\Seen');
    expect(inbox.messages[1]?.internalDate?.getTime()).toBe(internalDate.getTime());
    expect(dovecot.log()).toContain('Login: user=<escalations>');
  });

  it(
    'keeps messages, UIDs and UIDVALIDITY across stop() and start() on the same port',
    async () => {
      const before = await readInbox(dovecot);
      const port = dovecot.port;

      await dovecot.stop();
      expect(await isPortOpen(port)).toBe(false);
      // A client that tries during the outage gets a connection error, as the service would.
      const offline = new ImapFlow({ ...dovecot.imapOptions(), connectionTimeout: 2000 });
      offline.on('error', () => undefined);
      await expect(offline.connect()).rejects.toThrow();

      await dovecot.start();
      expect(dovecot.port).toBe(port);
      const after = await readInbox(dovecot);
      expect(after.uidValidity).toBe(before.uidValidity);
      expect(after.messages.map((m) => [m.uid, m.subject])).toEqual(before.messages.map((m) => [m.uid, m.subject]));
    },
    SLOW,
  );

  it(
    'resetUidValidity gives the INBOX a new UIDVALIDITY and keeps its messages',
    async () => {
      const before = await readInbox(dovecot);
      const { before: oldValidity, after: newValidity } = await dovecot.resetUidValidity('escalations');
      expect(oldValidity).toBe(before.uidValidity);
      expect(newValidity).not.toBe(oldValidity);

      const after = await readInbox(dovecot);
      expect(after.uidValidity).toBe(newValidity);
      expect(after.messages.map((m) => m.subject).sort()).toEqual(before.messages.map((m) => m.subject).sort());
      expect(after.messages.find((m) => m.subject === 'Referral two')?.source).toContain('second body');
    },
    SLOW,
  );

  it('serves users added while running', async () => {
    await dovecot.addUser('duty-team', 'pw2');
    const { uid } = await dovecot.append('duty-team', rawMessage('For the duty team', 'x'));
    expect(uid).toBe(1);
  });
});

describe('two dovecot instances side by side', () => {
  it(
    'run independently on different ports and maildirs',
    async () => {
      const [a, b] = await Promise.all([startDovecot(), startDovecot({ users: [{ user: 'other', password: 'pw' }] })]);
      try {
        expect(a.port).not.toBe(b.port);
        expect(a.root).not.toBe(b.root);
        await a.append('escalations', rawMessage('Only in A', 'a'));
        expect((await readInbox(b)).messages).toEqual([]);
      } finally {
        await Promise.all([a.dispose(), b.dispose()]);
      }
    },
    SLOW,
  );
});

/** Reads the EHLO reply, to check what the sink really advertises. */
async function ehlo(port: number): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let buffer = '';
    let sent = false;
    socket.setTimeout(5000, () => {
      reject(new Error('EHLO timed out'));
    });
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      if (!sent && buffer.includes('\r\n')) {
        sent = true;
        buffer = '';
        socket.write('EHLO client.test\r\n');
      } else if (sent && /^250 .*\r\n/m.test(buffer)) {
        socket.end('QUIT\r\n');
        resolve(buffer);
      }
    });
  });
}

describe('smtp sink harness', () => {
  const sinks: SmtpSink[] = [];
  const transports: { close(): void }[] = [];

  async function sink(opts?: SmtpSinkOptions): Promise<SmtpSink> {
    const created = await startSmtpSink(opts);
    sinks.push(created);
    return created;
  }

  function transport(target: SmtpSink, auth?: { user: string; pass: string } | { type: 'OAuth2'; user: string; accessToken: string }) {
    const created = nodemailer.createTransport({ ...target.transportOptions, ...(auth ? { auth } : {}) });
    transports.push(created);
    return created;
  }

  afterAll(async () => {
    for (const t of transports) t.close();
    await Promise.all(sinks.map((s) => s.stop()));
  });

  it('captures a message with its explicit envelope, including a Bcc-only recipient', async () => {
    const smtp = await sink();
    const ehloReply = await ehlo(smtp.port);
    expect(ehloReply).not.toContain('STARTTLS');
    expect(ehloReply).not.toContain('AUTH');

    const info = await transport(smtp).sendMail({
      from: 'Escalations <escalations@example.org>',
      to: 'Team Manager <manager@example.org>',
      bcc: 'audit@example.org',
      envelope: { from: 'bounces@example.org', to: ['manager@example.org', 'audit@example.org'] },
      subject: 'Case 42: first chase',
      text: 'Please respond.',
      messageId: '<case-42-chase-1@escalator.test>',
    });
    expect(info.accepted).toEqual(['manager@example.org', 'audit@example.org']);

    const captured = await smtp.waitFor((m) => m.parsed.subject === 'Case 42: first chase');
    expect(captured.envelope).toEqual({ from: 'bounces@example.org', to: ['manager@example.org', 'audit@example.org'] });
    expect(captured.messageId).toBe('<case-42-chase-1@escalator.test>');
    expect(smtp.byMessageId('case-42-chase-1@escalator.test')).toBe(captured);
    expect(captured.parsed.text?.trim()).toBe('Please respond.');
    // Bcc lives only in the envelope: it must not leak into the delivered headers.
    expect(captured.parsed.bcc).toBeUndefined();
    expect(captured.raw.toString('utf8')).not.toContain('audit@example.org');
    expect(captured.authenticatedUser).toBeNull();
    expect(captured.receivedAt).toBeInstanceOf(Date);

    await expect(smtp.waitFor((m) => m.parsed.subject === 'never sent', { timeout: 100 })).rejects.toThrow(/received 1: "Case 42: first chase"/);
  });

  it('failNext(1, 451) fails the first DATA temporarily and accepts the retry', async () => {
    const smtp = await sink();
    const mailer = transport(smtp);
    smtp.failNext(1, 451);
    const mail = { from: 'escalations@example.org', to: 'manager@example.org', subject: 'retry me', text: 'x' };

    await expect(mailer.sendMail(mail)).rejects.toMatchObject({ responseCode: 451 });
    expect(smtp.messages).toHaveLength(0);
    await mailer.sendMail(mail);

    const [only] = await smtp.waitForCount(1);
    expect(only?.parsed.subject).toBe('retry me');
    expect(smtp.rejections.map((r) => [r.stage, r.code])).toEqual([['data', 451]]);
  });

  it('rejectRecipient refuses that address at RCPT with 550', async () => {
    const smtp = await sink();
    const mailer = transport(smtp);
    smtp.rejectRecipient('Gone@Example.org');

    await expect(mailer.sendMail({ from: 'escalations@example.org', to: 'gone@example.org', subject: 'bounce', text: 'x' })).rejects.toMatchObject({
      responseCode: 550,
    });

    // With another valid recipient the message goes out and the refusal is reported per address.
    const info = await mailer.sendMail({
      from: 'escalations@example.org',
      to: ['gone@example.org', 'manager@example.org'],
      subject: 'partial',
      text: 'x',
    });
    expect(info.rejected).toEqual(['gone@example.org']);
    expect((await smtp.waitForCount(1))[0]?.envelope.to).toEqual(['manager@example.org']);
  });

  it('failAll(421) simulates an outage until heal()', async () => {
    const smtp = await sink();
    smtp.failAll(421);
    await expect(transport(smtp).sendMail({ from: 'escalations@example.org', to: 'manager@example.org', subject: 'outage', text: 'x' })).rejects.toMatchObject({
      responseCode: 421,
    });
    smtp.heal();
    await transport(smtp).sendMail({ from: 'escalations@example.org', to: 'manager@example.org', subject: 'after outage', text: 'x' });
    expect((await smtp.waitForCount(1))[0]?.parsed.subject).toBe('after outage');
  });

  it('xoauth2 mode advertises XOAUTH2, accepts a good token and rejects a bad one', async () => {
    const smtp = await sink({ auth: 'xoauth2', validateToken: (user, token) => user === 'escalations@example.org' && token === 'good-token' });
    const ehloReply = await ehlo(smtp.port);
    expect(ehloReply).toMatch(/^250[- ]AUTH XOAUTH2\r$/m);

    const mail = { from: 'escalations@example.org', to: 'manager@example.org', subject: 'oauth', text: 'x' };
    await expect(transport(smtp, { type: 'OAuth2', user: 'escalations@example.org', accessToken: 'bad-token' }).sendMail(mail)).rejects.toMatchObject({
      code: 'EAUTH',
      responseCode: 535,
    });
    await expect(transport(smtp).sendMail(mail)).rejects.toMatchObject({ responseCode: 530 });

    await transport(smtp, { type: 'OAuth2', user: 'escalations@example.org', accessToken: 'good-token' }).sendMail(mail);
    const captured = await smtp.waitForCount(1);
    expect(captured[0]?.authenticatedUser).toBe('escalations@example.org');
    expect(smtp.authenticatedUsers).toEqual(['escalations@example.org']);
    // nodemailer retries a refused XOAUTH2 token once, so the bad token may be tried twice.
    expect(smtp.authAttempts.filter((a) => a.accepted)).toEqual([{ method: 'XOAUTH2', user: 'escalations@example.org', accepted: true }]);
    expect(smtp.authAttempts.some((a) => !a.accepted)).toBe(true);
  });

  it('password mode requires PLAIN/LOGIN with a known user', async () => {
    const smtp = await sink({ auth: 'password', users: { relay: 'hunter2' } });
    const mail = { from: 'escalations@example.org', to: 'manager@example.org', subject: 'pw', text: 'x' };
    await expect(transport(smtp, { user: 'relay', pass: 'wrong' }).sendMail(mail)).rejects.toMatchObject({ responseCode: 535 });
    await transport(smtp, { user: 'relay', pass: 'hunter2' }).sendMail(mail);
    expect((await smtp.waitForCount(1))[0]?.authenticatedUser).toBe('relay');
  });
});

describe('database harness', () => {
  it('creates a private database that can be queried, and drop() removes it', async () => {
    const db = await createTestDatabase();
    expect(db.name).toMatch(/^escalator_test_/);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const { rows } = await client.query<{ name: string }>('SELECT current_database() AS name');
    expect(rows[0]?.name).toBe(db.name);
    // Left connected on purpose: drop() must cope with a leaked connection.
    client.on('error', () => undefined);

    await db.drop();
    const admin = new pg.Client({ connectionString: adminPgUrl() });
    await admin.connect();
    try {
      const left = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [db.name]);
      expect(left.rowCount).toBe(0);
    } finally {
      await admin.end();
      await client.end().catch(() => undefined);
    }
  });
});

describe('redis harness', () => {
  it('uniquePrefix is BullMQ-safe and flushPrefix deletes only that prefix', async () => {
    const prefix = uniquePrefix('harness:test');
    const other = uniquePrefix('harness');
    expect(prefix).not.toContain(':');
    expect(prefix).not.toBe(other);

    const redis = new Redis(testRedisUrl());
    try {
      await redis.set(`${prefix}:queue:1`, 'a');
      await redis.set(`${prefix}:queue:2`, 'b');
      await redis.set(`${other}:queue:1`, 'c');
      expect(await flushPrefix(prefix)).toBe(2);
      expect(await redis.exists(`${prefix}:queue:1`, `${prefix}:queue:2`)).toBe(0);
      expect(await redis.get(`${other}:queue:1`)).toBe('c');
      expect(await flushPrefix(other, redis)).toBe(1);
      await expect(flushPrefix('')).rejects.toThrow(/non-empty prefix/);
    } finally {
      await redis.quit();
    }
  });
});

describe('waitFor', () => {
  it('resolves with the first truthy value and names what it timed out on', async () => {
    let calls = 0;
    await expect(waitFor(() => (++calls >= 3 ? calls : false), { interval: 1 })).resolves.toBe(3);
    await expect(waitFor(() => Promise.resolve(undefined), { timeout: 50, what: 'the reply' })).rejects.toThrow('timed out waiting for the reply');
  });
});
