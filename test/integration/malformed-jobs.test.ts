// A job whose payload does not match the catalogue cannot succeed on a retry: it goes straight to
// BullMQ's failed set (one attempt, whatever its `attempts`), is never counted as completed, and the
// log line says why with the error's stack. Real Redis, the service's own WorkerHost.
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/lib/logger.js';
import { WorkerHost, type JobHandlers } from '../../src/workflows/worker-host.js';
import { LogCapture } from '../support/escalator-harness.js';
import { flushPrefix, testRedisUrl, uniquePrefix } from '../support/redis.js';
import { waitFor } from '../support/wait.js';
import { ifStarted } from '../support/if-started.js';

const GOOD_ID = '0b8f5c3e-7d1a-4c57-9a52-3f1e2d4c5b6a';

describe('malformed job payloads', () => {
  const prefix = uniquePrefix('malformed-jobs');
  const connection = { url: testRedisUrl(), maxRetriesPerRequest: null };
  const logs = new LogCapture();
  const handled: string[] = [];
  const handler = (payload: unknown): Promise<void> => {
    handled.push(JSON.stringify(payload));
    return Promise.resolve();
  };
  const handlers: JobHandlers = {
    'ingest-message': handler,
    'advance-case': handler,
    'send-mail': handler,
    reconcile: handler,
    'weekly-digest': handler,
  };
  let host: WorkerHost;
  let queue: Queue;

  beforeAll(() => {
    host = new WorkerHost(handlers, { connection, prefix, logger: createLogger('info', logs) });
    host.start();
    queue = new Queue('cases', { connection, prefix });
  });

  afterAll(async () => {
    await ifStarted(host, (x) => x.close());
    await ifStarted(queue, (x) => x.close());
    await flushPrefix(prefix);
  });

  it('fail unrecoverably into the failed set, with the reason and its stack logged', async () => {
    const bad = await queue.add('advance-case', { caseId: 'not-a-uuid', extra: 'x' }, { attempts: 5, backoff: { type: 'fixed', delay: 10 } });
    const good = await queue.add('advance-case', { caseId: GOOD_ID }, { attempts: 5 });

    await waitFor(async () => (await queue.getJobState(bad.id!)) === 'failed', { what: 'the malformed job to fail' });
    await waitFor(async () => (await queue.getJobState(good.id!)) === 'completed', { what: 'the good job to complete' });
    const failed = (await queue.getJob(bad.id!))!;
    // One attempt: retrying a payload that cannot parse would only fail again.
    expect(failed.attemptsMade).toBe(1);
    expect(failed.failedReason).toBe('advance-case: invalid payload: caseId: Invalid UUID; (root): Unrecognized key: "extra"');
    expect((await queue.getFailed()).map((j) => j.id)).toEqual([bad.id]);
    expect((await queue.getCompleted()).map((j) => j.id)).toEqual([good.id]);
    // The handler saw only the good payload.
    expect(handled).toEqual([JSON.stringify({ caseId: GOOD_ID })]);

    const line = await waitFor(() => logs.lines.find((l) => l.msg === 'job failed' && l.job === bad.id), { what: 'the "job failed" log line' });
    const err = line.err as { type: string; message: string; stack: string };
    expect(err.type).toBe('UnrecoverableError');
    expect(err.message).toBe(failed.failedReason);
    expect(err.stack.split('\n')[0]).toBe(`UnrecoverableError: ${failed.failedReason}`);
    expect(err.stack).toMatch(/\n\s+at .*worker-host\.ts/);
    expect(line.name).toBe('advance-case');
  });
});
