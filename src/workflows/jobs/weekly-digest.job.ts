import type { Deps } from '../../app/deps.js';
import type { JobPayload } from '../job-catalogue.js';

type DigestDeps = Pick<Deps, 'logger'>;

/** The RM's weekly digest. Built in the digest work; until then the job records that it ran. */
export function weeklyDigestJob(deps: DigestDeps) {
  return async ({ orgId }: JobPayload<'weekly-digest'>): Promise<void> => {
    deps.logger.warn({ org: orgId }, 'weekly digest is not built yet');
  };
}
