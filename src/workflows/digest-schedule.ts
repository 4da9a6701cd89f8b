import { getNextMillis, type Queue } from 'bullmq';
import { CronExpressionParser } from 'cron-parser';
import type { OrgRuntime } from '../runtime/organisations.js';
import type { OrganisationConfig } from '../config/config-schema.js';

const DAY_NUMBER: Record<OrganisationConfig['digest']['day'], number> = {
  sunday: 0,
  monday: 1,
  tuesday: 2,
  wednesday: 3,
  thursday: 4,
  friday: 5,
  saturday: 6,
};

export interface DigestRepeat {
  pattern: string;
  tz: string;
}

/** `monday` at `08:00` → `0 8 * * 1`: minute, hour, any day of month, any month, day of week. */
export function digestPattern(digest: Pick<OrganisationConfig['digest'], 'day' | 'time'>): string {
  const [hour, minute] = digest.time.split(':').map(Number);
  return `${minute} ${hour} * * ${DAY_NUMBER[digest.day]}`;
}

/** The repeat options BullMQ keeps for an organisation: its day and time, in its own timezone. */
export function digestRepeat(org: Pick<OrganisationConfig, 'digest' | 'timezone'>): DigestRepeat {
  return { pattern: digestPattern(org.digest), tz: org.timezone };
}

export function digestSchedulerId(orgId: string): string {
  return `weekly-digest-${orgId}`;
}

/**
 * The next `count` moments the scheduler fires after `from`, computed by BullMQ's own function
 * (cron-parser underneath), so tests can state them for an injected clock.
 */
export function nextDigestRuns(repeat: DigestRepeat, from: Date, count = 1): Date[] {
  const runs: Date[] = [];
  let t = from.getTime();
  for (let i = 0; i < count; i++) {
    const next = getNextMillis(t, repeat);
    if (next === undefined) break;
    runs.push(new Date(next));
    t = next;
  }
  return runs;
}

/**
 * The latest moment at or before `now` the scheduler was due to fire: the slot a digest job
 * running now (or retried after a failure) stands for. Its ISO week names the digest, so a Sunday
 * 23:30 digest retried after midnight is still that week's, not the next one's.
 */
export function lastDigestRun(repeat: DigestRepeat, now: Date): Date {
  // cron-parser's prev() is strictly before currentDate; a job running exactly on its slot is that slot.
  const from = new Date(now.getTime() + 1);
  return CronExpressionParser.parse(repeat.pattern, { currentDate: from, tz: repeat.tz }).prev().toDate();
}

/** A failed digest (database down at 08:00) is tried again; the week's dedupe key keeps it to one mail. */
const DIGEST_JOB_OPTS = {
  attempts: 6,
  backoff: { type: 'exponential' as const, delay: 60_000 },
  removeOnComplete: { count: 200 },
  removeOnFail: { count: 200 },
};

/**
 * One BullMQ job scheduler per organisation with the digest on; an organisation that turned it
 * off has its scheduler removed. Upserting is idempotent, so every worker may do it at start.
 */
export async function syncDigestSchedulers(queue: Queue, orgs: OrgRuntime[]): Promise<void> {
  for (const org of orgs) {
    const id = digestSchedulerId(org.id);
    if (!org.config.digest.enabled) {
      await queue.removeJobScheduler(id);
      continue;
    }
    await queue.upsertJobScheduler(id, digestRepeat(org.config), { name: 'weekly-digest', data: { orgId: org.id }, opts: DIGEST_JOB_OPTS });
  }
}
