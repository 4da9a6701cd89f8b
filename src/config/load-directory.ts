import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { EMPTY_DIRECTORY, type Directory } from '../domain/directory.js';
import { ConfigError, formatPath, interpolateEnv } from './interpolate.js';

const role = z.string().regex(/^[a-z][a-z0-9-]*$/);
const contact = z.object({ name: z.string().optional(), email: z.email() }).strict();

const directorySchema = z
  .object({
    authorities: z
      .array(
        z
          .object({
            id: z.string().min(1),
            name: z.string().min(1),
            domains: z.array(z.string().min(1)).min(1),
            contacts: z.record(role, contact).default({}),
          })
          .strict(),
      )
      .default([]),
    organisations: z.record(z.string(), z.record(role, contact)).default({}),
  })
  .strict();

export function parseDirectory(text: string, source: string, env: NodeJS.ProcessEnv = process.env): Directory {
  const raw = interpolateEnv(parseYaml(text) ?? {}, env);
  const parsed = directorySchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(`${source} is not valid:\n${parsed.error.issues.map((i) => `  ${formatPath(i.path)}: ${i.message}`).join('\n')}`);
  }
  return parsed.data;
}

/** A missing directory file is allowed: every address then comes from the cases themselves. */
export function loadDirectory(path: string): Directory {
  if (!existsSync(path)) return EMPTY_DIRECTORY;
  return parseDirectory(readFileSync(path, 'utf8'), path);
}
