import { z } from 'zod';

/**
 * Every job the service runs, its queue and its payload. Payloads carry ids only: the handler
 * reloads the truth from Postgres. A job without a registered handler stops the worker at start.
 */
export const JOBS = {
  'ingest-message': { queue: 'ingest', payload: z.object({ messageId: z.uuid() }).strict() },
  'advance-case': { queue: 'cases', payload: z.object({ caseId: z.uuid() }).strict() },
  'send-mail': { queue: 'outbox', payload: z.object({ outboxId: z.uuid() }).strict() },
  reconcile: { queue: 'maintenance', payload: z.object({}).strict() },
  'weekly-digest': { queue: 'maintenance', payload: z.object({ orgId: z.string().min(1) }).strict() },
} as const;

export type JobName = keyof typeof JOBS;
export type JobPayload<N extends JobName> = z.infer<(typeof JOBS)[N]['payload']>;
export const QUEUE_NAMES = [...new Set(Object.values(JOBS).map((j) => j.queue))];
export type QueueName = (typeof JOBS)[JobName]['queue'];

/** BullMQ job ids may not contain ':'; ours are derived from the row and the moment they act for. */
export const jobIds = {
  ingest: (messageId: string) => `ingest-${messageId}`,
  advance: (caseId: string, at: Date) => `advance-${caseId}-${at.getTime()}`,
  send: (outboxId: string, attempt: number) => `send-${outboxId}-a${attempt}`,
};

export class InvalidPayload extends Error {
  override name = 'InvalidPayload';
}

export function parsePayload<N extends JobName>(name: N, data: unknown): JobPayload<N> {
  const result = JOBS[name].payload.safeParse(data);
  if (!result.success) {
    throw new InvalidPayload(`${name}: invalid payload: ${result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  }
  return result.data as JobPayload<N>;
}
