import type { Command } from 'commander';
import { EscalatorService, type ServiceParts } from '../../app/service.js';
import { ensureDatabase, migrate } from '../../db/migrate.js';
import { openOrm } from '../../db/orm.js';
import { createLogger } from '../../lib/logger.js';
import type { CliIo } from '../cli-io.js';
import { clockFor, load, type GlobalOptions } from '../load.js';

/** How long a graceful shutdown may take before the process exits anyway. */
const SHUTDOWN_LIMIT_MS = 30_000;

async function run(parts: ServiceParts, opts: GlobalOptions & { migrate?: boolean }, io: CliIo): Promise<void> {
  const loaded = load(opts, io);
  const logger = createLogger(loaded.config.logging.level);
  const service = await EscalatorService.create({ loaded, logger, clock: clockFor(io.env), migrate: opts.migrate !== false });
  await service.start(parts);
  const ports = [
    service.httpPort ? `http on ${loaded.config.http.host}:${service.httpPort}` : '',
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
      service.stop().then(resolve, (err: Error) => {
        logger.error({ err: { message: err.message } }, 'shutdown failed');
        resolve();
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}

export function registerRunCommands(program: Command, io: CliIo): void {
  program
    .command('start')
    .description('run everything: mailbox watchers, workers, health and metrics')
    .option('--no-migrate', 'do not apply pending database migrations first')
    .action((o: { migrate: boolean }) => run({ watcher: true, worker: true, http: true }, { ...program.opts<GlobalOptions>(), migrate: o.migrate }, io));
  program
    .command('worker')
    .description('run the job workers only (any number may run)')
    .option('--no-migrate', 'do not apply pending database migrations first')
    .action((o: { migrate: boolean }) => run({ watcher: false, worker: true, http: true }, { ...program.opts<GlobalOptions>(), migrate: o.migrate }, io));
  program
    .command('watch')
    .description('run the mailbox watchers only (one per mailbox across all processes)')
    .option('--no-migrate', 'do not apply pending database migrations first')
    .action((o: { migrate: boolean }) => run({ watcher: true, worker: false, http: true }, { ...program.opts<GlobalOptions>(), migrate: o.migrate }, io));
  program
    .command('migrate')
    .description('create the database if needed and apply pending migrations')
    .action(async () => {
      const loaded = load(program.opts<GlobalOptions>(), io);
      const created = await ensureDatabase(loaded.config.database.url);
      const orm = await openOrm(loaded.config.database.url);
      try {
        const done = await migrate(orm);
        io.out(`${created ? 'database created; ' : ''}${done.length ? `applied ${done.join(', ')}` : 'nothing to apply'}`);
      } finally {
        await orm.close();
      }
    });
}
