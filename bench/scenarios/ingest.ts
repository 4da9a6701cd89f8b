import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { simpleParser } from 'mailparser';
import pg from 'pg';
import { CorpusGenerator, describeCorpus } from '../corpus.js';
import type { DeliverArgs, DeliverResult } from '../deliver-child.js';
import type { Profiler } from '../profile.js';
import type { ScenarioResult } from '../report.js';
import { ServiceRig, type Infra } from '../rig.js';
import { busyShare, cpuSince, machineCpu, round, sleep } from '../stats.js';
import { emptyInbox } from './mailbox.js';
import { firstRow } from '../must.js';

export interface IngestOptions {
  count: number;
  warmup: number;
  seed: number;
  /** The service's (manual) clock: a Tuesday morning inside the send window. */
  now: string;
  timeoutMs: number;
  profiler?: Profiler;
}

/** Delivers a corpus with a child process and resolves with its timings. */
async function deliver(infra: Infra, args: Omit<DeliverArgs, 'host' | 'port' | 'user' | 'password'>, onStart?: () => void): Promise<DeliverResult> {
  const child = fork(
    fileURLToPath(new URL('../deliver-child.ts', import.meta.url)),
    [JSON.stringify({ ...args, host: infra.dovecot.host, port: infra.dovecot.port, user: 'escalations', password: 'secret' } satisfies DeliverArgs)],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  return new Promise<DeliverResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`delivery process exited with ${code}`));
    });
    child.on('message', (m: { type: 'ready' } | DeliverResult) => {
      if (m.type === 'ready') {
        onStart?.();
        child.send('go');
      } else resolve(m);
    });
  });
}

async function messageCounts(rig: ServiceRig): Promise<{ total: number; pending: number }> {
  const rows = await rig.service.orm.em
    .fork()
    .getConnection()
    .execute<{ total: string; pending: string }[]>(`select count(*) as total, count(*) filter (where status = 'pending') as pending from message`);
  const counts = firstRow(rows, 'message counts');
  return { total: Number(counts.total), pending: Number(counts.pending) };
}

async function untilCommitted(rig: ServiceRig, expected: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const c = await messageCounts(rig);
    if (c.total >= expected && c.pending === 0) return Date.now();
    if (Date.now() > deadline) throw new Error(`ingest: ${c.total}/${expected} stored, ${c.pending} pending after ${timeoutMs} ms`);
    await sleep(20);
  }
}

/** Bare mailparser over the same bytes, one after another: the building block's rate. */
async function bareParse(messages: Buffer[]): Promise<{ perSecond: number; ms: number }> {
  for (const raw of messages.slice(0, 50)) await simpleParser(raw);
  const t0 = performance.now();
  for (const raw of messages) await simpleParser(raw);
  const ms = performance.now() - t0;
  return { perSecond: round((messages.length / ms) * 1000, 1), ms: round(ms, 0) };
}

/**
 * The minimal durable pipeline, one message after another over the same bytes, Postgres and
 * Redis: parse it, insert its raw copy (one statement, committed on its own), add one queue job.
 * What any service that keeps every message and hands it on must do at least; the ratio to it is
 * issue 19's `ingestRatioDurable`.
 */
async function durablePipeline(infra: Infra, dbUrl: string, messages: Buffer[]): Promise<{ perSecond: number; ms: number }> {
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  const redis = infra.redis.client();
  const queue = new Queue('durable', { connection: redis, prefix: 'bench-durable' });
  try {
    await client.query('create table if not exists bench_durable (id bigserial primary key, message_id text, subject text, raw bytea not null)');
    const one = async (raw: Buffer) => {
      const parsed = await simpleParser(raw);
      const inserted = await client.query<{ id: string }>('insert into bench_durable (message_id, subject, raw) values ($1, $2, $3) returning id', [
        parsed.messageId ?? null,
        parsed.subject ?? null,
        raw,
      ]);
      await queue.add('ingest', { id: firstRow(inserted.rows, 'inserted id').id }, { removeOnComplete: true });
    };
    for (const raw of messages.slice(0, 50)) await one(raw);
    const t0 = performance.now();
    for (const raw of messages) await one(raw);
    const ms = performance.now() - t0;
    return { perSecond: round((messages.length / ms) * 1000, 1), ms: round(ms, 0) };
  } finally {
    await client.query('drop table if exists bench_durable').catch(() => undefined);
    await client.end();
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    redis.disconnect();
  }
}

