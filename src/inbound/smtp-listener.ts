import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import type { Organisations } from '../runtime/organisations.js';
import type { Orm } from '../db/orm.js';
import { Repositories } from '../db/repositories/index.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import type { JobScheduler } from '../runtime/job-scheduler.js';
import { createHash } from 'node:crypto';
import { headerSection, storeInbound } from './store-message.js';
import { addressKey } from '../domain/address.js';

export interface SmtpListenerOptions {
  host: string;
  port: number;
  orgs: Organisations;
  orm: Orm;
  scheduler: Pick<JobScheduler, 'ingest'>;
  clock: Clock;
  logger: Logger;
  maxMessageBytes: number;
}

/**
 * Receives inbound mail directly (instead of IMAP): for local use, or behind a relay that
 * forwards the organisation's inbox. A message is accepted (250) only once it is stored.
 * Only recipients that are an organisation's inbox are accepted.
 */
export class SmtpListener {
  private server: SMTPServer | undefined;
  port = 0;

  constructor(private readonly o: SmtpListenerOptions) {}

  async start(): Promise<number> {
    const o = this.o;
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      // Beyond the limit a message is still accepted, but kept as a reference only (its head, for
      // the Message-ID, and a reason); four times the limit is refused outright.
      size: o.maxMessageBytes * 4,
      banner: 'Escalator inbound',
      logger: false,
      onRcptTo(address, _session, callback) {
        const rcpt = addressKey(address.address);
        const known = o.orgs.all().some((org) => org.isInbox(rcpt));
        if (!known) {
          callback(Object.assign(new Error(`5.1.1 <${rcpt}>: not an escalation inbox here`), { responseCode: 550 }));
          return;
        }
        callback();
      },
      onData: (stream, session: SMTPServerSession, callback) => {
        const chunks: Buffer[] = [];
        const hash = createHash('sha256');
        let size = 0;
        let kept = 0;
        stream.on('data', (c: Buffer) => {
          size += c.length;
          hash.update(c);
          // Memory stays bounded: beyond the limit only the head is kept (its header section is recorded).
          const room = o.maxMessageBytes - kept;
          if (room > 0) {
            const part = c.length <= room ? c : c.subarray(0, room);
            chunks.push(part);
            kept += part.length;
          }
        });
        stream.on('error', (err) => {
          callback(err);
        });
        stream.on('end', () => {
          if (stream.sizeExceeded) {
            callback(Object.assign(new Error('5.3.4 message too big'), { responseCode: 552 }));
            return;
          }
          const whole = Buffer.concat(chunks);
          const oversized = size > o.maxMessageBytes;
          const copy = oversized ? { raw: null, headers: headerSection(whole), sha256: hash.digest('hex') } : { raw: whole };
          this.store(copy, size, session).then(
            () => {
              callback();
            },
            (err: unknown) => {
              o.logger.error({ err: err }, 'could not store inbound message');
              callback(Object.assign(new Error('4.3.0 temporary storage failure, try again'), { responseCode: 451 }));
            },
          );
        });
      },
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(o.port, o.host, () => {
        resolve();
      });
    });
    const addr = server.server.address();
    if (addr === null || typeof addr === 'string') throw new Error('the SMTP listener is not on a TCP port');
    this.port = addr.port;
    return this.port;
  }

  private async store(copy: { raw: Buffer | null; headers?: string; sha256?: string }, size: number, session: SMTPServerSession): Promise<void> {
    const rcpts = session.envelope.rcptTo.map((r) => addressKey(r.address));
    const mailboxes = new Map<string, string[]>();
    for (const org of this.o.orgs.all()) {
      const mine = rcpts.filter((r) => org.isInbox(r));
      if (mine.length) mailboxes.set(org.mailbox, mine);
    }
    for (const [mailbox, envelopeTo] of mailboxes) {
      const stored = await storeInbound(Repositories.open(this.o.orm).messages, {
        mailbox,
        ...copy,
        size,
        source: 'smtp-listener',
        receivedAt: this.o.clock.now(),
        envelopeTo,
      });
      if (stored.created) await this.o.scheduler.ingest(stored.id);
      this.o.logger.info({ message: stored.id, duplicate: !stored.created }, 'message received by SMTP');
    }
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
    this.server = undefined;
  }
}
