import { resolveFrom, type LoadedConfig } from '../config/load-config.js';
import { LadderRegistry } from '../config/load-ladders.js';

/** The ladder folders the config names: the shared one, and each organisation's own (which override it). */
export function ladderFolders(loaded: LoadedConfig): { shared: string; perOrg: Record<string, string | undefined> } {
  const { config, baseDir } = loaded;
  return {
    shared: resolveFrom(baseDir, config.laddersDir),
    perOrg: Object.fromEntries(config.organisations.map((o) => [o.id, o.laddersDir ? resolveFrom(baseDir, o.laddersDir) : undefined])),
  };
}

/** Every ladder the config's organisations can use, read and checked once (a broken file fails, naming it). */
export function loadLadders(loaded: LoadedConfig): LadderRegistry {
  const { shared, perOrg } = ladderFolders(loaded);
  return LadderRegistry.load(shared, perOrg);
}
