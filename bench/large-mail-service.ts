/**
 * The service of the large-mail scenario, in a process of its own and with the node flags
 * `npm start` ships (the heap cap), so that its event loop, resident memory (parse threads
 * included) and heap are the service's alone — not the bench harness's, nor what earlier
 * scenarios left in the bench's process — and so that the run shows whether the shipped heap
 * setting holds the largest allowed messages. Driven over IPC: start, measure, report, stop.
 */
import { Writable } from 'node:stream';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { EscalatorService } from '../src/app/service.js';
import type { LoadedConfig } from '../src/config/load-config.js';
import { ManualClock } from '../src/lib/clock.js';
import { createLogger } from '../src/lib/logger.js';
import { waitFor } from '../test/support/wait.js';

export type LargeServiceCommand = { type: 'measure' } | { type: 'report' } | { type: 'stop' };

export interface LargeServiceMeasure {
  loopP99Ms: number;
  loopMaxMs: number;
  loopMeanMs: number;
  peakRssMb: number;
  peakHeapUsedMb: number;
  /** Buffers and other memory outside the main thread's heap (process.memoryUsage().external), at its peak. */
  peakExternalMb: number;
  /** V8's limit for the heap in this process (the shipped --max-old-space-size, plus the young generation). */
  heapLimitMb: number;
}

export type LargeServiceReply =
  { type: 'ready'; httpPort: number } | { type: 'measuring' } | { type: 'report'; measure: LargeServiceMeasure; warnings: string[] } | { type: 'stopped' };

const MB = 1024 * 1024;
const [loadedJson, now] = process.argv.slice(2) as [string, string];
const loaded = JSON.parse(loadedJson) as LoadedConfig;

/** Warnings are kept (their messages only: no mail content is logged) for the scenario's details. */
const warnings: string[] = [];
const logSink = new Writable({
  write: (chunk: Buffer, _e, cb) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line) continue;
      try {
        const entry = JSON.parse(line) as { level?: number; msg?: string };
        if ((entry.level ?? 0) >= 40 && warnings.length < 20) warnings.push(entry.msg ?? '');
      } catch {
        // Not a log line of ours.
      }
    }
    cb();
  },
});

const service = await EscalatorService.create({ loaded, clock: new ManualClock(now), logger: createLogger('warn', logSink), migrate: false });
await service.start({ watcher: true, worker: true, http: true });
await waitFor(() => service.imapWatchers.every((w) => w.state === 'idle'), { what: 'the IMAP watcher to be idle', timeout: 30_000 });

let loop = monitorEventLoopDelay({ resolution: 10 });
let peakRss = 0;
let peakHeap = 0;
let peakExternal = 0;
let sampler: NodeJS.Timeout | undefined;

const sample = () => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
  peakExternal = Math.max(peakExternal, m.external);
};

const round1 = (n: number) => Math.round(n * 10) / 10;
const reply = (m: LargeServiceReply) => process.send?.(m);

process.on('message', (cmd: LargeServiceCommand) => {
  void (async () => {
    switch (cmd.type) {
      case 'measure':
        // A phase starts: fresh histogram and peaks.
        loop.disable();
        loop = monitorEventLoopDelay({ resolution: 10 });
        loop.enable();
        peakRss = 0;
        peakHeap = 0;
        peakExternal = 0;
        sample();
        clearInterval(sampler);
        sampler = setInterval(sample, 100);
        reply({ type: 'measuring' });
        break;
      case 'report': {
        sample();
        clearInterval(sampler);
        loop.disable();
        const { getHeapStatistics } = await import('node:v8');
        reply({
          type: 'report',
          measure: {
            loopP99Ms: round1(loop.percentile(99) / 1e6),
            loopMaxMs: round1(loop.max / 1e6),
            loopMeanMs: round1(loop.mean / 1e6),
            peakRssMb: Math.round(peakRss / MB),
            peakHeapUsedMb: Math.round(peakHeap / MB),
            peakExternalMb: Math.round(peakExternal / MB),
            heapLimitMb: Math.round(getHeapStatistics().heap_size_limit / MB),
          },
          warnings: warnings.splice(0),
        });
        break;
      }
      case 'stop':
        clearInterval(sampler);
        await service.stop();
        reply({ type: 'stopped' });
        setTimeout(() => process.exit(0), 100);
        break;
    }
  })().catch((error: unknown) => {
    console.error('large-mail service:', error);
    process.exit(1);
  });
});

reply({ type: 'ready', httpPort: service.httpPort ?? 0 });
