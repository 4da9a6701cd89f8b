import type { EntityManager } from '@mikro-orm/postgresql';
import { Redis } from 'ioredis';
import { Registry, collectDefaultMetrics } from 'prom-client';
import type { LoadedConfig } from '../config/load-config.js';
import { resolveFrom } from '../config/load-config.js';
import { LadderRegistry } from '../config/load-ladders.js';
import { loadDirectory } from '../config/load-directory.js';
import { openOrm, type Orm } from '../db/orm.js';
import { ensureDatabase, migrate } from '../db/migrate.js';
import { ImapWatcher } from '../inbound/imap-watcher.js';
import { SmtpListener } from '../inbound/smtp-listener.js';
import { systemClock, type Clock } from '../lib/clock.js';
import { createLogger, type Logger } from '../lib/logger.js';
import { TokenProviders } from '../outbound/oauth/token-provider-factory.js';
import { MailboxRateLimiter } from '../outbound/rate-limit/mailbox-rate-limiter.js';
import type { MailTransport } from '../outbound/transport/mail-transport.js';
import { createTransport } from '../outbound/transport/transport-factory.js';
import { JobQueues } from '../workflows/job-queues.js';
import { WorkerHost, type JobHandlers } from '../workflows/worker-host.js';
import { ingestMessageJob } from '../workflows/jobs/ingest-message.job.js';
import { advanceCaseJob } from '../workflows/jobs/advance-case.job.js';
import { sendMailJob } from '../workflows/jobs/send-mail.job.js';
import { reconcile, reconcileJob } from '../workflows/jobs/reconcile.job.js';
import { weeklyDigestJob } from '../workflows/jobs/weekly-digest.job.js';
import { syncDigestSchedulers } from '../workflows/digest-schedule.js';
import type { Deps } from './deps.js';
import { HttpServer } from './http-server.js';
import { OrgRuntime, Organisations } from './organisations.js';

export interface ServiceParts {
  watcher: boolean;
  worker: boolean;
  http: boolean;
}

export interface CreateOptions {
  loaded: LoadedConfig;
  clock?: Clock;
  logger?: Logger;
  /** Run pending migrations (and create the database) before starting. */
  migrate?: boolean;
}

/** Every few minutes Postgres is compared with the queue and missing jobs are re-created. */
export const RECONCILE_EVERY_MS = 2 * 60_000;

/**
 * The running service: built once from the validated config, then started in the parts the
 * command asks for (`start` = all, `worker`, `watch`).
 */
export class EscalatorService {
  readonly deps: Deps;
  readonly queues: JobQueues;
  readonly registry = new Registry();
  private readonly transports = new Map<string, MailTransport>();
  private workers: WorkerHost | undefined;
  private readonly watchers: ImapWatcher[] = [];
  private readonly listeners: SmtpListener[] = [];
  private http: HttpServer | undefined;
  private readonly redis: Redis;
  /** One OAuth2 token provider per distinct app/account, shared by SMTP, IMAP and the Sent folder. */
  private readonly tokens: TokenProviders;

  private constructor(
    readonly loaded: LoadedConfig,
    readonly orm: Orm,
    readonly orgs: Organisations,
    readonly clock: Clock,
    readonly logger: Logger,
  ) {
    const cfg = loaded.config;
    this.redis = new Redis(cfg.redis.url, { maxRetriesPerRequest: null, lazyConnect: false });
    this.redis.on('error', (err) => logger.warn({ err: { message: err.message } }, 'redis connection problem'));
    this.queues = new JobQueues(this.redis, cfg.redis.prefix, clock);
    this.tokens = new TokenProviders({ clock, logger });
    this.deps = {
      orm,
      orgs,
      scheduler: this.queues,
      clock,
      logger,
      secret: cfg.secret,
      limits: cfg.limits,
      trust: cfg.trust,
      transportFor: (orgId) => this.transportFor(orgId),
      limiter: new MailboxRateLimiter(this.redis, { prefix: cfg.redis.prefix, clock }),
    };
  }

  static async create(opts: CreateOptions): Promise<EscalatorService> {
    const cfg = opts.loaded.config;
    const logger = opts.logger ?? createLogger(cfg.logging.level);
    const base = opts.loaded.baseDir;
    const ladders = LadderRegistry.load(
      resolveFrom(base, cfg.laddersDir),
      Object.fromEntries(cfg.organisations.map((o) => [o.id, o.laddersDir ? resolveFrom(base, o.laddersDir) : undefined])),
    );
    const directory = loadDirectory(resolveFrom(base, cfg.directory));
    const orgs = new Organisations(
      cfg.organisations.map((o) => {
        if (!ladders.get(o.id, o.defaultLadder)) throw new Error(`organisations.${o.id}.defaultLadder: no ladder "${o.defaultLadder}"`);
        return new OrgRuntime(o, ladders, directory, o.templatesDir ? resolveFrom(base, o.templatesDir) : undefined);
      }),
    );
    if (opts.migrate) await ensureDatabase(cfg.database.url);
    const orm = await openOrm(cfg.database.url);
    if (opts.migrate) {
      const done = await migrate(orm);
      if (done.length) logger.info({ migrations: done }, 'database migrated');
    }
    const service = new EscalatorService(opts.loaded, orm, orgs, opts.clock ?? systemClock, logger);
    await service.syncOrganisations();
    return service;
  }

