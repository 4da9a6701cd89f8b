import { fork, spawn, type ChildProcess } from 'node:child_process';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { EscalatorService, type ServiceParts } from '../src/app/service.js';
import { configSchema } from '../src/config/config-schema.js';
import type { LoadedConfig } from '../src/config/load-config.js';
import { ManualClock } from '../src/lib/clock.js';
import { createLogger } from '../src/lib/logger.js';
import { createTestDatabase, type TestDatabase } from '../test/support/database.js';
import { startDovecot, type DovecotServer } from '../test/support/dovecot.js';
import { freePort } from '../test/support/free-port.js';
import { flushPrefix, uniquePrefix } from '../test/support/redis.js';
import { REPO_ROOT } from '../test/support/repo-root.js';
import { waitFor } from '../test/support/wait.js';
import { AUTHSERV, INBOX, RM } from './corpus.js';
import type { SinkReply, SinkRequest, SinkStats } from './sink-child.js';

export const SECRET = 'bench-secret-0123456789abcdef';
export const STAFF_DOMAIN = 'sunrise-homes.org.uk';

/** A private redis-server: memory figures are ours alone, and nobody else's flush or restart reaches it. */
export interface RedisServer {
  url: string;
  port: number;
  client(): Redis;
  usedMemory(): Promise<number>;
  version(): Promise<string>;
  stop(): Promise<void>;
}

export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction', '--loglevel', 'warning'],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const url = `redis://127.0.0.1:${port}`;
  const admin = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => 100 });
  admin.on('error', () => undefined);
  await waitFor(async () => (await admin.ping().catch(() => '')) === 'PONG', { timeout: 10_000, interval: 50, what: 'redis-server to answer' });
  return {
    url,
    port,
    client: () => new Redis(url, { maxRetriesPerRequest: null }),
    async usedMemory() {
      const info = await admin.info('memory');
      return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
    },
    async version() {
      const info = await admin.info('server');
      return /redis_version:(\S+)/.exec(info)?.[1] ?? '?';
    },
    async stop() {
      admin.disconnect();
      if (child.exitCode === null) {
        const exited = new Promise<void>((resolve) =>
          child.once('exit', () => {
            resolve();
          }),
        );
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

/** The sink child process, seen from here. */
export class SinkProcess {
  private nextId = 1;
  private readonly pending = new Map<number, (r: SinkReply) => void>();

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.on('message', (m: SinkReply) => {
      if ('id' in m) {
        this.pending.get(m.id)?.(m);
        this.pending.delete(m.id);
      }
    });
  }

  static async start(): Promise<SinkProcess> {
    const child = fork(fileURLToPath(new URL('./sink-child.ts', import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const port = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => {
        reject(new Error(`sink process exited (${code}) before it was ready`));
      });
      child.on('message', (m: SinkReply) => {
        if (m.type === 'ready') resolve(m.port);
      });
    });
    return new SinkProcess(child, port);
  }

  private ask<T extends SinkReply>(req: Omit<SinkRequest, 'id'>): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve) => {
      this.pending.set(id, (r) => {
        resolve(r as T);
      });
      this.child.send({ ...req, id });
    });
  }

  async stats(): Promise<SinkStats> {
    return (await this.ask<Extract<SinkReply, { type: 'stats' }>>({ type: 'stats' })).stats;
  }

  async reset(): Promise<void> {
    await this.ask({ type: 'reset' });
  }

  async track(on: boolean): Promise<void> {
    await this.ask({ type: 'track', on } as Omit<SinkRequest, 'id'>);
  }

  /** When the first message answering each of these Message-IDs was accepted (ms since epoch). */
  async replies(inReplyTo: string[]): Promise<Record<string, number>> {
    return (await this.ask<Extract<SinkReply, { type: 'replies' }>>({ type: 'replies', inReplyTo } as Omit<SinkRequest, 'id'>)).at;
  }

  /** Resolves with the stats once `n` messages have been accepted since the last reset. */
  async waitForAccepted(n: number, timeoutMs: number, interval = 20): Promise<SinkStats> {
    return waitFor(
      async () => {
        const s = await this.stats();
        return s.accepted >= n ? s : undefined;
      },
      { timeout: timeoutMs, interval, what: `the sink to accept ${n} messages` },
    );
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) =>
      this.child.once('exit', () => {
        resolve();
      }),
    );
    this.child.send({ type: 'stop', id: 0 } satisfies SinkRequest);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}

/** Servers shared by every scenario of one run. */
export interface Infra {
  redis: RedisServer;
  dovecot: DovecotServer;
  sink: SinkProcess;
  stop(): Promise<void>;
}

export async function startInfra(): Promise<Infra> {
  const [redis, dovecot, sink] = await Promise.all([startRedis(), startDovecot(), SinkProcess.start()]);
  return {
    redis,
    dovecot,
    sink,
    async stop() {
      await Promise.allSettled([sink.stop(), dovecot.dispose(), redis.stop()]);
    },
  };
}

/** Log lines are produced (pino's cost is real) but thrown away. */
class NullSink extends Writable {
  lines = 0;
  /** How many reconcile passes ran (the service reconciles every two minutes of real time). */
  reconciles = 0;
  warnings: string[] = [];
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.lines++;
    const s = chunk.toString('utf8');
    if (s.includes('"msg":"reconciled"')) this.reconciles++;
    if (this.warnings.length < 20 && /"level":(40|50|60)/.test(s)) this.warnings.push(s.slice(0, 400));
    cb();
  }
}

