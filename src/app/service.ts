import { Redis } from 'ioredis';
import type { LoadedConfig } from '../config/load-config.js';
import { openOrm, type Orm } from '../db/orm.js';
import { Repositories } from '../db/repositories/index.js';
import { ensureDatabase, migrate } from '../db/migrate.js';
import { describeTrust } from '../domain/inbound/sender-verification.js';
import { GraphWatcher } from '../inbound/graph-watcher.js';
import { ImapWatcher } from '../inbound/imap-watcher.js';
import { SmtpListener } from '../inbound/smtp-listener.js';
import { ParsePool } from '../inbound/parse-pool.js';
import { systemClock, type Clock } from '../lib/clock.js';
import { createLogger, type Logger } from '../lib/logger.js';
import { GraphAccounts, type GraphAccount } from '../mail-account/graph/graph-accounts.js';
import { SentItemsProbe } from '../mail-account/graph/sent-items-probe.js';
import { TokenProviders } from '../mail-account/oauth/token-provider-factory.js';
import { MailboxRateLimiter } from '../outbound/rate-limit/mailbox-rate-limiter.js';
import type { MailTransport } from '../runtime/mail-transport.js';
import { createTransport } from '../outbound/transport/transport-factory.js';
import { JobQueues } from '../workflows/job-queues.js';
import { WorkerHost, type JobHandlers } from '../workflows/worker-host.js';
import { ingestMessageJob } from '../workflows/jobs/ingest-message.job.js';
import { advanceCaseJob } from '../workflows/jobs/advance-case.job.js';
import { sendMailJob } from '../workflows/jobs/send-mail.job.js';
import { reconcile, reconcileJob } from '../workflows/jobs/reconcile.job.js';
import { weeklyDigestJob } from '../workflows/jobs/weekly-digest.job.js';
import { SentFolderProbe } from '../mail-account/sent-folder-probe.js';
import { syncDigestSchedulers } from '../workflows/digest-schedule.js';
import type { Deps } from '../runtime/deps.js';
import { PromMetrics } from './metrics.js';
import { HttpServer } from './http-server.js';
import { WebServer } from '../web/web-server.js';
import { buildOrganisations } from '../runtime/build-organisations.js';
import type { Organisations } from '../runtime/organisations.js';

export interface ServiceParts {
  watcher: boolean;
  worker: boolean;
  http: boolean;
  /** The web case view, when `web:` is configured (`escalator start`, `escalator web`). */
  web?: boolean;
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
/** How often each worker process checks that the reconciler's schedule is still in Redis (a flush drops it). */
export const MAINTENANCE_CHECK_MS = 30_000;
/** Scrape-time gauges that query PostgreSQL or Redis are read at most this often. */
export const METRICS_CACHE_MS = 15_000;
/** A dependency that does not answer within this long is not ready (Redis commands otherwise wait for a reconnect). */
const READY_CHECK_MS = 2_000;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`${what} did not answer within ${ms} ms`));
    }, ms);
  });
  return Promise.race([p, timeout]).finally(() => {
    clearTimeout(timer);
  });
}

/**
 * The running service: built once from the validated config, then started in the parts the
 * command asks for (`start` = all, `worker`, `watch`).
 */
export class EscalatorService {
  readonly deps: Deps;
  readonly queues: JobQueues;
  /** Prometheus metrics of this process: counted by the jobs, gauges read at scrape time. */
  readonly metrics = new PromMetrics();
  private maintenanceTimer: NodeJS.Timeout | undefined;
  private readonly transports = new Map<string, MailTransport>();
  private workers: WorkerHost | undefined;
  private parsePool: ParsePool | undefined;
  private readonly watchers: ImapWatcher[] = [];
  /** Which mailbox folder each watcher reads, for /readyz and the metrics. */
  private readonly watcherKeys = new Map<ImapWatcher, string>();
  private readonly graphWatcherList: GraphWatcher[] = [];
  private readonly listeners: SmtpListener[] = [];
  private http: HttpServer | undefined;
  private web: WebServer | undefined;
  private readonly redis: Redis;
  /** One OAuth2 token provider per distinct app/account, shared by SMTP, IMAP and the Sent folder. */
  private readonly tokens: TokenProviders;
  /** Graph mailboxes (`mailbox.transport: graph`): one token per app, one client per mailbox, shared by reader and sender. */
  readonly graph: GraphAccounts;

