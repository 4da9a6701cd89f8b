import { EscalatorService, type ServiceParts } from '../../app/service.js';
import { ensureDatabase, migrate as migrateNow } from '../../db/migrate.js';
import { openOrm } from '../../db/orm.js';
import { createLogger } from '../../lib/logger.js';
import { CliError, type CliIo } from '../cli-io.js';
import { clockFor, load, type GlobalOptions } from '../load.js';

/** How long a graceful shutdown may take before the process exits anyway. */
const SHUTDOWN_LIMIT_MS = 30_000;

export async function run(parts: ServiceParts, opts: GlobalOptions & { migrate?: boolean }, io: CliIo): Promise<void> {
  const loaded = await load(opts, io);
  if (parts.web && !parts.worker && !parts.watcher && !loaded.config.web)
    throw new CliError('the config has no `web:` section, so there is no web view to serve (README, Web case view)');
  const logger = createLogger(loaded.config.logging.level);
  const service = await EscalatorService.create({ loaded, logger, clock: clockFor(io.env), migrate: opts.migrate !== false });
  await service.start(parts);
  const ports = [
    service.httpPort ? `http on ${loaded.config.http.host}:${service.httpPort}` : '',
    service.webPort ? `web view on ${loaded.config.web?.host}:${service.webPort} for ${loaded.config.web?.publicUrl}` : '',
    ...service.listenerPorts.map((p) => `inbound SMTP on port ${p}`),
  ].filter(Boolean);
  io.err(`escalator: running (${ports.join(', ') || 'no listeners'}); Ctrl-C to stop`);
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down');
      const force = setTimeout(() => {
        logger.error('shutdown took too long; exiting');
        process.exit(1);
      }, SHUTDOWN_LIMIT_MS);
      force.unref();
      service.stop().then(resolve, (err: unknown) => {
        logger.error({ err: err }, 'shutdown failed');
        resolve();
      });
    };
    process.once('SIGTERM', () => {
      stop('SIGTERM');
    });
    process.once('SIGINT', () => {
      stop('SIGINT');
    });
  });
}

export async function migrate(opts: GlobalOptions, io: CliIo): Promise<void> {
  const loaded = await load(opts, io);
  const created = await ensureDatabase(loaded.config.database.url);
  const orm = await openOrm(loaded.config.database.url);
  try {
    const done = await migrateNow(orm);
    io.out(`${created ? 'database created; ' : ''}${done.length ? `applied ${done.join(', ')}` : 'nothing to apply'}`);
  } finally {
    await orm.close();
  }
}
