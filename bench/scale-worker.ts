/**
 * The worker of the scale scenario, in a process of its own so that its RSS is the worker's and
 * nothing else's: the real EscalatorService built from the bench's config with a ManualClock,
 * driven over IPC (reconcile now, start the worker part, report memory, stop).
 */
import { Writable } from 'node:stream';
import { EscalatorService } from '../src/app/service.js';
import type { LoadedConfig } from '../src/config/load-config.js';
import { ManualClock } from '../src/lib/clock.js';
import { createLogger } from '../src/lib/logger.js';
import { reconcile } from '../src/workflows/jobs/reconcile.job.js';

export type WorkerCommand =
  { type: 'reconcile' } | { type: 'start' } | { type: 'clock'; at: string } | { type: 'memory' } | { type: 'memory-after-gc' } | { type: 'stop' };

export interface WorkerMemory {
  rssBytes: number;
  heapUsedBytes: number;
  maxRssBytes: number;
}

export type WorkerReply =
  | { type: 'ready'; memory: WorkerMemory }
  | { type: 'reconciled'; ms: number; cases: number; memory: WorkerMemory }
  | { type: 'started'; ms: number }
  | { type: 'clock'; at: string }
  | { type: 'memory'; memory: WorkerMemory }
  | { type: 'stopped' };

const [loadedJson, now] = process.argv.slice(2) as [string, string];
const loaded = JSON.parse(loadedJson) as LoadedConfig;
const devNull = new Writable({
  write: (_c, _e, cb) => {
    cb();
  },
});
const clock = new ManualClock(now);
const service = await EscalatorService.create({ loaded, clock, logger: createLogger('info', devNull), migrate: false });

function memory(): WorkerMemory {
  const m = process.memoryUsage();
  return { rssBytes: m.rss, heapUsedBytes: m.heapUsed, maxRssBytes: process.resourceUsage().maxRSS * 1024 };
}

const reply = (m: WorkerReply) => process.send?.(m);

process.on('message', (cmd: WorkerCommand) => {
  void (async () => {
    switch (cmd.type) {
      case 'reconcile': {
        const t0 = performance.now();
        const report = await reconcile(service.deps);
        reply({ type: 'reconciled', ms: Math.round(performance.now() - t0), cases: report.cases, memory: memory() });
        break;
      }
      case 'start': {
        const t0 = performance.now();
        await service.start({ watcher: false, worker: true, http: false });
        reply({ type: 'started', ms: Math.round(performance.now() - t0) });
        break;
      }
      case 'clock':
        // The workers scenario moves every worker's clock to 09:00 before it promotes the jobs.
        clock.set(cmd.at);
        reply({ type: 'clock', at: cmd.at });
        break;
      case 'memory':
        // The worker as ps shows it, garbage and all.
        reply({ type: 'memory', memory: memory() });
        break;
      case 'memory-after-gc':
        // What it holds live: a full collection first (the worker is forked with --expose-gc).
        (globalThis as { gc?: () => void }).gc?.();
        reply({ type: 'memory', memory: memory() });
        break;
      case 'stop':
        await service.stop();
        reply({ type: 'stopped' });
        setTimeout(() => process.exit(0), 100);
        break;
    }
  })().catch((error: unknown) => {
    console.error('scale worker:', error);
    process.exit(1);
  });
});

reply({ type: 'ready', memory: memory() });