  /** Organisation rows mirror the config (cases reference them). */
  private async syncOrganisations(): Promise<void> {
    const em = this.orm.em.fork() as EntityManager;
    for (const org of this.orgs.all()) {
      await em.execute(
        `insert into organisation (id, name, mailbox) values (?, ?, ?)
         on conflict (id) do update set name = excluded.name, mailbox = excluded.mailbox, updated_at = now()`,
        [org.id, org.name, org.mailbox],
      );
    }
  }

  transportFor(orgId: string): MailTransport {
    let t = this.transports.get(orgId);
    if (!t) {
      const config = this.orgs.get(orgId).config;
      const inbound = config.mailbox.inbound;
      const outbound = config.mailbox.outbound;
      t = createTransport(config, this.loaded.baseDir, this.tokens.forAuth(outbound.type === 'smtp' ? outbound.auth : undefined), {
        logger: this.logger,
        clock: this.clock,
        ...(inbound.type === 'imap' ? { imapTokens: this.tokens.forAuth(inbound.auth) } : {}),
      });
      this.transports.set(orgId, t);
    }
    return t;
  }

  handlers(): JobHandlers {
    return {
      'ingest-message': ingestMessageJob(this.deps),
      'advance-case': advanceCaseJob(this.deps),
      'send-mail': sendMailJob(this.deps),
      reconcile: reconcileJob(this.deps),
      'weekly-digest': weeklyDigestJob(this.deps),
    };
  }

  async start(parts: ServiceParts = { watcher: true, worker: true, http: true }): Promise<void> {
    const cfg = this.loaded.config;
    if (parts.worker) {
      this.workers = new WorkerHost(this.handlers(), { connection: this.redis, prefix: cfg.redis.prefix, logger: this.logger });
      this.workers.start();
      await reconcile(this.deps);
      await this.queues.queue('maintenance').upsertJobScheduler('reconcile', { every: RECONCILE_EVERY_MS }, { name: 'reconcile', data: {} });
      // The RM's weekly digest: one scheduler per organisation, at its day and time in its timezone.
      await syncDigestSchedulers(this.queues.queue('maintenance'), this.orgs.all());
    }
    if (parts.watcher) {
      for (const org of this.orgs.all()) {
        const inbound = org.config.mailbox.inbound;
        if (inbound.type === 'imap') {
          const watcher = new ImapWatcher({
            mailbox: org.mailbox,
            settings: inbound,
            tokens: this.tokens.forAuth(inbound.auth),
            orm: this.orm,
            databaseUrl: cfg.database.url,
            scheduler: this.queues,
            clock: this.clock,
            logger: this.logger,
            maxMessageBytes: cfg.limits.maxMessageBytes,
          });
          watcher.start();
          this.watchers.push(watcher);
        } else {
          const listener = new SmtpListener({
            host: inbound.host,
            port: inbound.port,
            orgs: this.orgs,
            orm: this.orm,
            scheduler: this.queues,
            clock: this.clock,
            logger: this.logger,
            maxMessageBytes: cfg.limits.maxMessageBytes,
          });
          // Several organisations may share one listener address.
          if (!this.listeners.some((l) => l.port === inbound.port)) {
            await listener.start();
            this.listeners.push(listener);
          }
        }
      }
    }
    if (parts.http) {
      collectDefaultMetrics({ register: this.registry });
      this.http = new HttpServer(
        [
          { name: 'postgres', check: async () => ({ ok: await this.orm.isConnected() }) },
          { name: 'redis', check: async () => ({ ok: (await this.redis.ping()) === 'PONG' }) },
          ...this.watchers.map((w, i) => ({ name: `imap-${i}`, check: async () => ({ ok: w.state === 'idle' || w.state === 'syncing', detail: w.state }) })),
        ],
        this.registry,
      );
      await this.http.start(cfg.http.host, cfg.http.port);
    }
    this.logger.info({ parts, organisations: this.orgs.all().map((o) => o.id) }, 'escalator started');
  }

  get httpPort(): number | undefined {
    return this.http?.port;
  }

  get listenerPorts(): number[] {
    return this.listeners.map((l) => l.port);
  }

  get imapWatchers(): readonly ImapWatcher[] {
    return this.watchers;
  }

  /** Stops taking new work, lets running jobs finish, closes connections. */
  async stop(): Promise<void> {
    await Promise.all(this.watchers.map((w) => w.stop()));
    await Promise.all(this.listeners.map((l) => l.stop()));
    await this.http?.stop();
    await this.workers?.close();
    await this.queues.close();
    await Promise.all([...this.transports.values()].map((t) => t.close()));
    this.redis.disconnect();
    await this.orm.close();
  }
}