/**
 * Scenario 1: N realistic messages delivered to the watched mailbox (while the service watches
 * it with IDLE); messages per second from the first APPEND to the last message's committed
 * verdict and case state, against bare simpleParser over the same corpus in the same run.
 */
export async function ingestScenario(infra: Infra, o: IngestOptions): Promise<ScenarioResult> {
  const corpus = new CorpusGenerator({ seed: o.seed, now: new Date(o.now) }).corpus(o.count);
  const shape = describeCorpus(corpus);
  const raws = corpus.map((m) => m.raw);
  const bareBefore = await bareParse(raws);

  await emptyInbox(infra.dovecot);
  const rig = await ServiceRig.create(infra, { name: 'ingest', start: o.now });
  try {
    await rig.start({ watcher: true, worker: true, http: false });
    // Warm-up: a different small corpus through the whole path (JIT, pools, prepared templates).
    await deliver(infra, { seed: o.seed + 1, count: o.warmup, now: o.now, connections: 1 });
    await untilCommitted(rig, o.warmup, o.timeoutMs);
    await rig.settle();
    await infra.sink.reset();

    const cpu0 = process.cpuUsage();
    const m0 = await machineCpu();
    await o.profiler?.start();
    const delivered = await deliver(infra, { seed: o.seed, count: o.count, now: o.now, connections: 1 });
    const committedAt = await untilCommitted(rig, o.warmup + o.count, o.timeoutMs);
    const profile = await o.profiler?.stop('ingest');
    const m1 = await machineCpu();
    const cpu = cpuSince(cpu0);
    await rig.settle(o.timeoutMs);
    const sentAt = (await infra.sink.stats()).lastAt;

    const bareAfter = await bareParse(raws);
    const durable = await durablePipeline(infra, rig.db.url, raws);
    const ingestRatioDurable = round(o.count / ((committedAt - delivered.firstStart) / 1000) / durable.perSecond, 2);
    const bare = Math.max(bareBefore.perSecond, bareAfter.perSecond);
    const seconds = (committedAt - delivered.firstStart) / 1000;
    const perSecond = round(o.count / seconds, 1);
    const routes = await rig.service.orm.em
      .fork()
      .getConnection()
      .execute<{ route: string; n: string }[]>(`select coalesce(route, status) as route, count(*) as n from message group by 1 order by 1`);
    const cases = await rig.service.orm.em.fork().getConnection().execute<{ n: string }[]>(`select count(*) as n from escalation_case`);
    const ratio = round(perSecond / bare, 2);
    return {
      scenario: 'ingest',
      rows: [
        {
          scenario: '1 ingest',
          metric: `${o.count} msgs, APPEND → committed`,
          value: perSecond,
          unit: 'msg/s',
          baseline: bare,
          ratio,
          target: 'ratio ≥ 0.5',
          met: ratio >= 0.5,
          note: 'building block: bare simpleParser, same corpus, same run (best of before/after)',
        },
        {
          scenario: '1 ingest',
          metric: `${o.count} msgs, against the minimal durable pipeline`,
          value: perSecond,
          unit: 'msg/s',
          baseline: durable.perSecond,
          ratio: ingestRatioDurable,
          target: 'ratio ≥ 0.5',
          met: ingestRatioDurable >= 0.5,
          note: 'building block: parse + one insert of the raw message (committed) + one BullMQ add per message, one after another, same corpus, Postgres and Redis',
        },
      ],
      details: {
        corpus: shape,
        perSecond,
        seconds: round(seconds, 2),
        deliverySeconds: round((delivered.lastEnd - delivered.firstStart) / 1000, 2),
        deliveryPerSecond: round(o.count / ((delivered.lastEnd - delivered.firstStart) / 1000), 1),
        outboundDrainedSeconds: sentAt ? round((sentAt - delivered.firstStart) / 1000, 2) : null,
        bareSimpleParser: { before: bareBefore, after: bareAfter },
        durablePipeline: durable,
        ingestRatioDurable,
        routes: Object.fromEntries(routes.map((r) => [r.route, Number(r.n)])),
        casesOpened: Number(firstRow(cases, 'case count').n),
        serviceProcessCpu: cpu,
        machineBusyShare: busyShare(m0, m1),
        logLines: rig.logs.lines,
        ...(profile ? { profile } : {}),
        warnings: rig.logs.warnings.slice(0, 5),
      },
    };
  } finally {
    await rig.stop();
    await emptyInbox(infra.dovecot);
  }
}
