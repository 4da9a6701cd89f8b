import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Queue } from 'bullmq';
import { ImapFlow } from 'imapflow';
import { Redis } from 'ioredis';
import pg from 'pg';
import { parse, stringify } from 'yaml';
import { configSchema } from '../../../src/config/config-schema.js';
import { migrate } from '../../../src/db/migrate.js';
import { openOrm } from '../../../src/db/orm.js';
import { QUEUE_NAMES } from '../../../src/workflows/job-catalogue.js';
import { startDovecot, type DovecotServer } from '../../support/dovecot.js';
import { REPO_ROOT } from '../../support/repo-root.js';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink.js';
import { PrivatePostgres } from './private-postgres.js';
import { PrivateRedis } from './private-redis.js';
import { CHILD_APPLICATION_NAME, ServiceProcess, type ProcessKind } from './service-process.js';

export const INBOX = 'escalations@sunrise-homes.org.uk';
export const RM = 'alex.morgan@sunrise-homes.org.uk';
export const SECRET = 'fault-suite-secret-0123456789';
export const PREFIX = 'faults';
/** Where the SMTP sink, playing Exchange Online or Gmail, files every message it accepts from the inbox. */
export const SENT_FOLDER = 'Sent';
/** The run's database, in the suite's own PostgreSQL cluster. */
export const DATABASE = 'escalator_faults';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Deterministic pseudo-random numbers, so a failing run can be replayed by its seed (the suite's one PRNG). */
export { prng } from '../../support/prng.js';

/**
 * The shared clock of every process: the test writes the offset, the service processes read it
 * (ESCALATOR_CLOCK_FILE). Written to a temporary name and renamed, so a reader never sees half.
 */
export class SharedClock {
  private offsetMs = 0;
  constructor(readonly path: string) {}

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  set(to: Date | string): void {
    this.offsetMs = new Date(to).getTime() - Date.now();
    writeFileSync(`${this.path}.tmp`, JSON.stringify({ offsetMs: this.offsetMs }));
    renameSync(`${this.path}.tmp`, this.path);
  }

  advance(ms: number): void {
    this.set(new Date(this.now().getTime() + ms));
  }
}

export interface Counts {
  messagesPending: number;
  /** Pending outbox rows, due or waiting for a retry. */
  outboxDue: number;
  outboxSending: number;
  casesDue: number;
  busyJobs: number;
}

/**
 * Everything the fault run needs: a private PostgreSQL cluster (stopped and started for real
 * outages), a private Redis, Dovecot, the SMTP sink, the shared clock, and the service as 2
 * watcher and 3 worker processes that can be killed and restarted. The test process keeps its own
 * connections (not named like the children's, so cutting theirs leaves the test's alone).
 */
export class FaultRig {
  readonly processes: ServiceProcess[] = [];
  private readonly queues = new Map<string, Queue>();
  private imap: ImapFlow | undefined;
  readonly faults: string[] = [];
  private filed = 0;
  private filing = false;
  private filer: Promise<void> | undefined;
  /**
   * Whether drive() asks for a reconciliation itself (every 5 s and after moving the clock), as a
   * stand-in for the service's two-minute schedule. Switched off after a Redis fault, so that what
   * Redis lost is re-created by the service alone (its schedule, its 30 s check, its reconnection
   * handler).
   */
  reconcileHelp = true;

  private constructor(
    readonly dir: string,
    readonly postgres: PrivatePostgres,
    readonly db: { url: string; name: string },
    readonly pool: pg.Pool,
    readonly redis: PrivateRedis,
    readonly dovecot: DovecotServer,
    readonly sink: SmtpSink,
    readonly clock: SharedClock,
    readonly configPath: string,
  ) {}

  static async start(opts: {
    start: string;
    workers: number;
    watchers: number;
    limits?: Record<string, number>;
    /** Another mailbox block (the Graph phase's), instead of Dovecot and the SMTP sink's. */
    mailbox?: Record<string, unknown>;
    /**
     * `auto`: the real ladders with `resolution: auto`, so a done reply closes its case at once. The
     * chaos and Graph phases measure delivery under faults; which chasers are due stays simple
     * arithmetic. How a done reply waits for the RM is tested through real mail on its own
     * (test/integration/reply-confirmation.test.ts).
     */
    resolution?: 'auto';
  }): Promise<FaultRig> {
    const dir = mkdtempSync(join(tmpdir(), 'escalator-faults-'));
    const started = await Promise.allSettled([PrivatePostgres.start(), PrivateRedis.start(), startDovecot(), startSmtpSink()] as const);
    if (started.some((s) => s.status === 'rejected')) {
      // Nothing may outlive a failed start: stop what did come up.
      const [pgs, rs, ds, ss] = started;
      if (pgs.status === 'fulfilled') await pgs.value.close().catch(() => undefined);
      if (rs.status === 'fulfilled') await rs.value.stop().catch(() => undefined);
      if (ds.status === 'fulfilled') await ds.value.dispose().catch(() => undefined);
      if (ss.status === 'fulfilled') await ss.value.stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
      throw started.find((s) => s.status === 'rejected')!.reason;
    }
    const [postgres, redis, dovecot, sink] = started.map((s) => (s as PromiseFulfilledResult<unknown>).value) as [
      PrivatePostgres,
      PrivateRedis,
      DovecotServer,
      SmtpSink,
    ];
    let db: { url: string; name: string };
    try {
      db = { url: await postgres.createDatabase(DATABASE), name: DATABASE };
    } catch (error) {
      await Promise.all([postgres.close(), redis.stop(), dovecot.dispose(), sink.stop()].map((p) => p.catch(() => undefined)));
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    const clock = new SharedClock(join(dir, 'clock.json'));
    clock.set(opts.start);
    const config = {
      database: { url: db.url },
      redis: { url: redis.url, prefix: PREFIX },
      http: { host: '127.0.0.1', port: 0 },
      logging: { level: 'info' },
      secret: SECRET,
      laddersDir: opts.resolution === 'auto' ? laddersResolvingOnReply(dir) : resolve(REPO_ROOT, 'config/ladders'),
      directory: resolve(REPO_ROOT, 'test/fixtures/directory.yaml'),
      trust: { authservIds: ['mx.sunrise-homes.org.uk'] },
      ...(opts.limits ? { limits: opts.limits } : {}),
      organisations: [
        {
          id: 'sunrise-homes',
          name: 'Sunrise Children’s Homes',
          nation: 'england-and-wales',
          manager: { name: 'Alex Morgan', email: RM },
          staff: { domains: ['sunrise-homes.org.uk'] },
          defaultLadder: 'childrens-home-reg5',
          mailbox: opts.mailbox ?? {
            address: INBOX,
            name: 'Sunrise escalations',
            plusAddressing: true,
            inbound: {
              type: 'imap',
              host: dovecot.host,
              port: dovecot.port,
              secure: false,
              auth: { type: 'password', user: 'escalations', password: 'secret' },
              resyncSeconds: 5,
            },
            // The per-mailbox send limit would stretch a few thousand mails over an hour; it has its own tests.
            // The sink files what it accepts in the mailbox's Sent folder, as Exchange Online and Gmail do.
            outbound: {
              type: 'smtp',
              host: sink.host,
              port: sink.port,
              secure: false,
              requireTLS: false,
              rateLimitPerMinute: 0,
              serverSentFolder: SENT_FOLDER,
            },
          },
        },
      ],
    };
    configSchema.parse(config);
    const configPath = join(dir, 'escalator.yaml');
    writeFileSync(configPath, stringify(config));
    const pool = new pg.Pool({ connectionString: db.url, max: 4 });
    // An idle connection of the test's own dies with every PostgreSQL outage: the pool replaces it.
    pool.on('error', () => undefined);
    const rig = new FaultRig(dir, postgres, db, pool, redis, dovecot, sink, clock, configPath);
    try {
      // Migrate once from here, so the processes (started with --no-migrate) race for nothing.
      const orm = await openOrm(db.url);
      await migrate(orm);
      await orm.close();
    } catch (error) {
      await rig.close({ keepLogs: false });
      throw error;
    }
    rig.fileAcceptedMail();
    for (const name of QUEUE_NAMES)
      rig.queues.set(name, new Queue(name, { connection: { host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: null }, prefix: PREFIX }));
    for (const q of rig.queues.values()) q.on('error', () => undefined);
    for (let i = 1; i <= opts.watchers; i++) rig.spawn('watch', `watcher-${i}`);
    for (let i = 1; i <= opts.workers; i++) rig.spawn('worker', `worker-${i}`);
    return rig;
  }

  /**
   * The server side of the Sent folder: like Exchange Online and Gmail, every message the SMTP
   * server accepts from the mailbox is filed (a moment later) in that mailbox's Sent folder, which
   * the service may read back over IMAP. Only what the sink really accepted is filed.
   */
  fileAcceptedMail(): void {
    this.filing = true;
    this.filer = (async () => {
      let client: ImapFlow | undefined;
      while (this.filing) {
        const next = this.sink.messages.slice(this.filed);
        if (next.length === 0) {
          await sleep(100);
          continue;
        }
        try {
          if (!client?.usable) {
            client = await this.dovecot.connect();
            await client.mailboxCreate(SENT_FOLDER).catch(() => undefined);
          }
          for (const m of next) {
            if (m.envelope.from.toLowerCase() === INBOX) await client.append(SENT_FOLDER, m.raw, ['\\Seen']);
            this.filed++;
          }
        } catch {
          client = undefined;
          await sleep(250);
        }
      }
      await client?.logout().catch(() => undefined);
    })();
  }

  /** Every message the sink accepted so far has been filed in the Sent folder. */
  get allFiled(): boolean {
    return this.filed >= this.sink.messages.length;
  }

  spawn(kind: ProcessKind, name: string): ServiceProcess {
    const p = new ServiceProcess(kind, name, { configPath: this.configPath, clockFile: this.clock.path, logDir: this.dir });
    p.start();
    this.processes.push(p);
    return p;
  }

  get workers(): ServiceProcess[] {
    return this.processes.filter((p) => p.kind === 'worker');
  }

  get watchers(): ServiceProcess[] {
    return this.processes.filter((p) => p.kind === 'watch');
  }

  fault(what: string): void {
    this.faults.push(what);
  }

  /** A query of the test's own, waiting through a PostgreSQL outage (up to 90 s). */
  async query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
    const giveUpAt = Date.now() + 90_000;
    for (;;) {
      try {
        return (await this.pool.query<T>(sql, params)).rows;
      } catch (error) {
        if (Date.now() > giveUpAt) throw error;
        await sleep(250);
      }
    }
  }

  /** Appends to the inbox over one IMAP connection (reopened when Dovecot was restarted). */
  async append(raw: string, date: Date): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        if (!this.imap?.usable) {
          this.imap = await this.dovecot.connect();
        }
        await this.imap.append('INBOX', raw, [], date);
        return;
      } catch (error) {
        this.imap = undefined;
        if (attempt >= 20) throw error;
        await sleep(250);
      }
    }
  }

  /** Advisory locks held in the run's database: the mailbox lock of the one watcher that reads it. */
  async mailboxLocksHeld(): Promise<number> {
    const rows = await this.query<{ n: string }>(
      `select count(*) as n from pg_locks where locktype = 'advisory' and granted and database = (select oid from pg_database where datname = $1)`,
      [this.db.name],
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** The HTTP port a service process printed when it started (its latest start). */
  httpPort(p: ServiceProcess): number | undefined {
    const all = [...p.logText().matchAll(/http on 127\.0\.0\.1:(\d+)/g)];
    const last = all.at(-1);
    return last ? Number(last[1]) : undefined;
  }

  /** What a process's /readyz says (undefined when it does not answer). */
  async readiness(p: ServiceProcess): Promise<{ ok: boolean; checks: { name: string; ok: boolean; detail?: string }[] } | undefined> {
    const port = this.httpPort(p);
    if (!port) return undefined;
    try {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(5_000) });
      return (await res.json()) as { ok: boolean; checks: { name: string; ok: boolean; detail?: string }[] };
    } catch {
      return undefined;
    }
  }

  async metrics(p: ServiceProcess): Promise<string> {
    const port = this.httpPort(p);
    if (!port) return '';
    try {
      return await (await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
    } catch {
      return '';
    }
  }

  /** The Postgres outage as the service sees it: every connection of the service processes is cut. */
  async cutDatabaseConnections(): Promise<number> {
    const rows = await this.query<{ pid: number }>(
      `select pg_terminate_backend(pid) as ok, pid from pg_stat_activity where datname = $1 and application_name = $2`,
      [this.db.name, CHILD_APPLICATION_NAME],
    );
    return rows.length;
  }

  /**
   * A real PostgreSQL outage: the suite's cluster is stopped with `pg_ctl stop -m immediate` (every
   * connection dies, new ones are refused), stays down for `downMs`, and is started again.
   */
  async restartPostgres(downMs: number): Promise<void> {
    await this.postgres.outage(downMs);
  }

  /** FLUSHALL on the live Redis: every key gone while every process stays connected (no reconnection to notice); how many keys there were. */
  async flushRedis(): Promise<number> {
    const client = new Redis(this.redis.url, { maxRetriesPerRequest: 3 });
    client.on('error', () => undefined);
    try {
      const keys = await client.dbsize();
      await client.flushall();
      return keys;
    } finally {
      client.disconnect();
    }
  }

  /** The ids of the job schedulers in the maintenance queue (the reconciler's, each organisation's digest). */
  async schedulers(): Promise<string[]> {
    const list = await this.queues.get('maintenance')!.getJobSchedulers(0, -1, true);
    return list.map((s) => s.key).sort();
  }

  /** Promotes every delayed job that has fallen due by the shared clock (BullMQ delays run on the wall clock). */
  async promoteDue(): Promise<number> {
    const now = this.clock.now().getTime();
    let promoted = 0;
    const cases = this.queues.get('cases')!;
    for (const job of await cases.getDelayed().catch(() => [])) {
      if (job.name === 'advance-case' && Number(job.id?.split('-').pop()) <= now) {
        await job.promote().catch(() => undefined);
        promoted++;
      }
    }
    const outbox = this.queues.get('outbox')!;
    const delayed = (await outbox.getDelayed().catch(() => [])).filter((j) => j.name === 'send-mail');
    if (delayed.length > 0) {
      const ids = [...new Set(delayed.map((j) => (j.data as { outboxId: string }).outboxId))];
      const due = new Set(
        (await this.query<{ id: string }>(`select id from outbox_mail where id = any($1::uuid[]) and not_before <= $2`, [ids, new Date(now)])).map((r) => r.id),
      );
      for (const job of delayed) {
        if (due.has((job.data as { outboxId: string }).outboxId)) {
          await job.promote().catch(() => undefined);
          promoted++;
        }
      }
    }
    return promoted;
  }

  async requestReconcile(): Promise<void> {
    await this.queues
      .get('maintenance')!
      .add('reconcile', {}, { removeOnComplete: true, removeOnFail: true })
      .catch(() => undefined);
  }

  async counts(): Promise<Counts> {
    const now = this.clock.now();
    const [row] = await this.query<{ mp: string; od: string; os: string; cd: string }>(
      `select (select count(*) from message where status = 'pending') as mp,
              (select count(*) from outbox_mail where status = 'pending') as od,
              (select count(*) from outbox_mail where status = 'sending') as os,
              (select count(*) from escalation_case where status in ('open', 'paused') and next_action_at <= $1) as cd`,
      [now],
    );
    let busy = 0;
    for (const q of this.queues.values()) {
      const c = await q.getJobCounts('waiting', 'active', 'prioritized').catch((): Record<string, number> => ({ waiting: 1 }));
      busy += (c.waiting ?? 0) + (c.active ?? 0) + (c.prioritized ?? 0);
    }
    return { messagesPending: Number(row!.mp), outboxDue: Number(row!.od), outboxSending: Number(row!.os), casesDue: Number(row!.cd), busyJobs: busy };
  }

  /**
   * Runs the system until it has done everything it can by the shared clock: promotes due jobs,
   * asks for a reconciliation now and then while `reconcileHelp` is on (standing in for the
   * workers' own two-minute schedule; off, only the service's own reconciles run), and when nothing moves and no job is running moves the clock just far enough for the
   * service's own recovery to act: past a retry's not-before, past the 5 minutes after which a
   * mail left in `sending` by a killed worker counts as abandoned, past the minute after which a
   * stored message without its job is queued again. Never past `limit`.
   */
  async drive(what: string, opts: { timeoutMs: number; limit: Date; onTick?: () => Promise<void> }): Promise<{ clockMoves: number }> {
    const deadline = Date.now() + opts.timeoutMs;
    let quiet = 0;
    let lastKey = '';
    let stillSince = Date.now();
    let lastReconcile = 0;
    let clockMoves = 0;
    for (;;) {
      await opts.onTick?.();
      await this.promoteDue();
      const c = await this.counts();
      const idle = c.messagesPending + c.outboxDue + c.outboxSending + c.casesDue === 0;
      if (idle && c.busyJobs === 0) {
        if (++quiet >= 4) return { clockMoves };
      } else {
        quiet = 0;
      }
      const key = JSON.stringify(c);
      if (key !== lastKey) {
        lastKey = key;
        stillSince = Date.now();
      }
      if (this.reconcileHelp && Date.now() - lastReconcile > 5_000 && !idle) {
        await this.requestReconcile();
        lastReconcile = Date.now();
      }
      const still = Date.now() - stillSince;
      if (c.busyJobs === 0 && still > 3_000) {
        let move = 0;
        if (c.outboxSending > 0 && this.allFiled) move = Math.max(move, 5 * 60_000 + 1_000);
        if (c.messagesPending > 0) move = Math.max(move, 61_000);
        if (c.outboxDue > 0 && c.outboxSending + c.casesDue + c.messagesPending === 0) {
          // Only retries in the future are left (a 4xx answer): jump to the first of them.
          const [next] = await this.query<{ at: Date | null }>(`select min(not_before) as at from outbox_mail where status = 'pending'`);
          if (next?.at) move = Math.max(move, new Date(next.at).getTime() - this.clock.now().getTime() + 1_000);
        }
        if (move > 0 && this.clock.now().getTime() + move <= opts.limit.getTime()) {
          this.clock.advance(move);
          clockMoves++;
          if (this.reconcileHelp) {
            await this.requestReconcile();
            lastReconcile = Date.now();
          }
          stillSince = Date.now();
        }
      }
      if (Date.now() > deadline) {
        throw new Error(`${what}: the system did not settle within ${opts.timeoutMs} ms (${key}, clock ${this.clock.now().toISOString()})`);
      }
      await sleep(250);
    }
  }

  async close(opts: { keepLogs?: boolean } = {}): Promise<void> {
    this.filing = false;
    await this.filer;
    await Promise.all(this.processes.map((p) => p.kill().catch(() => undefined)));
    for (const p of this.processes) p.closeLog();
    await this.imap?.logout().catch(() => undefined);
    await Promise.all([...this.queues.values()].map((q) => q.close().catch(() => undefined)));
    await this.pool.end().catch(() => undefined);
    await this.redis.stop().catch(() => undefined);
    await Promise.all([this.dovecot.dispose().catch(() => undefined), this.sink.stop().catch(() => undefined)]);
    // The whole cluster goes, its data directory with it.
    await this.postgres.close().catch(() => undefined);
    if (opts.keepLogs) console.log(`fault suite: the processes' logs are in ${this.dir}`);
    else rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A copy of the real ladders with `resolution: auto`, in the run's own directory. */
function laddersResolvingOnReply(dir: string): string {
  const from = resolve(REPO_ROOT, 'config/ladders');
  const to = join(dir, 'ladders');
  mkdirSync(to);
  for (const file of readdirSync(from).filter((f) => f.endsWith('.yaml'))) {
    const ladder = parse(readFileSync(join(from, file), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(to, file), stringify({ ...ladder, resolution: 'auto' }));
  }
  return to;
}