export interface OrgSpec {
  id: string;
  mailbox: string;
  /** `imap` reads the rig's Dovecot; `none` is an organisation only the worker side needs. */
  inbound: 'imap' | 'none';
}

export interface ServiceOptions {
  name: string;
  start: string;
  orgs?: OrgSpec[];
  /** Per-mailbox send limit (0 = off). */
  rateLimitPerMinute?: number;
  logLevel?: 'info' | 'warn';
  /** Use this database instead of a new one. */
  db?: TestDatabase;
}

export function benchConfig(infra: Pick<Infra, 'redis' | 'dovecot' | 'sink'>, dbUrl: string, prefix: string, opts: ServiceOptions): LoadedConfig {
  const orgs = opts.orgs ?? [{ id: 'sunrise-homes', mailbox: INBOX, inbound: 'imap' as const }];
  const config = configSchema.parse({
    database: { url: dbUrl },
    redis: { url: infra.redis.url, prefix },
    http: { host: '127.0.0.1', port: 0 },
    logging: { level: opts.logLevel ?? 'info' },
    secret: SECRET,
    laddersDir: 'config/ladders',
    directory: 'bench/directory.yaml',
    trust: { authservIds: [AUTHSERV] },
    // Thousands of requests from a handful of staff in minutes are the benchmark's load, not a
    // hostile sender: the openings limit (30 an hour per sender) would refuse most of them.
    limits: { openingsPerSenderPerHour: 0 },
    organisations: orgs.map((o, i) => ({
      id: o.id,
      name: `Sunrise Children’s Homes ${i + 1}`,
      nation: 'england-and-wales',
      manager: { name: RM.name, email: i === 0 ? RM.email : `manager@${o.id}.${STAFF_DOMAIN}` },
      staff: { domains: [STAFF_DOMAIN] },
      defaultLadder: 'childrens-home-reg5',
      digest: { enabled: false },
      mailbox: {
        address: o.mailbox,
        name: 'Sunrise escalations',
        plusAddressing: true,
        inbound:
          o.inbound === 'imap'
            ? {
                type: 'imap',
                host: infra.dovecot.host,
                port: infra.dovecot.port,
                secure: false,
                auth: { type: 'password', user: 'escalations', password: 'secret' },
                resyncSeconds: 30,
              }
            : { type: 'smtp-listener', host: '127.0.0.1', port: 2525 },
        outbound: {
          type: 'smtp',
          host: '127.0.0.1',
          port: infra.sink.port,
          secure: false,
          requireTLS: false,
          rateLimitPerMinute: opts.rateLimitPerMinute ?? 0,
        },
      },
    })),
  });
  return { config, path: '(bench)', baseDir: REPO_ROOT, usingLocalDefaults: false };
}

/** The real service, started as the tests' harness starts it: a config object, a ManualClock. */
export class ServiceRig {
  service!: EscalatorService;
  readonly logs = new NullSink();

  private constructor(
    readonly infra: Infra,
    readonly db: TestDatabase,
    readonly prefix: string,
    readonly clock: ManualClock,
    readonly loaded: LoadedConfig,
    private readonly ownDb: boolean,
  ) {}

  static async create(infra: Infra, opts: ServiceOptions): Promise<ServiceRig> {
    const db = opts.db ?? (await createTestDatabase(`escalator_bench_${opts.name}`));
    const prefix = uniquePrefix(`bench-${opts.name}`);
    const rig = new ServiceRig(infra, db, prefix, new ManualClock(opts.start), benchConfig(infra, db.url, prefix, opts), !opts.db);
    rig.service = await EscalatorService.create({
      loaded: rig.loaded,
      clock: rig.clock,
      logger: createLogger(opts.logLevel ?? 'info', rig.logs),
      migrate: true,
    });
    return rig;
  }

  async start(parts: ServiceParts): Promise<void> {
    await this.service.start(parts);
    if (parts.watcher)
      await waitFor(() => this.service.imapWatchers.every((w) => w.state === 'idle'), { what: 'the IMAP watcher to be idle', timeout: 15_000 });
  }

  /** Waits until no job is waiting, running or prioritised (delayed ones may remain). */
  async settle(timeoutMs = 120_000): Promise<void> {
    let quiet = 0;
    await waitFor(
      async () => {
        let busy = 0;
        for (const q of this.service.queues.queues.values()) {
          const c = await q.getJobCounts('waiting', 'active', 'prioritized');
          busy += (c.waiting ?? 0) + (c.active ?? 0) + (c.prioritized ?? 0);
        }
        quiet = busy === 0 ? quiet + 1 : 0;
        return quiet >= 3;
      },
      { timeout: timeoutMs, interval: 50, what: 'the queues to settle' },
    );
  }

  async stop(opts: { keepDb?: boolean } = {}): Promise<void> {
    await this.service.stop().catch(() => undefined);
    const redis = this.infra.redis.client();
    await flushPrefix(this.prefix, redis).catch(() => undefined);
    redis.disconnect();
    if (this.ownDb && !opts.keepDb) await this.db.drop();
  }
}
