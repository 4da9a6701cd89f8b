/**
 * What workflows and the mailbox readers may ask of the queue: run this later. The delayed jobs
 * are a cache of Postgres (BullMQ's implementation: src/workflows/job-queues.ts).
 */
export interface JobScheduler {
  ingest(messageId: string): Promise<void>;
  /**
   * Ingest jobs for messages stored just now (their rows created by this caller), added together
   * in one round trip: a burst of new mail is queued without a look per message for a finished job.
   */
  ingestNew(messageIds: readonly string[]): Promise<void>;
  /** `fresh`: the case was opened just now (see JobQueues.add). */
  advance(caseId: string, at: Date, fresh?: boolean): Promise<void>;
  /** `fresh`: the outbox row was written just now (see JobQueues.add). */
  send(outboxId: string, attempt: number, at: Date, fresh?: boolean): Promise<void>;
  /** Drops a delayed advance job that no longer matches the case (best effort: a stale job is a no-op anyway). */
  cancelAdvance(caseId: string, at: Date): Promise<void>;
}
