import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { checkLadder } from '../domain/ladder/ladder-check.js';
import { describeLadderIssues, ladderSchema, type LadderDefinition } from '../domain/ladder/ladder-schema.js';
import { ConfigError } from './interpolate.js';

export interface LadderLoadResult {
  ladders: Map<string, LadderDefinition>;
  problems: string[];
  files: string[];
}

/** Reads and validates every `*.yaml` in a folder; problems name the file, rung and key. */
export function readLadderDir(dir: string, display = dir): LadderLoadResult {
  const ladders = new Map<string, LadderDefinition>();
  const problems: string[] = [];
  const files: string[] = [];
  if (!existsSync(dir)) return { ladders, problems: [`${display}: folder not found`], files };
  for (const name of readdirSync(dir).sort()) {
    if (!/\.ya?ml$/.test(name)) continue;
    const file = join(display, name);
    files.push(file);
    let raw: unknown;
    try {
      raw = parseYaml(readFileSync(join(dir, name), 'utf8'));
    } catch (error) {
      problems.push(`${file}: not valid YAML: ${(error as Error).message}`);
      continue;
    }
    const parsed = ladderSchema.safeParse(raw);
    if (!parsed.success) {
      problems.push(...describeLadderIssues(file, raw, parsed.error));
      continue;
    }
    const expectedId = basename(name).replace(/\.ya?ml$/, '');
    if (parsed.data.id !== expectedId) {
      problems.push(`${file}: id: "${parsed.data.id}" should match the file name ("${expectedId}")`);
      continue;
    }
    const more = checkLadder(file, parsed.data);
    if (more.length > 0) {
      problems.push(...more);
      continue;
    }
    ladders.set(parsed.data.id, parsed.data);
  }
  return { ladders, problems, files };
}

/** The ladders each organisation can use: the shared folder, overridden by its own. */
export class LadderRegistry {
  constructor(
    private readonly shared: Map<string, LadderDefinition>,
    private readonly perOrg: Map<string, Map<string, LadderDefinition>> = new Map(),
  ) {}

  static load(sharedDir: string, orgDirs: Record<string, string | undefined>): LadderRegistry {
    const shared = readLadderDir(sharedDir);
    const problems = [...shared.problems];
    const perOrg = new Map<string, Map<string, LadderDefinition>>();
    for (const [org, dir] of Object.entries(orgDirs)) {
      if (!dir) continue;
      const own = readLadderDir(dir);
      problems.push(...own.problems);
      perOrg.set(org, own.ladders);
    }
    if (problems.length > 0) throw new ConfigError(`ladders are not valid:\n  ${problems.join('\n  ')}`);
    return new LadderRegistry(shared.ladders, perOrg);
  }

  get(orgId: string, id: string): LadderDefinition | undefined {
    return this.perOrg.get(orgId)?.get(id) ?? this.shared.get(id);
  }

  require(orgId: string, id: string): LadderDefinition {
    const ladder = this.get(orgId, id);
    if (!ladder) throw new Error(`no ladder "${id}" for organisation ${orgId}`);
    return ladder;
  }

  ids(orgId: string): string[] {
    return [...new Set([...this.shared.keys(), ...(this.perOrg.get(orgId)?.keys() ?? [])])].sort();
  }

  all(orgId: string): LadderDefinition[] {
    return this.ids(orgId).map((id) => this.require(orgId, id));
  }
}
