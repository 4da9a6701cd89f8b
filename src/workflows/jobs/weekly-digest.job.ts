import type { JobPayload } from '../job-catalogue.js';
import { sendWeeklyDigest, type DigestDeps } from '../digest-sender.js';
import { digestRepeat, lastDigestRun } from '../digest-schedule.js';

/**
 * The RM's weekly digest, fired by the organisation's job scheduler (see digest-schedule.ts).
 * The week's dedupe key makes a retry, a second worker or a manual `digest --now` send it once.
 */
export function weeklyDigestJob(deps: DigestDeps) {
  return async ({ orgId }: JobPayload<'weekly-digest'>): Promise<void> => {
    const org = deps.orgs.find(orgId);
    if (!org) {
      // A scheduler left behind by an organisation taken out of the config: nothing to send.
      deps.logger.warn({ org: orgId }, 'weekly digest for an organisation not in the config; skipped');
      return;
    }
    if (!org.config.digest.enabled) {
      deps.logger.info({ org: orgId }, 'weekly digest is turned off for this organisation; skipped');
      return;
    }
    // The week is the one of the slot this run stands for, not of the moment it runs: a retry after
    // midnight on Sunday must not take (and so block) the next week's digest.
    const slot = lastDigestRun(digestRepeat(org.config), deps.clock.now());
    const result = await sendWeeklyDigest(deps, orgId, { weekOf: slot });
    if (result.status === 'already-sent') deps.logger.info({ org: orgId, week: result.week }, 'weekly digest already sent this week');
  };
}
