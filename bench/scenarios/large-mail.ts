import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LargeDeliverArgs, LargeDeliverMessage } from '../large-deliver-child.js';
import type { LargeServiceCommand, LargeServiceReply } from '../large-mail-service.js';
import { workerNodeFlags } from './scale.js';
import { largeFrom, smallRequest } from '../large-mail-corpus.js';
import type { Profiler } from '../profile.js';
import type { ScenarioResult } from '../report.js';
import { ServiceRig, type Infra } from '../rig.js';
import { percentile, round, sleep } from '../stats.js';
import { emptyInbox } from './mailbox.js';
import { firstRow } from '../must.js';

export interface LargeMailOptions {
  /** How many ~24 MB messages arrive (staff and stranger in turn). */
  count: number;
  /** Normal requests timed, one at a time, in each phase (at least; the loaded phase runs until every large one is in). */
  small: number;
  /** A large message is appended every this many ms. */
  everyMs: number;
  now: string;
  timeoutMs: number;
  profiler?: Profiler;
}

const MB = 1024 * 1024;

interface Phase {
  loopP99Ms: number;
  loopMaxMs: number;
  loopMeanMs: number;
  healthzP50Ms: number;
  healthzP99Ms: number;
  healthzMaxMs: number;
  healthzSamples: number;
  /** Probes refused, reset or answered with an error. */
  healthzErrors: number;
  peakRssMb: number;
  peakHeapUsedMb: number;
  /** Main thread's memory outside its heap (Buffers), at its peak. */
  peakExternalMb: number;
  /** V8's heap limit in the service's process (the shipped heap setting). */
  heapLimitMb: number;
  /** Normal requests: APPEND → confirmation accepted by the sink. */
  latency: { samples: number; p50: number; p95: number; max: number };
}

/** The service's process: forked with `npm start`'s node flags, answering over IPC. */
class ServiceProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly httpPort: number,
  ) {}

  static async start(rig: ServiceRig, now: string, extraFlags: string[]): Promise<ServiceProcess> {
    const child = fork(fileURLToPath(new URL('../large-mail-service.ts', import.meta.url)), [JSON.stringify(rig.loaded), now], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: [...process.execArgv, ...workerNodeFlags(), ...extraFlags],
    });
    const ready = await next<Extract<LargeServiceReply, { type: 'ready' }>>(child);
    return new ServiceProcess(child, ready.httpPort);
  }

  async ask<T extends LargeServiceReply>(cmd: LargeServiceCommand): Promise<T> {
    const reply = next<T>(this.child);
    this.child.send(cmd);
    return reply;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) =>
      this.child.once('exit', () => {
        resolve();
      }),
    );
    await this.ask({ type: 'stop' }).catch(() => undefined);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

function next<T extends LargeServiceReply>(child: ChildProcess): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onExit = (code: number | null) => {
      reject(new Error(`large-mail service exited (${code}); an out-of-memory exit means the shipped heap setting is too small`));
    };
    child.once('exit', onExit);
    child.once('message', (m: LargeServiceReply) => {
      child.off('exit', onExit);
      resolve(m as T);
    });
  });
}

/**
 * Measures the service while `work` runs: its event loop's delay, resident memory and V8 heap,
 * sampled in its own process; /healthz polled every 100 ms from here, as a load balancer would.
 */
async function measured(service: ServiceProcess, warnings: string[], work: () => Promise<number[]>): Promise<Phase> {
  const health: number[] = [];
  let healthErrors = 0;
  const stop = new AbortController();
  await service.ask({ type: 'measure' });
  const sampler = (async () => {
    while (!stop.signal.aborted) {
      const started = performance.now();
      try {
        const res = await fetch(`http://127.0.0.1:${service.httpPort}/healthz`);
        await res.text();
        if (!res.ok) healthErrors++;
      } catch {
        // A refused or reset probe is what a load balancer would see: counted, and its wait kept.
        healthErrors++;
      }
      health.push(performance.now() - started);
      await sleep(100);
    }
  })();
  let latencies: number[];
  try {
    latencies = await work();
  } finally {
    stop.abort();
    await sampler;
  }
  const { measure, warnings: seen } = await service.ask<Extract<LargeServiceReply, { type: 'report' }>>({ type: 'report' });
  warnings.push(...seen);
  return {
    loopP99Ms: measure.loopP99Ms,
    loopMaxMs: measure.loopMaxMs,
    loopMeanMs: measure.loopMeanMs,
    healthzP50Ms: round(percentile(health, 50), 1),
    healthzP99Ms: round(percentile(health, 99), 1),
    healthzMaxMs: round(Math.max(...health), 1),
    healthzSamples: health.length,
    healthzErrors: healthErrors,
    peakRssMb: measure.peakRssMb,
    peakHeapUsedMb: measure.peakHeapUsedMb,
    peakExternalMb: measure.peakExternalMb,
    heapLimitMb: measure.heapLimitMb,
    latency: { samples: latencies.length, p50: percentile(latencies, 50), p95: percentile(latencies, 95), max: Math.max(...latencies) },
  };
}

