import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { EntityManager } from '@mikro-orm/postgresql';
import { EscalatorService } from '../../src/app/service.js';
import { configSchema, type Config } from '../../src/config/config-schema.js';
import type { LoadedConfig } from '../../src/config/load-config.js';
import { Case } from '../../src/db/entities/index.js';
import { ManualClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/lib/logger.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { startDovecot, type DovecotServer } from './dovecot.js';
import { flushPrefix, testRedisUrl, uniquePrefix } from './redis.js';
import { startSmtpSink, type SmtpSink } from './smtp-sink.js';
import { promoteDueJobs, settleQueues } from './queue-driver.js';
import { waitFor } from './wait.js';
import { REPO_ROOT } from './repo-root.js';
import { PATIENCE_MS } from './patience.js';

export { REPO_ROOT };
export const INBOX = 'escalations@sunrise-homes.org.uk';
export const RM = 'alex.morgan@sunrise-homes.org.uk';
export const SECRET = 'test-secret-0123456789abcdef';

export interface HarnessOptions {
  name: string;
  start: string;
  /** Changes to the organisation's config (e.g. `{ nation: 'scotland' }`). */
  org?: Record<string, unknown>;
  config?: Partial<Record<keyof Config, unknown>>;
  directory?: string;
  /** Adds a second organisation (`OTHER_ORG`): mail in through an SMTP listener, out through the same sink. */
  secondOrganisation?: boolean;
}

/** The second organisation's id, when `secondOrganisation` is set. */
export const OTHER_ORG = 'northbrook-care';

/** Log lines as parsed JSON, kept in memory so tests can assert what was (and was not) logged. */
export class LogCapture extends Writable {
  readonly lines: Record<string, unknown>[] = [];
  readonly raw: string[] = [];
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      this.raw.push(line);
      try {
        this.lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        this.lines.push({ unparsed: line });
      }
    }
    cb();
  }
}

/**
 * The whole service on real PostgreSQL, Redis, a Dovecot IMAP server and an SMTP sink, with an
 * injected clock. Time moves only when the test moves it; delayed jobs that have fallen due by
 * that clock are promoted instead of waited for.
 */
export class EscalatorHarness {
  service!: EscalatorService;
  readonly logs = new LogCapture();

  private constructor(
    readonly clock: ManualClock,
    readonly db: TestDatabase,
    readonly dovecot: DovecotServer,
    readonly sink: SmtpSink,
    readonly prefix: string,
    readonly loaded: LoadedConfig,
  ) {}

  static async start(opts: HarnessOptions): Promise<EscalatorHarness> {
    const [db, dovecot, sink] = await Promise.all([createTestDatabase(), startDovecot(), startSmtpSink()]);
    const prefix = uniquePrefix(opts.name);
    const config = configSchema.parse({
      database: { url: db.url },
      redis: { url: testRedisUrl(), prefix },
      http: { host: '127.0.0.1', port: 0 },
      logging: { level: 'info' },
      secret: SECRET,
      laddersDir: 'config/ladders',
      directory: opts.directory ?? 'test/fixtures/directory.yaml',
      trust: { authservIds: ['mx.sunrise-homes.org.uk'] },
      ...opts.config,
      organisations: [
        {
          id: 'sunrise-homes',
          name: 'Sunrise Children’s Homes',
          nation: 'england-and-wales',
          manager: { name: 'Alex Morgan', email: RM },
          staff: { domains: ['sunrise-homes.org.uk'] },
          defaultLadder: 'childrens-home-reg5',
          // A real Monday 08:00 must not send a digest into an unrelated test; digest tests turn it on.
          digest: { enabled: false },
          mailbox: {
            address: INBOX,
            name: 'Sunrise escalations',
            plusAddressing: true,
            inbound: {
              type: 'imap',
              host: dovecot.host,
              port: dovecot.port,
              secure: false,
              auth: { type: 'password', user: 'escalations', password: 'secret' },
              resyncSeconds: 30,
            },
            outbound: { type: 'smtp', host: sink.host, port: sink.port, secure: false, requireTLS: false },
          },
          ...opts.org,
        },
        ...(opts.secondOrganisation
          ? [
              {
                id: OTHER_ORG,
                name: 'Northbrook Care',
                nation: 'england-and-wales',
                manager: { name: 'Robin Hale', email: 'robin.hale@northbrook-care.org.uk' },
                staff: { domains: ['northbrook-care.org.uk'] },
                digest: { enabled: false },
                mailbox: {
                  address: 'escalations@northbrook-care.org.uk',
                  inbound: { type: 'smtp-listener', host: '127.0.0.1', port: 0 },
                  outbound: { type: 'smtp', host: sink.host, port: sink.port, secure: false, requireTLS: false },
                },
              },
            ]
          : []),
      ],
    });
    const loaded: LoadedConfig = { config, path: '(test)', baseDir: REPO_ROOT, usingLocalDefaults: false };
    const harness = new EscalatorHarness(new ManualClock(opts.start), db, dovecot, sink, prefix, loaded);
    await harness.boot();
    return harness;
  }

