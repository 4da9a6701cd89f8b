import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Profiler } from '../profile.js';
import type { ScenarioResult } from '../report.js';
import { ServiceRig, type Infra } from '../rig.js';
import { round, sleep } from '../stats.js';
import { emptyInbox } from './mailbox.js';

export interface LargeMailOptions {
  /** How many ~24 MB messages arrive together. */
  count: number;
  /** Small requests delivered while they are read. */
  small: number;
  now: string;
  timeoutMs: number;
  profiler?: Profiler;
}

const INBOX = 'escalations@sunrise-homes.org.uk';
const RM = 'alex.morgan@sunrise-homes.org.uk';

/** A tagged request with a ~24 MB base64 attachment (a scanned care plan), under the 25 MB limit. */
function largeRequest(i: number, date: Date): Buffer {
  const b = `b-large-${i}`;
  const data = Buffer.alloc(17 * 1024 * 1024, 0x25 + i)
    .toString('base64')
    .replace(/.{76}/g, '$&\r\n');
  return Buffer.from(
    [
      `From: Alex Morgan <${RM}>`,
      'To: Sam Patel <sam.patel@northshire.gov.uk>',
      `Cc: ${INBOX}`,
      `Subject: Care plan ${i}, scanned [escalate]`,
      `Message-ID: <bench-large-${i}@sunrise-homes.org.uk>`,
      `Date: ${date.toUTCString().replace('GMT', '+0000')}`,
      'MIME-Version: 1.0',
      `Content-Type: multipart/mixed; boundary="${b}"`,
      '',
      `--${b}`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      `Child: LM-${1000 + i}`,
      '',
      'The scanned care plan is attached.',
      `--${b}`,
      'Content-Type: application/pdf; name="care-plan.pdf"',
      'Content-Disposition: attachment; filename="care-plan.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      data,
      `--${b}--`,
      '',
    ].join('\r\n'),
  );
}

function smallRequest(i: number, date: Date): string {
  return [
    `From: Alex Morgan <${RM}>`,
    'To: Sam Patel <sam.patel@northshire.gov.uk>',
    `Cc: ${INBOX}`,
    `Subject: Minutes ${i} [escalate]`,
    `Message-ID: <bench-small-${i}@sunrise-homes.org.uk>`,
    `Date: ${date.toUTCString().replace('GMT', '+0000')}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Child: SM-${1000 + i}`,
    '',
  ].join('\r\n');
}

/**
 * Several 25 MB-class messages arrive at once (appended while the service is down, so the watcher
 * finds them together), with small requests after them. Measured in this process, where the
 * service runs: the event loop's delay (`monitorEventLoopDelay`, p99 and max) from the service's
 * start until every message is ingested, /healthz's latency polled every 100 ms meanwhile, and
 * the peak resident memory (worker threads included).
 */
export async function largeMailScenario(infra: Infra, o: LargeMailOptions): Promise<ScenarioResult> {
  await emptyInbox(infra.dovecot);
  const rig = await ServiceRig.create(infra, { name: 'largemail', start: o.now, logLevel: 'warn' });
  try {
    const date = new Date(o.now);
    let bytes = 0;
    for (let i = 0; i < o.count; i++) {
      const raw = largeRequest(i, date);
      bytes += raw.length;
      await infra.dovecot.append('escalations', raw, { internalDate: date });
    }
    for (let i = 0; i < o.small; i++) await infra.dovecot.append('escalations', smallRequest(i, date), { internalDate: date });

    const loop = monitorEventLoopDelay({ resolution: 10 });
    const health: number[] = [];
    let peakRss = process.memoryUsage().rss;
    let done = false;
    loop.enable();
    await o.profiler?.start();
    const t0 = Date.now();
    await rig.start({ watcher: true, worker: true, http: true });
    const port = rig.service.httpPort!;
    const sampler = (async () => {
      while (!done) {
        const started = performance.now();
        const res = await fetch(`http://127.0.0.1:${port}/healthz`);
        await res.text();
        health.push(performance.now() - started);
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
        await sleep(100);
      }
    })();
    const em = rig.service.orm.em.fork();
    let smallDoneAt: number | undefined;
    for (;;) {
      const rows = await em
        .getConnection()
        .execute<Array<{ large: string; small: string }>>(
          `select count(*) filter (where message_id like '<bench-large-%' and status <> 'pending') as large, count(*) filter (where message_id like '<bench-small-%' and status <> 'pending') as small from message`,
        );
      if (smallDoneAt === undefined && Number(rows[0]!.small) === o.small) smallDoneAt = Date.now() - t0;
      if (Number(rows[0]!.large) === o.count && Number(rows[0]!.small) === o.small) break;
      if (Date.now() - t0 > o.timeoutMs) throw new Error('large messages not all ingested in time');
      await sleep(100);
    }
    const seconds = (Date.now() - t0) / 1000;
    done = true;
    await sampler;
    loop.disable();
    const profile = await o.profiler?.stop('largemail');
    const sorted = [...health].sort((a, b) => a - b);
    const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
    const eventLoopP99MsLargeMail = round(loop.percentile(99) / 1e6, 1);
    const eventLoopMaxMsLargeMail = round(loop.max / 1e6, 1);
    const healthzP99MsLargeMail = round(pct(99), 1);
    const peakRssMbLargeMail = round(peakRss / (1024 * 1024), 0);
    return {
      scenario: 'largemail',
      rows: [
        { scenario: 'largemail', metric: `event loop delay p99 while ${o.count} × ~24 MB are ingested`, value: eventLoopP99MsLargeMail, unit: 'ms' },
        { scenario: 'largemail', metric: 'event loop delay max', value: eventLoopMaxMsLargeMail, unit: 'ms' },
        { scenario: 'largemail', metric: '/healthz latency p99 meanwhile', value: healthzP99MsLargeMail, unit: 'ms' },
        { scenario: 'largemail', metric: 'peak RSS (worker threads included)', value: peakRssMbLargeMail, unit: 'MB' },
        { scenario: 'largemail', metric: `all ${o.small} small requests ingested after`, value: round((smallDoneAt ?? 0) / 1000, 1), unit: 's' },
        { scenario: 'largemail', metric: 'everything ingested after', value: round(seconds, 1), unit: 's' },
      ],
      details: {
        eventLoopP99MsLargeMail,
        eventLoopMaxMsLargeMail,
        eventLoopMeanMsLargeMail: round(loop.mean / 1e6, 1),
        healthzP50MsLargeMail: round(pct(50), 1),
        healthzP99MsLargeMail,
        healthzSamples: health.length,
        peakRssMbLargeMail,
        largeMessages: o.count,
        largeBytes: bytes,
        smallMessages: o.small,
        smallIngestedAfterSeconds: round((smallDoneAt ?? 0) / 1000, 1),
        allIngestedAfterSeconds: round(seconds, 1),
        ...(profile ? { profile } : {}),
      },
    };
  } finally {
    await rig.stop().catch(() => undefined);
  }
}
