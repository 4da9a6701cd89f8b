import { loadConfig, type LoadedConfig } from '../config/load-config.js';
import { EscalatorService } from '../app/service.js';
import { systemClock, type Clock } from '../lib/clock.js';
import { CLOCK_FILE_ENV, FileClock } from '../lib/file-clock.js';
import { createLogger } from '../lib/logger.js';
import type { CliIo } from './cli-io.js';

export interface GlobalOptions {
  config?: string;
}

export function load(opts: GlobalOptions, io: CliIo): LoadedConfig {
  const loaded = loadConfig(opts.config, io.env, io.cwd);
  if (loaded.usingLocalDefaults) io.err(`escalator: no config/escalator.yaml; using local defaults from ${loaded.path}`);
  return loaded;
}

/** The real clock, or (tests only) the shared file clock named by ESCALATOR_CLOCK_FILE. */
export function clockFor(env: NodeJS.ProcessEnv): Clock {
  const file = env[CLOCK_FILE_ENV];
  return file ? new FileClock(file) : systemClock;
}

/** Opens the service's connections for a one-off command and always closes them. */
export async function withService<T>(opts: GlobalOptions, io: CliIo, fn: (service: EscalatorService) => Promise<T>): Promise<T> {
  const loaded = load(opts, io);
  const service = await EscalatorService.create({
    loaded,
    logger: createLogger(io.env.ESCALATOR_LOG_LEVEL === undefined ? 'warn' : (io.env.ESCALATOR_LOG_LEVEL as 'info')),
    clock: clockFor(io.env),
    migrate: true,
  });
  try {
    return await fn(service);
  } finally {
    await service.stop();
  }
}
