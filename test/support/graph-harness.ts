import type { EntityManager } from '@mikro-orm/postgresql';
import { EscalatorService } from '../../src/app/service.js';
import { configSchema } from '../../src/config/config-schema.js';
import type { LoadedConfig } from '../../src/config/load-config.js';
import { Case } from '../../src/db/entities/index.js';
import { ManualClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/lib/logger.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { INBOX, LogCapture, RM, SECRET } from './escalator-harness.js';
import { GraphServer, makeCertificate, type TestCertificate } from './graph-server.js';
import { promoteDueJobs, settleQueues } from './queue-driver.js';
import { flushPrefix, testRedisUrl, uniquePrefix } from './redis.js';
import { REPO_ROOT } from './repo-root.js';
import { waitFor } from './wait.js';
import { PATIENCE_MS } from './patience.js';

export const TENANT = 'sunrise-homes.onmicrosoft.com';
export const CLIENT_ID = '3f0c9e52-8d1a-4b7e-9c61-5a2d7e4b1c90';

export interface GraphHarnessOptions {
  name: string;
  start: string;
  /** Extra keys of `mailbox.graph`. */
  graph?: Record<string, unknown>;
  org?: Record<string, unknown>;
}

/**
 * The whole service on real PostgreSQL and Redis with its mailbox on the Graph test server
 * (`mailbox.transport: graph`, a certificate credential), and an injected clock. Mail is put in
 * the mailbox with `deliver` and read with `poll` (the watcher's poll, now) instead of waiting for
 * the interval; what the service sent is in `graph.sent`.
 */
export class GraphHarness {
  service!: EscalatorService;
  readonly logs = new LogCapture();

  private constructor(
    readonly clock: ManualClock,
    readonly db: TestDatabase,
    readonly graph: GraphServer,
    readonly certificate: TestCertificate,
    readonly prefix: string,
    readonly loaded: LoadedConfig,
  ) {}

  static async start(opts: GraphHarnessOptions): Promise<GraphHarness> {
    const [db, graph, certificate] = await Promise.all([
      createTestDatabase(),
      GraphServer.start({ tenant: TENANT, clientId: CLIENT_ID, mailboxes: [INBOX, RM] }),
      makeCertificate({ cn: 'escalator' }),
    ]);
    graph.registerCertificate(certificate.certPem);
    const prefix = uniquePrefix(opts.name);
    const config = configSchema.parse({
      database: { url: db.url },
      redis: { url: testRedisUrl(), prefix },
      http: { host: '127.0.0.1', port: 0 },
      logging: { level: 'info' },
      secret: SECRET,
      laddersDir: 'config/ladders',
      directory: 'test/fixtures/directory.yaml',
      trust: { authservIds: ['mx.sunrise-homes.org.uk'] },
      organisations: [
        {
          id: 'sunrise-homes',
          name: 'Sunrise Children’s Homes',
          nation: 'england-and-wales',
          manager: { name: 'Alex Morgan', email: RM },
          staff: { domains: ['sunrise-homes.org.uk'] },
          defaultLadder: 'childrens-home-reg5',
          digest: { enabled: false },
          mailbox: {
            address: INBOX,
            name: 'Sunrise escalations',
            transport: 'graph',
            // Polls are driven by the tests (`poll`); the interval only has to be long.
            graph: graph.graphConfig({ certificatePath: certificate.path }, { pollSeconds: 3600, ...opts.graph }),
          },
          ...opts.org,
        },
      ],
    });
    const loaded: LoadedConfig = { config, path: '(test)', baseDir: REPO_ROOT, usingLocalDefaults: false };
    const h = new GraphHarness(new ManualClock(opts.start), db, graph, certificate, prefix, loaded);
    await h.boot();
    return h;
  }

  async boot(): Promise<void> {
    this.service = await EscalatorService.create({ loaded: this.loaded, clock: this.clock, logger: createLogger('info', this.logs), migrate: true });
    await this.service.start({ watcher: true, worker: true, http: false });
    await waitFor(() => this.service.graphWatchers.every((w) => w.state === 'idle'), { what: 'the Graph watcher to be idle' });
  }

  async restart(): Promise<void> {
    await this.service.stop();
    await this.boot();
  }

  /** Puts a message in the escalations inbox on the Graph server. */
  deliver(raw: string | Buffer): void {
    this.graph.deliver(INBOX, raw);
  }

  /** Reads the mailbox now and waits for the work it queued. */
  async poll(): Promise<void> {
    await Promise.all(this.service.graphWatchers.map((w) => w.pollNow()));
    await this.settle();
  }

  em(): EntityManager {
    return this.service.orm.em.fork();
  }

  async caseByRef(ref: string) {
    return this.em().findOne(Case, { ref });
  }

  async advanceTo(iso: string): Promise<void> {
    this.clock.set(iso);
    await promoteDueJobs(this.service, this.clock);
  }

  async settle(timeout = PATIENCE_MS): Promise<void> {
    await settleQueues(this.service, timeout);
  }

  /** Mail the service sent to an address (To or Cc), in order. */
  sentTo(address: string) {
    return this.graph.sent.filter((s) => s.recipients.includes(address.toLowerCase()));
  }

  async close(): Promise<void> {
    // Unset when start failed before the service was built, and close() is how that failure cleans up.
    await (this.service as EscalatorService | undefined)?.stop().catch(() => undefined);
    await flushPrefix(this.prefix).catch(() => undefined);
    await Promise.all([this.graph.stop(), this.db.drop()]);
  }
}
