// BullMQ refuses a custom job id containing ':' (it joins its keys with ':'), and one that is an
// integer. Every id the service makes must be free of both: the builders in job-catalogue.ts,
// the ids of the job schedulers, and every job the running service actually put in its queues —
// opening a case, chasing it, and a reconciliation after Redis lost its jobs.
import { randomUUID } from 'node:crypto';
import type { Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/config-schema.js';
import { reconcile } from '../../src/workflows/jobs/reconcile.job.js';
import { digestSchedulerId } from '../../src/workflows/digest-schedule.js';
import { JOBS, jobIds, type JobName } from '../../src/workflows/job-catalogue.js';
import { CaseMail } from '../support/case-mail.js';
import { EscalatorHarness } from '../support/escalator-harness.js';
import { ifStarted } from '../support/if-started.js';

/** What BullMQ (6.x, Job.validateOptions) requires of a custom id, made strict: no ':' at all, not an integer. */
function idProblem(id: string): string | undefined {
  if (id.includes(':')) return `"${id}" contains ':'`;
  if (`${Number.parseInt(id, 10)}` === id) return `"${id}" is an integer`;
  if (id.length === 0) return 'empty id';
  return undefined;
}

/** Jobs the service adds with an id of its own, and jobs only a job scheduler creates (BullMQ names those). */
const ID_BUILT: Record<JobName, 'jobIds' | 'scheduler'> = {
  'ingest-message': 'jobIds',
  'advance-case': 'jobIds',
  'send-mail': 'jobIds',
  reconcile: 'scheduler',
  'weekly-digest': 'scheduler',
};

describe('job ids carry no ":"', () => {
  it('every job in the catalogue has its id from jobIds or from a job scheduler', () => {
    expect(Object.keys(ID_BUILT).sort()).toEqual(Object.keys(JOBS).sort());
  });

  it('the id builders give ids without ":" for any row and moment', () => {
    const moments = [new Date(0), new Date('1999-12-31T23:59:59.999Z'), new Date('2026-11-23T09:30:00Z'), new Date('2099-01-01T00:00:00+05:30'), new Date()];
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) {
      const row = randomUUID();
      ids.push(jobIds.ingest(row));
      for (const at of moments) ids.push(jobIds.advance(row, at));
      for (const attempt of [0, 1, 2, 9, 10, 123]) ids.push(jobIds.send(row, attempt));
    }
    expect(ids.map(idProblem).filter(Boolean)).toEqual([]);
  });

  it('scheduler ids have none either, and an organisation id cannot bring one in', () => {
    expect(idProblem('reconcile')).toBeUndefined();
    for (const org of ['sunrise-homes', 'a', 'org-2', '9lives']) expect(idProblem(digestSchedulerId(org))).toBeUndefined();
    // Organisation ids are [a-z0-9-]: a ':' in one is refused with the config.
    const org = (id: string) => ({
      id,
      name: 'X',
      nation: 'england-and-wales',
      manager: { name: 'M', email: 'm@x.org.uk' },
      staff: { domains: ['x.org.uk'] },
      mailbox: { address: 'e@x.org.uk', inbound: { type: 'smtp', host: '127.0.0.1', port: 2525 }, outbound: { type: 'smtp', host: '127.0.0.1', port: 25 } },
    });
    const config = (id: string) => ({
      database: { url: 'postgres://x@127.0.0.1/x' },
      redis: { url: 'redis://127.0.0.1:6379' },
      secret: 's'.repeat(32),
      organisations: [org(id)],
    });
    const bad = configSchema.safeParse(config('sunrise:homes'));
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.some((i) => i.path.join('.') === 'organisations.0.id')).toBe(true);
  });

  describe('the running service', () => {
    let h: EscalatorHarness;
    let mail: CaseMail;

    beforeAll(async () => {
      h = await EscalatorHarness.start({ name: 'job-ids', start: '2026-11-23T09:30:00Z', org: { digest: { enabled: true, day: 'monday', time: '08:00' } } });
      mail = new CaseMail(h);
    });
    afterAll(async () => {
      await ifStarted(h, (x) => x.close());
    });

    /** Every job in every queue, in every state BullMQ keeps, and every job scheduler's id. */
    async function everything(): Promise<{ jobs: Job[]; schedulers: string[] }> {
      const jobs: Job[] = [];
      const schedulers: string[] = [];
      for (const queue of h.service.queues.queues.values()) {
        jobs.push(...(await queue.getJobs(['waiting', 'active', 'delayed', 'prioritized', 'completed', 'failed', 'waiting-children'])));
        schedulers.push(...(await queue.getJobSchedulers(0, -1, true)).map((s) => s.key));
      }
      return { jobs, schedulers };
    }

    /** Ids the service chose; a job made by a job scheduler gets BullMQ's own id (`repeat:<scheduler>:<ms>`), checked by its scheduler's id. */
    function problems(all: { jobs: Job[]; schedulers: string[] }): string[] {
      const own = all.jobs.filter((j) => !j.repeatJobKey);
      return [
        ...own.map((j) => idProblem(j.id ?? '')),
        ...all.jobs.filter((j) => j.repeatJobKey).map((j) => idProblem(j.repeatJobKey!)),
        ...all.schedulers.map(idProblem),
      ].filter((p): p is string => !!p);
    }

    it('opening a case, chasing it and reconciling after Redis lost its jobs create only such ids', async () => {
      const c = await mail.open({
        professional: 'Sam Patel <sam.patel@northshire.gov.uk>',
        directives: ['Child: AB-4100', 'Team manager: Jo Bennett <jo.bennett@northshire.gov.uk>'],
      });
      await h.advanceTo('2026-12-07T11:00:00Z');
      await h.settle();
      await h.promoteDue();
      await h.settle();
      await h.sink.waitFor((m) => m.messageId === mail.chaserId(c, 1));

      const first = await everything();
      const names = new Set(first.jobs.map((j) => j.name));
      for (const name of ['ingest-message', 'advance-case', 'send-mail'] as const) expect(names, `a ${name} job was made`).toContain(name);
      expect(first.schedulers.sort()).toEqual(['reconcile', digestSchedulerId('sunrise-homes')].sort());
      expect(problems(first)).toEqual([]);

      // Redis loses every job; the reconciler makes them again from Postgres.
      for (const queue of h.service.queues.queues.values()) await queue.obliterate({ force: true });
      const report = await reconcile(h.service.deps);
      expect(report.cases).toBeGreaterThan(0);
      const again = await everything();
      expect(again.jobs.some((j) => j.name === 'advance-case')).toBe(true);
      expect(problems(again)).toEqual([]);
      // And each id is what the builder gives: the same work always has the same id.
      for (const j of again.jobs.filter((x) => x.name === 'advance-case')) expect(j.id).toMatch(/^advance-[0-9a-f-]{36}-\d+$/);
    });
  });
});