  private constructor(
    readonly loaded: LoadedConfig,
    readonly orm: Orm,
    readonly orgs: Organisations,
    readonly clock: Clock,
    readonly logger: Logger,
  ) {
    const cfg = loaded.config;
    this.redis = new Redis(cfg.redis.url, { maxRetriesPerRequest: null, lazyConnect: false });
    this.redis.on('error', (err) => {
      logger.warn({ err: err }, 'redis connection problem');
    });
    this.queues = new JobQueues(this.redis, cfg.redis.prefix, clock);
    this.tokens = new TokenProviders({ clock, logger });
    this.graph = new GraphAccounts({ clock, logger, baseDir: loaded.baseDir });
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
      metrics: this.metrics,
      deliveryEvidence: (orgId, messageId, copies) => this.sentFolderProbe(orgId)?.lookFor(messageId, copies) ?? Promise.resolve(undefined),
    };
  }

  private readonly probes = new Map<string, SentFolderProbe | SentItemsProbe | null>();

  /** The organisation's Graph mailbox; undefined for IMAP/SMTP ones. */
  graphAccount(orgId: string): GraphAccount | undefined {
    const box = this.orgs.get(orgId).config.mailbox;
    return box.transport === 'graph' ? this.graph.forMailbox(box.address, box.graph) : undefined;
  }

  /** The Graph account of an organisation whose mailbox reads through Graph (the config schema gives it one). */
  private requireGraphAccount(orgId: string): GraphAccount {
    const account = this.graphAccount(orgId);
    if (!account) throw new Error(`organisation ${orgId} reads its mailbox through Graph but has no mailbox.graph settings`);
    return account;
  }

  /** The organisation's server-kept Sent folder, when it has one we can read (see delivery-evidence.ts). */
  private sentFolderProbe(orgId: string): SentFolderProbe | SentItemsProbe | undefined {
    const graph = this.graphAccount(orgId);
    if (graph) {
      // Without the copy in Sent Items there is nothing to ask: a mail abandoned mid-send is sent again.
      if (!this.probes.has(orgId)) this.probes.set(orgId, graph.config.saveToSentItems ? new SentItemsProbe(graph.client, this.logger) : null);
      return this.probes.get(orgId) ?? undefined;
    }
    if (!this.probes.has(orgId)) {
      const { inbound, outbound } = this.orgs.get(orgId).config.mailbox;
      const folder = outbound.type === 'smtp' ? outbound.serverSentFolder : undefined;
      const tokens = inbound.type === 'imap' ? this.tokens.forAuth(inbound.auth) : undefined;
      this.probes.set(
        orgId,
        folder && inbound.type === 'imap'
          ? new SentFolderProbe({
              host: inbound.host,
              port: inbound.port,
              secure: inbound.secure,
              tlsRejectUnauthorized: inbound.tlsRejectUnauthorized,
              auth: inbound.auth,
              ...(tokens ? { tokens } : {}),
              folder,
              logger: this.logger,
            })
          : null,
      );
    }
    return this.probes.get(orgId) ?? undefined;
  }

  static async create(opts: CreateOptions): Promise<EscalatorService> {
    const cfg = opts.loaded.config;
    const logger = opts.logger ?? createLogger(cfg.logging.level);
    const orgs = buildOrganisations(opts.loaded);
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
    const db = Repositories.open(this.orm);
    for (const org of this.orgs.all()) await db.organisations.upsert({ id: org.id, name: org.name, mailbox: org.mailbox });
  }

  transportFor(orgId: string): MailTransport {
    let t = this.transports.get(orgId);
    if (!t) {
      const config = this.orgs.get(orgId).config;
      const inbound = config.mailbox.inbound;
      const outbound = config.mailbox.outbound;
      const graph = this.graphAccount(orgId);
      t = createTransport(config, this.loaded.baseDir, this.tokens.forAuth(outbound.type === 'smtp' ? outbound.auth : undefined), {
        logger: this.logger,
        clock: this.clock,
        ...(inbound.type === 'imap' ? { imapTokens: this.tokens.forAuth(inbound.auth) } : {}),
        ...(graph ? { graph } : {}),
      });
      this.transports.set(orgId, t);
    }
    return t;
  }

  /** The web view's port once started (0 when it is not served by this process). */
  get webPort(): number {
    return this.web?.port ?? 0;
  }

  get registry() {
    return this.metrics.registry;
  }

  handlers(): JobHandlers {
    const counted =
      <P, J>(job: string, fn: (payload: P, j: J) => Promise<void>) =>
      async (payload: P, j: J) => {
        try {
          await fn(payload, j);
        } catch (error) {
          // A job put back to sleep (DelayedError) did not fail.
          if (!(error instanceof Error && error.name === 'DelayedError')) this.metrics.jobFailures.inc({ job });
          throw error;
        }
      };
    return {
      'ingest-message': counted('ingest-message', ingestMessageJob(this.deps)),
      'advance-case': counted('advance-case', advanceCaseJob(this.deps)),
      'send-mail': counted('send-mail', sendMailJob(this.deps)),
      reconcile: counted('reconcile', reconcileJob(this.deps)),
      'weekly-digest': counted('weekly-digest', weeklyDigestJob(this.deps)),
    };
  }

  /**
   * Redis may have lost everything (a restart without persistence, FLUSHALL): the reconciler's own
   * schedule with it. Each worker process checks now and then, and after every reconnection, and
   * when the schedule is gone it reconciles at once and puts the schedules back.
   */
  private async ensureMaintenance(): Promise<void> {
    const maintenance = this.queues.queue('maintenance');
    if (await maintenance.getJobScheduler('reconcile')) return;
    this.logger.warn('the reconciler schedule is missing from Redis (flushed or restarted); reconciling now');
    await reconcile(this.deps);
    await maintenance.upsertJobScheduler('reconcile', { every: RECONCILE_EVERY_MS }, { name: 'reconcile', data: {} });
    await syncDigestSchedulers(maintenance, this.orgs.all());
  }

  async start(parts: ServiceParts = { watcher: true, worker: true, http: true }): Promise<void> {
    const cfg = this.loaded.config;
    if (parts.worker) {
      // Said once at start, at warn, so an operator sees how (and whether) senders are proven.
      for (const org of this.orgs.all()) {
        this.logger.warn({ organisation: org.id, trust: org.trust.source, verifiedBy: describeTrust(org.trust) }, 'sender trust');
      }
      // Messages are parsed and analysed on worker threads, each within a time and memory limit.
      this.parsePool = new ParsePool({
        threads: cfg.limits.parseThreads,
        timeoutMs: cfg.limits.parseTimeoutMs,
        memoryMb: cfg.limits.parseMemoryMb,
        logger: this.logger,
      });
      this.deps.reader = this.parsePool;
      this.workers = new WorkerHost(this.handlers(), { connection: this.redis, prefix: cfg.redis.prefix, logger: this.logger });
      this.workers.start();
      // A database that is down at this moment must not stop the worker: the schedule below reconciles again.
      await reconcile(this.deps).catch((err: unknown) => {
        this.logger.warn({ err: err }, 'could not reconcile at start; the schedule will');
      });
      await this.queues.queue('maintenance').upsertJobScheduler('reconcile', { every: RECONCILE_EVERY_MS }, { name: 'reconcile', data: {} });
      // The RM's weekly digest: one scheduler per organisation, at its day and time in its timezone.
      await syncDigestSchedulers(this.queues.queue('maintenance'), this.orgs.all());
      const check = () =>
        void this.ensureMaintenance().catch((err: unknown) => {
          this.logger.warn({ err: err }, 'could not check the reconciler schedule');
        });
      this.maintenanceTimer = setInterval(check, MAINTENANCE_CHECK_MS);
      this.maintenanceTimer.unref();
      this.redis.on('ready', check);
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
          this.watcherKeys.set(watcher, `${org.mailbox}/${inbound.mailbox}`);
        } else if (inbound.type === 'graph') {
          const watcher = new GraphWatcher({
            mailbox: org.mailbox,
            account: this.requireGraphAccount(org.id),
            orm: this.orm,
            databaseUrl: cfg.database.url,
            scheduler: this.queues,
            clock: this.clock,
            logger: this.logger,
            maxMessageBytes: cfg.limits.maxMessageBytes,
          });
          watcher.start();
          this.graphWatcherList.push(watcher);
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
      this.metrics.collectProcessMetrics();
      this.metrics.setSources(this.metricSources());
      this.http = new HttpServer(
        [
          { name: 'postgres', check: async () => ({ ok: await withTimeout(this.orm.isConnected(), READY_CHECK_MS, 'PostgreSQL') }) },
          // PING answers PONG or rejects: reaching the end in time is the check.
          {
            name: 'redis',
            check: async () => {
              await withTimeout(this.redis.ping(), READY_CHECK_MS, 'Redis');
              return { ok: true };
            },
          },
          // A watcher waiting for the lock is ready: another process is watching that mailbox.
          ...this.watchers.map((w) => ({
            name: `imap:${this.watcherKeys.get(w) ?? '?'}`,
            check: () => Promise.resolve({ ok: w.state === 'idle' || w.state === 'syncing' || w.state === 'waiting-for-lock', detail: w.state }),
          })),
          ...this.graphWatcherList.map((w) => ({
            name: `graph:${w.key}`,
            check: () => Promise.resolve({ ok: w.state === 'idle' || w.state === 'syncing' || w.state === 'waiting-for-lock', detail: w.state }),
          })),
        ],
        this.registry,
      );
      await this.http.start(cfg.http.host, cfg.http.port);
    }
    if (parts.web && cfg.web) {
      this.web = new WebServer(cfg.web, this.deps);
      await this.web.start();
    }
    this.logger.info({ parts, organisations: this.orgs.all().map((o) => o.id) }, 'escalator started');
  }

  /**
   * Gauges read at scrape time: the queues, the oldest overdue case and mail, the watchers. What
   * needs PostgreSQL or Redis is read at most once per `METRICS_CACHE_MS` (by the service's clock),
   * whatever the scrape rate: a scraper, or anyone who can reach /metrics, cannot load the database.
   */
  private metricSources() {
    const secondsSince = async (oldest: (db: Repositories, now: Date) => Promise<Date | null>, now: Date): Promise<number> => {
      const at = await withTimeout(oldest(Repositories.open(this.orm), now), READY_CHECK_MS, 'PostgreSQL');
      return at ? Math.max(0, (now.getTime() - at.getTime()) / 1000) : 0;
    };
    const readAll = async () => {
      const now = this.clock.now();
      this.metrics.metricsRefreshes.inc();
      const queues: { queue: string; state: string; count: number }[] = [];
      for (const [name, queue] of this.queues.queues) {
        const counts = await withTimeout(queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed'), READY_CHECK_MS, 'Redis');
        for (const [state, count] of Object.entries(counts)) queues.push({ queue: name, state, count });
      }
      const overdue = await secondsSince((db, at) => db.cases.oldestOverdue(at), now).catch(() => undefined);
      const dueMail = await secondsSince((db, at) => db.outbox.oldestDue(at), now).catch(() => undefined);
      return { queues, overdue, dueMail };
    };
    let cached: { at: number; value: ReturnType<typeof readAll> } | undefined;
    const read = () => {
      const now = this.clock.now().getTime();
      if (!cached || now - cached.at >= METRICS_CACHE_MS || now < cached.at) {
        const value = readAll();
        cached = { at: now, value };
        // A failed read is not kept: the next scrape tries again.
        value.catch(() => {
          if (cached?.value === value) cached = undefined;
        });
      }
      return cached.value;
    };
    return {
      queueDepths: async () => (await read()).queues,
      oldestOverdueCaseSeconds: async () => (await read()).overdue ?? Promise.reject(new Error('not read')),
      oldestDueMailSeconds: async () => (await read()).dueMail ?? Promise.reject(new Error('not read')),
      // Graph readers are mailbox watchers too (`<mailbox>/graph`), in the same gauges.
      imapWatchers: () => [
        ...this.watchers.map((w) => ({ mailbox: this.watcherKeys.get(w) ?? '?', state: w.state })),
        ...this.graphWatcherList.map((w) => ({ mailbox: w.key, state: w.state })),
      ],
    };
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

  get graphWatchers(): readonly GraphWatcher[] {
    return this.graphWatcherList;
  }

  /** Stops taking new work, lets running jobs finish, closes connections. */
  async stop(): Promise<void> {
    if (this.maintenanceTimer) clearInterval(this.maintenanceTimer);
    await Promise.all([...this.watchers.map((w) => w.stop()), ...this.graphWatcherList.map((w) => w.stop())]);
    await Promise.all(this.listeners.map((l) => l.stop()));
    await this.http?.stop();
    await this.web?.stop();
    await this.workers?.close();
    await this.parsePool?.close();
    await this.queues.close();
    await Promise.all([...this.transports.values()].map((t) => t.close()));
    await this.graph.close();
    this.redis.disconnect();
    await this.orm.close();
  }
}
