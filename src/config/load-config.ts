import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { configSchema, type Config } from './config-schema.js';
import { ConfigError, formatPath, interpolateEnv } from './interpolate.js';

export const DEFAULT_CONFIG_PATH = 'config/escalator.yaml';
/** Used when no config is given and config/escalator.yaml does not exist: everything on localhost. */
export const LOCAL_CONFIG_PATH = 'config/escalator.local.yaml';

export interface LoadedConfig {
  config: Config;
  path: string;
  /** Relative paths in the config resolve against the project root (the config's parent's parent). */
  baseDir: string;
  usingLocalDefaults: boolean;
}

export function resolveConfigPath(explicit: string | undefined, env: NodeJS.ProcessEnv, cwd: string): { path: string; local: boolean } {
  const given = explicit ?? env.ESCALATOR_CONFIG;
  if (given) return { path: resolve(cwd, given), local: false };
  const main = resolve(cwd, DEFAULT_CONFIG_PATH);
  if (existsSync(main)) return { path: main, local: false };
  return { path: resolve(cwd, LOCAL_CONFIG_PATH), local: true };
}

/** Parses the YAML once, interpolates `${ENV}`, applies DATABASE_URL / REDIS_URL, validates. */
export function parseConfig(text: string, env: NodeJS.ProcessEnv, source = 'config'): Config {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`${source}: not valid YAML: ${(error as Error).message}`);
  }
  if (!raw || typeof raw !== 'object') throw new ConfigError(`${source}: expected a YAML mapping`);
  const interpolated = interpolateEnv(raw, env) as Record<string, unknown>;
  if (env.DATABASE_URL) interpolated.database = { ...(interpolated.database as object), url: env.DATABASE_URL };
  if (env.REDIS_URL) interpolated.redis = { ...(interpolated.redis as object), url: env.REDIS_URL };
  const result = configSchema.safeParse(interpolated);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${formatPath(i.path)}: ${i.message}`);
    throw new ConfigError(`${source} is not valid:\n${lines.join('\n')}`);
  }
  return result.data;
}

export function loadConfig(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): LoadedConfig {
  const { path, local } = resolveConfigPath(explicit, env, cwd);
  if (!existsSync(path)) throw new ConfigError(`config file not found: ${path}`);
  const config = parseConfig(readFileSync(path, 'utf8'), env, path);
  return { config, path, baseDir: projectRoot(path), usingLocalDefaults: local };
}

function projectRoot(configPath: string): string {
  const dir = dirname(configPath);
  return dir.endsWith('/config') || dir.endsWith('\\config') ? dirname(dir) : dir;
}

export function resolveFrom(baseDir: string, p: string): string {
  return isAbsolute(p) ? p : resolve(baseDir, p);
}
