import { compileWorker } from '../compile.js';
import type { ScenarioResult } from '../report.js';
import { ServiceRig, type Infra } from '../rig.js';
import { seedOpenedCases } from '../seed.js';
import { busyShare, machineCpu, round, sleep } from '../stats.js';
import type { WorkerReply } from '../scale-worker.js';
import { DUE, OPENED_FROM, OPENED_TO } from './burst.js';
import { WorkerProcess } from './scale.js';
import { firstRow } from '../must.js';

export interface WorkersOptions {
  cases: number;
  seed: number;
  timeoutMs: number;
}

/** Between opening and the burst: the workers start (and reconcile) at this time. */
const BEFORE = '2027-03-22T12:00:00Z';

interface Run {
  workers: number;
  cases: number;
  mails: number;
  seconds: number;
  mailsPerSecond: number;
  /** Sends left claimed by a stalled job when the run ended (see burstWith). */
  stuckSending: number;
  machineBusyShare: number;
}

/**
 * One 09:00 burst (the chaser-burst cases, rate limit off) worked by `workers` worker processes,
 * compiled, on plain node, against one PostgreSQL database and one Redis: from the moment their
 * clocks reach 09:00 and the delayed jobs are promoted until the sink has every mail due then.
 */
async function burstWith(infra: Infra, script: string, workers: number, o: WorkersOptions): Promise<Run> {
  const rig = await ServiceRig.create(infra, { name: `workers-${workers}`, start: OPENED_TO, logLevel: 'warn' });
  const procs: WorkerProcess[] = [];
  try {
    const org = firstRow(rig.service.orgs.all(), 'organisation');
    await seedOpenedCases(rig.service.orm, org, { count: o.cases, from: new Date(OPENED_FROM), to: new Date(OPENED_TO), seed: o.seed });
    for (let i = 0; i < workers; i++) {
      const { worker } = await WorkerProcess.start(rig, BEFORE, script);
      procs.push(worker);
      await worker.ask<Extract<WorkerReply, { type: 'started' }>>({ type: 'start' });
    }
    const cases = rig.service.queues.queue('cases');
    const queuedBy = Date.now() + o.timeoutMs;
    while ((await cases.getDelayedCount()) < o.cases) {
      if (Date.now() > queuedBy) throw new Error(`workers: the advance jobs of ${o.cases} cases were not all queued`);
      await sleep(200);
    }
    for (const p of procs) await p.ask({ type: 'clock', at: DUE });
    await infra.sink.reset();
    const m0 = await machineCpu();
    const t0 = Date.now();
    await cases.promoteJobs();
    await rig.service.queues.queue('outbox').promoteJobs();
    const due = new Date(DUE);
    let mails = 0;
    let stuckSending = 0;
    let quietSince: number | undefined;
    const deadline = t0 + o.timeoutMs;
    for (;;) {
      const rows = await rig.service.orm.em
        .fork()
        .getConnection()
        .execute<{ due: string; pending: string; sending: string; sent: string }[]>(
          `select (select count(*) from escalation_case where next_action_at <= ?) as due,
                  (select count(*) from outbox_mail where created_at >= ? and status = 'pending' and not_before <= ?) as pending,
                  (select count(*) from outbox_mail where created_at >= ? and status = 'sending') as sending,
                  (select count(*) from outbox_mail where created_at >= ? and status = 'sent') as sent`,
          [due, due, due, due, due],
        );
      const r = firstRow(rows, 'outbox counts');
      const s = await infra.sink.stats();
      const settled = Number(r.due) === 0 && Number(r.pending) === 0 && s.accepted >= Number(r.sent);
      if (settled && Number(r.sending) === 0) {
        mails = Number(r.sent);
        break;
      }
      // A send claimed by a job that stalled (a worker starved of CPU loses BullMQ's lock) waits for
      // the reconciler to take it back once its claim is old by the clock, which stands still here:
      // after 30 s with nothing else to do the run ends and counts it.
      quietSince = settled ? (quietSince ?? Date.now()) : undefined;
      if (quietSince !== undefined && Date.now() - quietSince > 30_000) {
        mails = Number(r.sent);
        stuckSending = Number(r.sending);
        break;
      }
      if (Date.now() > deadline) throw new Error(`workers: burst with ${workers} not finished: ${JSON.stringify({ ...r, accepted: s.accepted })}`);
      await sleep(200);
    }
    const m1 = await machineCpu();
    const seconds = ((await infra.sink.stats()).lastAt - t0) / 1000;
    return {
      workers,
      cases: o.cases,
      mails,
      stuckSending,
      seconds: round(seconds, 2),
      mailsPerSecond: round(mails / seconds, 1),
      machineBusyShare: busyShare(m0, m1),
    };
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
    await rig.stop();
  }
}

/**
 * Scenario 7 (issue 19, point 5): the same burst worked by one worker process, then by two,
 * against one PostgreSQL and one Redis. Throughput in mails accepted by the sink per second.
 */
export async function workersScenario(infra: Infra, o: WorkersOptions): Promise<ScenarioResult> {
  const script = await compileWorker();
  const one = await burstWith(infra, script, 1, o);
  const two = await burstWith(infra, script, 2, { ...o, seed: o.seed + 1 });
  const ratio = round(two.mailsPerSecond / one.mailsPerSecond, 2);
  return {
    scenario: 'workers',
    rows: [
      { scenario: '7 workers', metric: `${o.cases}-case 09:00 burst, 1 worker process`, value: one.mailsPerSecond, unit: 'mail/s' },
      {
        scenario: '7 workers',
        metric: `the same with 2 worker processes (one Postgres, one Redis)`,
        value: two.mailsPerSecond,
        unit: 'mail/s',
        baseline: one.mailsPerSecond,
        ratio,
        note: `machine busy ${Math.round(one.machineBusyShare * 100)} % (1 worker) and ${Math.round(two.machineBusyShare * 100)} % (2 workers) of its cores; sends left claimed by a stalled job: ${one.stuckSending} and ${two.stuckSending}`,
      },
    ],
    details: { one, two, twoOverOne: ratio },
  };
}
