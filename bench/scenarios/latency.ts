import { CorpusGenerator } from '../corpus.js';
import { Prng } from '../prng.js';
import type { ScenarioResult } from '../report.js';
import { ServiceRig, type Infra } from '../rig.js';
import { percentile, round, sleep } from '../stats.js';
import { emptyInbox } from './mailbox.js';

export interface LatencyOptions {
  samples: number;
  warmup: number;
  seed: number;
  now: string;
  /** Longest wait for one confirmation before the run is declared broken. */
  timeoutMs: number;
}

/**
 * Scenario 2: one tagged request at a time, APPENDed to the watched mailbox while the service
 * sits in IDLE; the time until the SMTP sink has accepted the case's confirmation (the mail
 * whose In-Reply-To is the request). Requests arrive at random moments (0–300 ms apart), so
 * the IDLE cycle is met in every phase.
 */
export async function latencyScenario(infra: Infra, o: LatencyOptions): Promise<ScenarioResult> {
  const gen = new CorpusGenerator({ seed: o.seed, now: new Date(o.now), mix: { reply: 0, ooo: 0, bounce: 0 } });
  const requests = gen.corpus(o.warmup + o.samples);
  const pauses = new Prng(o.seed + 7);
  await emptyInbox(infra.dovecot);
  const rig = await ServiceRig.create(infra, { name: 'latency', start: o.now });
  const client = await infra.dovecot.connect('escalations');
  try {
    await rig.start({ watcher: true, worker: true, http: false });
    await infra.sink.track(true);
    const samples: number[] = [];
    const appendMs: number[] = [];
    // Where the time goes: until the watcher has stored the message, until the ingest job has
    // committed the case, until the sink has the confirmation.
    const stages = { stored: [] as number[], committed: [] as number[], accepted: [] as number[] };
    const conn = rig.service.orm.em.fork().getConnection();
    for (const [i, req] of requests.entries()) {
      const t0 = Date.now();
      await client.append('INBOX', req.raw, [], new Date(o.now));
      appendMs.push(Date.now() - t0);
      const deadline = t0 + o.timeoutMs;
      let at: number | undefined;
      let stored: number | undefined;
      let committed: number | undefined;
      while (at === undefined) {
        if (committed === undefined) {
          const rows = await conn.execute<{ status: string }[]>(`select status from message where message_id = ?`, [req.messageId]);
          if (rows.length > 0) stored ??= Date.now();
          if (rows[0]?.status === 'processed') committed = Date.now();
        }
        at = (await infra.sink.replies([req.messageId]))[req.messageId];
        if (at === undefined) {
          if (Date.now() > deadline) throw new Error(`latency: no confirmation for request ${i} within ${o.timeoutMs} ms`);
          await sleep(2);
        }
      }
      if (i >= o.warmup) {
        samples.push(at - t0);
        stages.stored.push((stored ?? at) - t0);
        stages.committed.push((committed ?? at) - (stored ?? at));
        stages.accepted.push(at - (committed ?? at));
      }
      await sleep(pauses.int(0, 300));
    }
    const p50 = percentile(samples, 50);
    const p95 = percentile(samples, 95);
    const p99 = percentile(samples, 99);
    return {
      scenario: 'latency',
      rows: [
        { scenario: '2 latency', metric: `p50 APPEND → confirmation at sink (${o.samples} requests)`, value: p50, unit: 'ms' },
        {
          scenario: '2 latency',
          metric: 'p95',
          value: p95,
          unit: 'ms',
          target: 'p95 ≤ 2,000 ms',
          met: p95 <= 2000,
          note: `median stages: APPEND → stored by the watcher ${percentile(stages.stored, 50)} ms (Dovecot tells IDLE clients of new mail after a 0.5 s delay), → case committed ${percentile(stages.committed, 50)} ms, → confirmation accepted ${percentile(stages.accepted, 50)} ms`,
        },
        { scenario: '2 latency', metric: 'p99', value: p99, unit: 'ms' },
      ],
      details: {
        samples: samples.length,
        p50,
        p95,
        p99,
        max: Math.max(...samples),
        mean: round(samples.reduce((a, b) => a + b, 0) / samples.length, 1),
        appendRoundTripP50: percentile(appendMs, 50),
        stagesP50: {
          appendToStored: percentile(stages.stored, 50),
          storedToCommitted: percentile(stages.committed, 50),
          committedToAccepted: percentile(stages.accepted, 50),
        },
        warnings: rig.logs.warnings.slice(0, 5),
      },
    };
  } finally {
    await infra.sink.track(false);
    await client.logout().catch(() => undefined);
    await rig.stop();
    await emptyInbox(infra.dovecot);
  }
}