  /** Builds and starts a fresh service on the same servers, database and queues. */
  async boot(): Promise<void> {
    this.service = await EscalatorService.create({
      loaded: this.loaded,
      clock: this.clock,
      logger: createLogger('info', this.logs),
      migrate: true,
    });
    await this.service.start({ watcher: true, worker: true, http: true, web: true });
    await waitFor(() => this.service.imapWatchers.every((w) => w.state === 'idle'), { what: 'the IMAP watcher to be idle' });
  }

  async restart(): Promise<void> {
    await this.service.stop();
    await this.boot();
  }

  async append(raw: string | Buffer): Promise<void> {
    await this.dovecot.append('escalations', raw, { internalDate: this.clock.now() });
  }

  em(): EntityManager {
    return this.service.orm.em.fork();
  }

  async caseByRef(ref: string) {
    return this.em().findOne(Case, { ref });
  }

  /** Moves the injected clock and promotes every delayed job that has fallen due by it. */
  async advanceTo(iso: string): Promise<void> {
    this.clock.set(iso);
    await this.promoteDue();
  }

  async promoteDue(): Promise<number> {
    return promoteDueJobs(this.service, this.clock);
  }

  /** Waits until no job is waiting or running (the system has done everything it can by now). */
  async settle(timeout = PATIENCE_MS): Promise<void> {
    await settleQueues(this.service, timeout);
  }

  async delayedAdvanceJobs(caseId?: string) {
    const jobs = await this.service.queues.queue('cases').getDelayed();
    return jobs.filter((j) => !caseId || (j.data as { caseId?: string }).caseId === caseId);
  }

  async close(): Promise<void> {
    // Unset when start failed before the service was built, and close() is how that failure cleans up.
    await (this.service as EscalatorService | undefined)?.stop().catch(() => undefined);
    await flushPrefix(this.prefix).catch(() => undefined);
    await Promise.all([this.dovecot.dispose(), this.sink.stop(), this.db.drop()]);
  }
}

/** The organisation's own MX in these tests: the trusted authserv-id of the harness's config. */
export const OUR_MX = 'mx.sunrise-homes.org.uk';

/** What our MX writes on a message whose sender's domain passed DMARC (RFC 8601). */
export function dmarcPass(from: string): string {
  const domain = /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'invalid';
  return `${OUR_MX}; spf=pass smtp.mailfrom=${domain}; dkim=pass header.d=${domain}; dmarc=pass (p=reject) header.from=${domain}`;
}

/**
 * An RFC 5322 message as a mail client would send it, as it reaches the inbox through our own MX:
 * with our MX's `Authentication-Results` saying the sender's domain passed DMARC, unless
 * `verified: false` (a sender nothing proves) or the test writes its own header.
 */
/** A file carried by a test message. */
export interface TestAttachment {
  filename: string;
  content: string | Buffer;
  /** Default application/pdf. */
  contentType?: string;
}

export function rfc822(h: {
  from: string;
  to: string;
  cc?: string;
  subject: string;
  messageId: string;
  date: Date;
  inReplyTo?: string;
  references?: string;
  headers?: Record<string, string>;
  verified?: boolean;
  body: string;
  /** With files the message is multipart/mixed: the body first, then each file in base64. */
  attachments?: TestAttachment[];
}): string {
  const ownAuth = Object.keys(h.headers ?? {}).some((k) => k.toLowerCase() === 'authentication-results');
  const files = h.attachments ?? [];
  const boundary = `b-${randomBytes(6).toString('hex')}`;
  const content =
    files.length === 0
      ? ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', h.body]
      : [
          `Content-Type: multipart/mixed; boundary="${boundary}"`,
          '',
          `--${boundary}`,
          'Content-Type: text/plain; charset=utf-8',
          '',
          h.body,
          ...files.flatMap((f) => [
            `--${boundary}`,
            `Content-Type: ${f.contentType ?? 'application/pdf'}; name="${f.filename}"`,
            `Content-Disposition: attachment; filename="${f.filename}"`,
            'Content-Transfer-Encoding: base64',
            '',
            Buffer.from(f.content).toString('base64').replace(/.{76}/g, '$&\r\n'),
          ]),
          `--${boundary}--`,
          '',
        ];
  const lines = [
    ...(h.verified === false || ownAuth ? [] : [`Authentication-Results: ${dmarcPass(h.from)}`]),
    `From: ${h.from}`,
    `To: ${h.to}`,
    ...(h.cc ? [`Cc: ${h.cc}`] : []),
    `Subject: ${h.subject}`,
    `Message-ID: ${h.messageId}`,
    `Date: ${h.date.toUTCString().replace('GMT', '+0000')}`,
    ...(h.inReplyTo ? [`In-Reply-To: ${h.inReplyTo}`] : []),
    ...(h.references ? [`References: ${h.references}`] : []),
    ...Object.entries(h.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
    'MIME-Version: 1.0',
    ...content,
  ];
  return lines.join('\r\n');
}
