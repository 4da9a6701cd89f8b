import { UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Logger } from '../lib/logger.js';
import { InvalidPayload, JOBS, parsePayload, QUEUE_NAMES, type JobName, type JobPayload } from './job-catalogue.js';

export type JobHandlers = { [N in JobName]: (payload: JobPayload<N>, job: Job) => Promise<void> };

/** Refuses to start when a job in the catalogue has no handler (a job nobody runs is a lost job). */
export function assertHandlers(handlers: Partial<JobHandlers>): asserts handlers is JobHandlers {
  const missing = (Object.keys(JOBS) as JobName[]).filter((name) => typeof handlers[name] !== 'function');
  if (missing.length > 0) throw new Error(`no handler for job(s): ${missing.join(', ')}`);
}

export interface WorkerOptions {
  connection: ConnectionOptions;
  prefix: string;
  logger: Logger;
  concurrency?: Partial<Record<string, number>>;
}

/** One BullMQ worker per queue; each job's payload is validated before its handler sees it. */
export class WorkerHost {
  private readonly workers: Worker[] = [];

  constructor(
    private readonly handlers: Partial<JobHandlers>,
    private readonly options: WorkerOptions,
  ) {
    assertHandlers(handlers);
  }

  start(): void {
    const { connection, prefix, logger } = this.options;
    for (const queue of QUEUE_NAMES) {
      const worker = new Worker(
        queue,
        async (job: Job) => {
          const name = job.name as JobName;
          const handler = (this.handlers as JobHandlers)[name] as ((p: unknown, j: Job) => Promise<void>) | undefined;
          if (!handler || JOBS[name].queue !== queue) throw new Error(`job ${job.name} does not belong on queue ${queue}`);
          let payload: unknown;
          try {
            payload = parsePayload(name, job.data);
          } catch (error) {
            // Retrying a malformed payload cannot help: it goes straight to the failed set (kept
            // there for inspection, logged as "job failed" below), never counted as completed.
            if (error instanceof InvalidPayload) throw new UnrecoverableError(error.message);
            throw error;
          }
          await handler(payload, job);
        },
        {
          connection,
          prefix,
          concurrency: this.options.concurrency?.[queue] ?? 4,
          autorun: true,
          // Finished jobs kept for inspection (a job's own option, where set, wins).
          removeOnComplete: { count: 1000 },
          removeOnFail: { count: 5000 },
        },
      );
      worker.on('failed', (job, error) => {
        logger.error({ job: job?.id, name: job?.name, err: error }, 'job failed');
      });
      worker.on('error', (error) => {
        logger.error({ queue, err: error }, 'worker error');
      });
      this.workers.push(worker);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
    this.workers.length = 0;
  }
}
