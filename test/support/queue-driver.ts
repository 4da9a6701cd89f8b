import type { EscalatorService } from '../../src/app/service.js';
import type { ManualClock } from '../../src/lib/clock.js';
import { waitFor } from './wait.js';
import { PATIENCE_MS } from './patience.js';

/**
 * Promotes every delayed job that has fallen due by the injected clock (advance jobs by the time
 * in their id, send jobs by their row's `not_before`). Time moves only when a test moves it.
 */
export async function promoteDueJobs(service: EscalatorService, clock: ManualClock): Promise<number> {
  const now = clock.now().getTime();
  let promoted = 0;
  for (const name of ['cases', 'outbox'] as const) {
    const queue = service.queues.queue(name);
    for (const job of await queue.getDelayed()) {
      let due = false;
      if (job.name === 'advance-case') {
        due = Number(job.id?.split('-').pop()) <= now;
      } else if (job.name === 'send-mail') {
        const rows = await service.orm.em
          .fork()
          .getConnection()
          .execute<{ not_before: Date }[]>(`select not_before from outbox_mail where id = ?`, [(job.data as { outboxId: string }).outboxId]);
        due = !!rows[0] && new Date(rows[0].not_before).getTime() <= now;
      }
      if (due) {
        await job.promote();
        promoted++;
      }
    }
  }
  return promoted;
}

/** Waits until no job is waiting or running (the system has done everything it can by now). */
export async function settleQueues(service: EscalatorService, timeout = PATIENCE_MS): Promise<void> {
  let quiet = 0;
  await waitFor(
    async () => {
      let busy = 0;
      for (const q of service.queues.queues.values()) {
        const c = await q.getJobCounts('waiting', 'active', 'prioritized');
        busy += (c.waiting ?? 0) + (c.active ?? 0) + (c.prioritized ?? 0);
      }
      quiet = busy === 0 ? quiet + 1 : 0;
      return quiet >= 3;
    },
    { timeout, interval: 50, what: 'the queues to settle' },
  );
}