/**
 * Scenario 6: ~24 MB messages (from staff, which open cases, and from a stranger) arrive one every
 * `everyMs` from a delivering process, while normal tagged requests arrive one at a time and each
 * is timed until the sink has its confirmation. Building block, in the same run: the same normal
 * traffic alone, before the large messages. The service runs in a process of its own with the node
 * flags `npm start` ships (bench/large-mail-service.ts), which measures its event-loop delay
 * (`monitorEventLoopDelay`), peak RSS (parse threads included) and peak V8 heap of its main thread;
 * /healthz latency is measured from here.
 */
export async function largeMailScenario(infra: Infra, o: LargeMailOptions): Promise<ScenarioResult> {
  await emptyInbox(infra.dovecot);
  const rig = await ServiceRig.create(infra, { name: 'largemail', start: o.now, logLevel: 'warn' });
  const client = await infra.dovecot.connect('escalations');
  const date = new Date(o.now);
  let nextSmall = 0;
  /** One normal request: APPEND, then wait for its confirmation at the sink. */
  const oneSmall = async (): Promise<number> => {
    const { raw, messageId } = smallRequest(nextSmall++, date);
    const t0 = Date.now();
    await client.append('INBOX', raw, [], date);
    for (;;) {
      const at = (await infra.sink.replies([messageId]))[messageId];
      if (at !== undefined) return at - t0;
      if (Date.now() - t0 > o.timeoutMs) throw new Error(`largemail: no confirmation for ${messageId}`);
      await sleep(5);
    }
  };
  const largeIngested = async (): Promise<number> => {
    const rows = await rig.service.orm.em
      .fork()
      .getConnection()
      .execute<{ n: string }[]>(`select count(*) as n from message where message_id like '<bench-large-%' and status <> 'pending'`);
    return Number(firstRow(rows, 'large message count').n);
  };
  const warnings: string[] = [];
  let service: ServiceProcess | undefined;
  let profile: Awaited<ReturnType<Profiler['childProfile']>>;
  try {
    // The service in a process of its own, as `npm start` runs it (its CPU profile, with --profile, covers its whole run).
    service = await ServiceProcess.start(rig, o.now, o.profiler?.childFlags('largemail') ?? []);
    await infra.sink.track(true);
    // Warm-up: the whole path once (JIT, pools, templates).
    for (let i = 0; i < 3; i++) await oneSmall();

    // Building block: the normal traffic alone.
    const quiet = await measured(service, warnings, async () => {
      const out: number[] = [];
      for (let i = 0; i < o.small; i++) {
        out.push(await oneSmall());
        await sleep(200);
      }
      return out;
    });

    // The same traffic while the large messages arrive.
    const child = fork(
      fileURLToPath(new URL('../large-deliver-child.ts', import.meta.url)),
      [
        JSON.stringify({
          count: o.count,
          everyMs: o.everyMs,
          now: o.now,
          host: infra.dovecot.host,
          port: infra.dovecot.port,
          user: 'escalations',
          password: 'secret',
        } satisfies LargeDeliverArgs),
      ],
      { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
    );
    let delivered = false;
    const appendedAt: number[] = [];
    const ready = new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => {
        if (code !== 0) reject(new Error(`large-mail delivery exited with ${code}`));
      });
      child.on('message', (m: LargeDeliverMessage) => {
        if (m.type === 'ready') resolve();
        else if (m.type === 'appended') appendedAt[m.i] = m.at;
        else delivered = true;
      });
    });
    await ready;
    const t0 = Date.now();
    let allLargeAt = 0;
    child.send('go');
    const loaded = await measured(service, warnings, async () => {
      const out: number[] = [];
      while (out.length < o.small || !delivered || (await largeIngested()) < o.count) {
        if (Date.now() - t0 > o.timeoutMs) throw new Error('largemail: large messages not all ingested in time');
        out.push(await oneSmall());
        await sleep(200);
      }
      allLargeAt = Date.now();
      return out;
    });
    await service.stop();
    service = undefined;
    profile = await o.profiler?.childProfile('largemail');
    const bytes = o.count * 24 * MB;
    const staff = Array.from({ length: o.count }, (_, i) => largeFrom(i)).filter((f) => f === 'staff').length;

    const eventLoopP99MsLargeMail = loaded.loopP99Ms;
    const peakRssMbLargeMail = loaded.peakRssMb;
    const ratio = (a: number, b: number) => (b > 0 ? round(a / b, 2) : undefined);
    return {
      scenario: 'largemail',
      rows: [
        {
          scenario: '6 large mail',
          metric: `event loop delay p99 while ${o.count} × ~24 MB arrive (${staff} staff, ${o.count - staff} stranger)`,
          value: eventLoopP99MsLargeMail,
          unit: 'ms',
          baseline: quiet.loopP99Ms,
          ratio: ratio(loaded.loopP99Ms, quiet.loopP99Ms),
          target: 'p99 ≤ 100 ms',
          met: eventLoopP99MsLargeMail <= 100,
          note: 'building block: the same normal traffic alone, same run',
        },
        { scenario: '6 large mail', metric: 'event loop delay max', value: loaded.loopMaxMs, unit: 'ms', baseline: quiet.loopMaxMs },
        {
          scenario: '6 large mail',
          metric: '/healthz latency p99 meanwhile',
          value: loaded.healthzP99Ms,
          unit: 'ms',
          baseline: quiet.healthzP99Ms,
          ratio: ratio(loaded.healthzP99Ms, quiet.healthzP99Ms),
        },
        {
          scenario: '6 large mail',
          metric: 'peak RSS of the service process (parse threads included)',
          value: peakRssMbLargeMail,
          unit: 'MB',
          baseline: quiet.peakRssMb,
          target: '≤ 600 MB',
          met: peakRssMbLargeMail <= 600,
        },
        {
          scenario: '6 large mail',
          metric: 'peak V8 heap used, main thread',
          value: loaded.peakHeapUsedMb,
          unit: 'MB',
          baseline: quiet.peakHeapUsedMb,
          note: `heap limit ${loaded.heapLimitMb} MB (${workerNodeFlags().join(' ') || 'no heap flag'}, as npm start ships): margin ${loaded.heapLimitMb - loaded.peakHeapUsedMb} MB`,
        },
        {
          scenario: '6 large mail',
          metric: 'peak memory outside the heap (Buffers), main thread',
          value: loaded.peakExternalMb,
          unit: 'MB',
          baseline: quiet.peakExternalMb,
        },
        {
          scenario: '6 large mail',
          metric: `normal requests meanwhile, APPEND → confirmation p95 (${loaded.latency.samples})`,
          value: loaded.latency.p95,
          unit: 'ms',
          baseline: quiet.latency.p95,
          ratio: ratio(loaded.latency.p95, quiet.latency.p95),
          target: 'p95 ≤ 2,000 ms',
          met: loaded.latency.p95 <= 2000,
        },
        { scenario: '6 large mail', metric: 'every large message ingested after', value: round((allLargeAt - t0) / 1000, 1), unit: 's' },
      ],
      details: {
        eventLoopP99MsLargeMail,
        peakRssMbLargeMail,
        loaded,
        quiet,
        largeMessages: o.count,
        largeFromStaff: staff,
        largeBytesApprox: bytes,
        everyMs: o.everyMs,
        appendedAfterMs: appendedAt.map((a) => a - t0),
        allLargeIngestedAfterSeconds: round((allLargeAt - t0) / 1000, 1),
        warnings: warnings.slice(0, 5),
        heapLimitMb: loaded.heapLimitMb,
        serviceNodeFlags: workerNodeFlags(),
        ...(profile ? { profile } : {}),
      },
    };
  } finally {
    await infra.sink.track(false);
    await client.logout().catch(() => undefined);
    await service?.stop().catch(() => undefined);
    await rig.stop().catch(() => undefined);
    await emptyInbox(infra.dovecot);
  }
}
