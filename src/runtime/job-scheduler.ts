/**
 * What workflows and the mailbox readers may ask of the queue: run this later. The delayed jobs
 * are a cache of Postgres (BullMQ's implementation: src/workflows/job-queues.ts).
 */
export interface JobScheduler {
  ingest(messageId: string): Promise<void>;
  advance(caseId: string, at: Date): Promise<void>;
  send(outboxId: string, attempt: number, at: Date): Promise<void>;
  /** Drops a delayed advance job that no longer matches the case (best effort: a stale job is a no-op anyway). */
  cancelAdvance(caseId: string, at: Date): Promise<void>;
}
