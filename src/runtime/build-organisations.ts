import { resolveFrom, type LoadedConfig } from '../config/load-config.js';
import type { LadderRegistry } from '../config/load-ladders.js';
import { loadDirectory } from '../config/load-directory.js';
import { ConfigError } from '../config/interpolate.js';
import { loadLadders } from './org-ladders.js';
import { OrgRuntime, Organisations } from './organisations.js';

/**
 * The one way to build the organisations' runtime from the config, for the service and the CLI
 * alike: ladders (the shared folder and each organisation's, see org-ladders.ts), the directory,
 * each organisation's calendar (org-calendar.ts) and template overrides. Fails with a ConfigError
 * naming the key when the config points at something that is not there.
 */
export function buildOrganisations(loaded: LoadedConfig, ladders: LadderRegistry = loadLadders(loaded)): Organisations {
  const { config, baseDir } = loaded;
  const directory = loadDirectory(resolveFrom(baseDir, config.directory));
  return new Organisations(
    config.organisations.map((o) => {
      if (!ladders.get(o.id, o.defaultLadder)) throw new ConfigError(`organisations.${o.id}.defaultLadder: no ladder "${o.defaultLadder}"`);
      return new OrgRuntime(o, ladders, directory, o.templatesDir ? resolveFrom(baseDir, o.templatesDir) : undefined, config.trust.authservIds, {
        promiseHorizonMonths: config.limits.promiseHorizonMonths,
      });
    }),
  );
}
