import type { EscalatorService } from '../app/service.js';
import type { LoadedConfig } from '../config/load-config.js';
import type { Orm } from '../db/orm.js';
import { systemClock, type Clock } from '../lib/clock.js';
import { CLOCK_FILE_ENV, FileClock } from '../lib/file-clock.js';
import type { Logger } from '../lib/logger.js';
import type { Organisations } from '../runtime/organisations.js';
import { CliError, type CliIo } from './cli-io.js';

// Everything heavy (the service, the ORM, the config's schema) is imported when a command runs,
// never when the CLI starts: `escalator --help` loads the command list and nothing else.

export interface GlobalOptions {
  config?: string;
}

export async function load(opts: GlobalOptions, io: CliIo, { quiet = false } = {}): Promise<LoadedConfig> {
  const { loadConfig } = await import('../config/load-config.js');
  const loaded = loadConfig(opts.config, io.env, io.cwd);
  if (loaded.usingLocalDefaults && !quiet) io.err(`escalator: no config/escalator.yaml; using local defaults from ${loaded.path}`);
  return loaded;
}

/** The real clock, or (tests only) the shared file clock named by ESCALATOR_CLOCK_FILE. */
export function clockFor(env: NodeJS.ProcessEnv): Clock {
  const file = env[CLOCK_FILE_ENV];
  return file ? new FileClock(file) : systemClock;
}

async function cliLogger(io: CliIo): Promise<Logger> {
  const { createLogger } = await import('../lib/logger.js');
  return createLogger(io.env.ESCALATOR_LOG_LEVEL ?? 'warn');
}

/** Opens the service's connections (migrating first) for a one-off command that changes things, and always closes them. */
export async function withService<T>(opts: GlobalOptions, io: CliIo, fn: (service: EscalatorService) => Promise<T>): Promise<T> {
  const loaded = await load(opts, io);
  const { EscalatorService } = await import('../app/service.js');
  const service = await EscalatorService.create({ loaded, logger: await cliLogger(io), clock: clockFor(io.env), migrate: true });
  try {
    return await fn(service);
  } finally {
    await service.stop();
  }
}

/** What a command that only reads needs: the config's organisations and the database; no Redis, no migration. */
export interface ReadOnlyContext {
  loaded: LoadedConfig;
  orm: Orm;
  orgs: Organisations;
  clock: Clock;
  logger: Logger;
}

/** PostgreSQL's answers when the database, or its tables, are not there yet. */
const NOT_MIGRATED = new Set(['3D000', '42P01']);

/**
 * Runs a command that only reads: the organisations are built from the config and the database is
 * opened as it is. It does not migrate and does not touch Redis, so it works (and changes nothing)
 * beside a running service, or on a replica; a database not migrated yet is a clear error.
 */
export async function withReadOnly<T>(opts: GlobalOptions, io: CliIo, fn: (ctx: ReadOnlyContext) => Promise<T>): Promise<T> {
  const loaded = await load(opts, io);
  const [{ buildOrganisations }, { openOrm }] = await Promise.all([import('../runtime/build-organisations.js'), import('../db/orm.js')]);
  const orgs = buildOrganisations(loaded);
  let orm: Orm | undefined;
  try {
    orm = await openOrm(loaded.config.database.url);
    return await fn({ loaded, orm, orgs, clock: clockFor(io.env), logger: await cliLogger(io) });
  } catch (error) {
    if (NOT_MIGRATED.has((error as { code?: string }).code ?? '')) {
      throw new CliError(`the database has no Escalator tables yet (${(error as Error).message}); run \`escalator migrate\` first`);
    }
    throw error;
  } finally {
    await orm?.close();
  }
}
