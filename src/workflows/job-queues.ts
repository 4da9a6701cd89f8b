import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import type { Clock } from '../lib/clock.js';
import type { JobScheduler } from '../runtime/job-scheduler.js';
import { jobIds, JOBS, QUEUE_NAMES, type JobName, type JobPayload, type QueueName } from './job-catalogue.js';
import { must } from '../lib/must.js';

// How many finished jobs to keep is the workers' setting (worker-host.ts), not each job's: a
// job's options are stored with it, and 100,000 pending cases each carried those ~70 bytes.
const DEFAULTS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 5_000 },
};

export class JobQueues implements JobScheduler {
  readonly queues: Map<QueueName, Queue>;

  constructor(
    connection: ConnectionOptions,
    readonly prefix: string,
    private readonly clock: Clock,
  ) {
    this.queues = new Map(QUEUE_NAMES.map((name) => [name, new Queue(name, { connection, prefix })]));
  }

  queue(name: QueueName): Queue {
    // the constructor made one for every QueueName
    return must(this.queues.get(name), `queue ${name}`);
  }

  async add<N extends JobName>(name: N, payload: JobPayload<N>, opts: JobsOptions = {}): Promise<void> {
    const queue = this.queue(JOBS[name].queue);
    if (opts.jobId) {
      // A job id already taken by a finished job (completed, or failed after its retries or a second
      // crash) would make BullMQ ignore this add, and the work Postgres says is still to do would
      // never run: the reconciler could not revive it. Every handler re-reads the truth, so running
      // a finished job's id again is harmless.
      const existing = await queue.getJob(opts.jobId);
      if (existing && (existing.finishedOn || existing.failedReason)) {
        const state = await existing.getState();
        if (state === 'completed' || state === 'failed') await existing.remove().catch(() => undefined);
      }
    }
    await queue.add(name, payload, { ...DEFAULTS, ...opts });
  }

  private delayUntil(at: Date): number {
    return Math.max(0, at.getTime() - this.clock.now().getTime());
  }

  async ingest(messageId: string): Promise<void> {
    await this.add('ingest-message', { messageId }, { jobId: jobIds.ingest(messageId) });
  }

  async advance(caseId: string, at: Date): Promise<void> {
    await this.add('advance-case', { caseId }, { jobId: jobIds.advance(caseId, at), delay: this.delayUntil(at) });
  }

  async send(outboxId: string, attempt: number, at: Date): Promise<void> {
    // Retries of SMTP failures are our own (a new job per attempt), so BullMQ's are only for crashes.
    await this.add('send-mail', { outboxId }, { jobId: jobIds.send(outboxId, attempt), delay: this.delayUntil(at), attempts: 3 });
  }

  async cancelAdvance(caseId: string, at: Date): Promise<void> {
    const job = await this.queue('cases').getJob(jobIds.advance(caseId, at));
    if (job && (await job.isDelayed())) await job.remove().catch(() => undefined);
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}
