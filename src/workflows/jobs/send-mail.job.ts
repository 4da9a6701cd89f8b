import { DelayedError, type Job } from 'bullmq';
import type { JobPayload } from '../job-catalogue.js';
import { executeSend, type SendDeps } from '../send/send-executor.js';

/**
 * The send-mail job: one outbox row, by id (see src/workflows/send: the rules in decide-send.ts,
 * the claim, transport and record in send-executor.ts). Safe to run twice: the row is claimed first.
 */
export function sendMailJob(deps: SendDeps) {
  return async ({ outboxId }: JobPayload<'send-mail'>, job?: Job): Promise<void> => {
    await executeSend(deps, outboxId, (id, attempts, at) => sleepUntil(deps, job, id, attempts, at));
  };
}

/**
 * Puts this same job back to sleep until `at`. A new job for the same attempt would share this
 * one's id and be ignored by the queue, so the running job is moved to delayed instead (the
 * DelayedError tells the worker it was not a failure). BullMQ delays run on the wall clock; only
 * the length of the wait comes from the injected clock. Without a job (called directly) a new one
 * is scheduled, and the reconciler covers the case where its id is taken.
 */
async function sleepUntil(deps: Pick<SendDeps, 'scheduler' | 'clock'>, job: Job | undefined, outboxId: string, attempts: number, at: Date): Promise<void> {
  if (!job?.token) {
    await deps.scheduler.send(outboxId, attempts, at);
    return;
  }
  await job.moveToDelayed(Date.now() + Math.max(0, at.getTime() - deps.clock.now().getTime()), job.token);
  throw new DelayedError();
}
