import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { AGENCY_KINDS, EMPTY_DIRECTORY, type Directory } from '../domain/directory.js';
import { ConfigError, formatPath, interpolateEnv } from './interpolate.js';

// An organisation's or authority's out-of-hours address is a role like any other (emergency-duty-team).
const role = z.string().regex(/^[a-z][a-z0-9-]*$/, 'a role is lower-case letters, digits and hyphens (e.g. team-manager, emergency-duty-team)');
const contact = z.object({ name: z.string().optional(), email: z.email() }).strict();

/**
 * An agency's own roles: the professional's first, then at most three above them, because the reg 5
 * policy has three steps above the professional (3, 4 and 6 weeks) for them to stand in.
 */
const agencyLadder = z
  .array(z.object({ title: z.string().trim().min(1, 'give the role’s title, e.g. designated nurse'), contact: contact.optional() }).strict())
  .min(2, 'give the professional’s own role first, then at least one role above them')
  .max(4, 'at most four roles: the professional’s own, then up to three above them (the policy’s 3, 4 and 6 week steps)');

const authority = z
  .object({
    id: z.string().min(1),
    name: z.string().min(1),
    kind: z.enum(AGENCY_KINDS).default('council'),
    domains: z.array(z.string().min(1)).min(1),
    contacts: z.record(role, contact).default({}),
    ladder: agencyLadder.optional(),
  })
  .strict()
  .superRefine((a, ctx) => {
    if (a.kind !== 'council' && !a.ladder) {
      ctx.addIssue({
        code: 'custom',
        path: ['ladder'],
        message: `${/^[aeiou]/.test(a.kind) ? 'an' : 'a'} ${a.kind} agency needs its own ladder of roles (the professional’s first, e.g. named nurse, designated nurse, head of service): a council’s team manager, Assistant Director and Director of Children’s Services are not its roles`,
      });
    }
    a.ladder?.forEach((r, i) => {
      if (i > 0 && !r.contact) {
        ctx.addIssue({
          code: 'custom',
          path: ['ladder', i, 'contact'],
          message: `give the ${r.title}’s contact ({ name, email }): the step above the professional writes to them`,
        });
      }
    });
  });

const directorySchema = z
  .object({
    authorities: z.array(authority).default([]),
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
