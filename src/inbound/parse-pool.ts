import { Piscina } from 'piscina';
import type { Logger } from '../lib/logger.js';
import { ReadLimitExceeded, type MessageReader, type ReadResult, type ReadTask } from '../runtime/message-reader.js';

export interface ParsePoolOptions {
  threads: number;
  timeoutMs: number;
  memoryMb: number;
  logger: Logger;
}

/**
 * Parsing and analysis run on worker threads (piscina), each message with a time limit (its thread
 * is stopped when it runs over) and a heap limit per thread (`resourceLimits`): a 25 MB message,
 * or one built to be slow, costs a worker, never the event loop that answers /healthz, watches the
 * mailbox and ingests everything else.
 */
export class ParsePool implements MessageReader {
  /** Messages over `LARGE_BYTES`: up to `threads` at once. */
  private readonly large: Piscina;
  /**
   * Everything else, and every header-only look: a lane of its own, so that however many large
   * messages arrive together, the day's ordinary mail is never queued behind them.
   */
  private readonly small: Piscina;

  constructor(private readonly o: ParsePoolOptions) {
    const fromSource = import.meta.url.endsWith('.ts');
    const common = {
      filename: new URL(fromSource ? './parse-worker-dev.mjs' : './parse-worker.js', import.meta.url).href,
      idleTimeout: 60_000,
      resourceLimits: { maxOldGenerationSizeMb: o.memoryMb, maxYoungGenerationSizeMb: Math.min(64, Math.ceil(o.memoryMb / 8)) },
    };
    // The large lane starts its threads when a large message comes and lets them go a minute after:
    // a thread that has parsed 24 MB holds on to the memory it grew into, and most hours see no
    // large mail. The small lane keeps its one thread, so ordinary mail never waits for a start.
    this.large = new Piscina({ ...common, minThreads: 0, maxThreads: o.threads });
    this.small = new Piscina({ ...common, minThreads: 1, maxThreads: 1 });
  }

  async read(task: ReadTask): Promise<ReadResult> {
    const signal = AbortSignal.timeout(this.o.timeoutMs);
    const pool = task.mode === 'full' && task.raw.byteLength > LARGE_BYTES ? this.large : this.small;
    // The bytes move to the worker rather than being copied, when they have a buffer of their own.
    const own = task.raw.byteOffset === 0 && task.raw.byteLength === task.raw.buffer.byteLength && !(task.raw.buffer instanceof SharedArrayBuffer);
    try {
      return (await pool.run(task, { signal, ...(own && task.mode === 'full' ? { transferList: [task.raw.buffer as ArrayBuffer] } : {}) })) as ReadResult;
    } catch (error) {
      const e = error as { name?: string; code?: string; message?: string };
      if (signal.aborted || e.name === 'AbortError') throw new ReadLimitExceeded(`reading it took longer than ${Math.round(this.o.timeoutMs / 1000)} s`);
      if (e.code === 'ERR_WORKER_OUT_OF_MEMORY' || /out of memory/i.test(e.message ?? '')) {
        throw new ReadLimitExceeded(`reading it needed more than ${this.o.memoryMb} MB of memory`);
      }
      throw error;
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.large.destroy(), this.small.destroy()]);
  }
}

/** A message bigger than this is parsed in the large-message lane. */
export const LARGE_BYTES = 1024 * 1024;

/** The same work in-process, where there is no pool (the CLI, unit tests). */
export async function readInProcess(task: ReadTask): Promise<ReadResult> {
  const { readMessage } = await import('./read-message.js');
  return readMessage(task);
}
