import nodemailer from 'nodemailer';
import type { Profiler } from '../profile.js';
import type { ScenarioResult } from '../report.js';
import { ServiceRig, type Infra } from '../rig.js';
import { seedOpenedCases, type SeedResult } from '../seed.js';
import { busyShare, cpuSince, machineCpu, round, sleep } from '../stats.js';
import { firstRow } from '../must.js';

/**
 * Cases opened from Friday 12 to Monday 15 March 2027 have their first rung (+2 weeks) on Good
 * Friday, the weekend or Easter Monday: all of them move to the next window opening, Tuesday
 * 30 March 2027 at 09:00 BST — the bank-holiday Tuesday morning.
 */
export const OPENED_FROM = '2027-03-12T00:00:00Z';
export const OPENED_TO = '2027-03-15T16:59:00Z';
export const DUE = '2027-03-30T08:00:00Z';
/** Between opening and the burst (the clock at which the worker starts and reconciles). */
const BEFORE = '2027-03-22T12:00:00Z';

export interface BurstOptions {
  cases: number;
  seed: number;
  timeoutMs: number;
  /** The same burst with the per-mailbox limit on (30/min): cases, and how many simulated minutes to run. */
  limited: { cases: number; minutes: number; perMinute: number };
  profiler?: Profiler;
}

interface Progress {
  due: number;
  open: number;
  rows: number;
  accepted: number;
}

async function burstProgress(rig: ServiceRig, at: Date): Promise<Omit<Progress, 'accepted'>> {
  const rows = await rig.service.orm.em
    .fork()
    .getConnection()
    .execute<{ due: string; open: string; rows: string }[]>(
      `select (select count(*) from escalation_case where next_action_at <= ?) as due,
              (select count(*) from outbox_mail where created_at >= ? and status in ('pending', 'sending') and not_before <= ?) as open,
              (select count(*) from outbox_mail where created_at >= ? and status <> 'held' and not_before <= ?) as rows`,
      [at, at, at, at, at],
    );
  const r = firstRow(rows, 'due/open/rows counts');
  return { due: Number(r.due), open: Number(r.open), rows: Number(r.rows) };
}

/** Opens the cases, checks they all fall due at DUE, and starts the worker (whose reconcile queues them). */
async function prepare(infra: Infra, name: string, cases: number, seed: number, perMinute: number): Promise<{ rig: ServiceRig; seeded: SeedResult }> {
  const rig = await ServiceRig.create(infra, { name, start: OPENED_TO, rateLimitPerMinute: perMinute });
  const org = firstRow(rig.service.orgs.all(), 'organisation');
  const seeded = await seedOpenedCases(rig.service.orm, org, { count: cases, from: new Date(OPENED_FROM), to: new Date(OPENED_TO), seed });
  const check = await rig.service.orm.em
    .fork()
    .getConnection()
    .execute<{ n: string; lo: Date; hi: Date }[]>(`select count(*) as n, min(next_action_at) as lo, max(next_action_at) as hi from escalation_case`);
  const c = firstRow(check, 'case count');
  if (Number(c.n) !== cases || new Date(c.lo).toISOString() !== new Date(DUE).toISOString() || new Date(c.hi).toISOString() !== new Date(DUE).toISOString()) {
    throw new Error(`burst: expected ${cases} cases all due at ${DUE}, got ${c.n} from ${new Date(c.lo).toISOString()} to ${new Date(c.hi).toISOString()}`);
  }
  rig.clock.set(BEFORE);
  await rig.start({ watcher: false, worker: true, http: false });
  await rig.settle();
  const delayed = await rig.service.queues.queue('cases').getDelayedCount();
  if (delayed < cases) throw new Error(`burst: ${delayed} delayed advance jobs for ${cases} cases`);
  return { rig, seeded };
}

/** Every outbox row the burst wrote, as bare nodemailer sends them: the same bytes and envelopes. */
async function bareBaseline(infra: Infra, rig: ServiceRig, at: Date, maxConnections: number): Promise<{ mails: number; seconds: number; perSecond: number }> {
  const rows = await rig.service.orm.em
    .fork()
    .getConnection()
    .execute<{ envelope_from: string; envelope_to: string[]; raw: Buffer }[]>(
      `select envelope_from, envelope_to, raw from outbox_mail where created_at >= ? and status = 'sent' order by created_at, id`,
      [at],
    );
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: infra.sink.port, secure: false, ignoreTLS: true, pool: true, maxConnections });
  try {
    await infra.sink.reset();
    const t0 = Date.now();
    await Promise.all(rows.map((r) => transport.sendMail({ envelope: { from: r.envelope_from, to: r.envelope_to }, raw: r.raw })));
    const stats = await infra.sink.waitForAccepted(rows.length, 60_000);
    const seconds = (stats.lastAt - t0) / 1000;
    return { mails: rows.length, seconds: round(seconds, 2), perSecond: round(rows.length / seconds, 1) };
  } finally {
    transport.close();
  }
}

/** Moves the clock to `at`, promotes every delayed job (BullMQ's own timer would, at that moment), waits for the sends. */
async function release(infra: Infra, rig: ServiceRig, at: string, expectAtLeast: number, timeoutMs: number): Promise<{ t0: number; progress: Progress }> {
  rig.clock.set(at);
  const when = new Date(at);
  const t0 = Date.now();
  await rig.service.queues.queue('cases').promoteJobs();
  await rig.service.queues.queue('outbox').promoteJobs();
  const deadline = t0 + timeoutMs;
  for (;;) {
    await sleep(100);
    const p = await burstProgress(rig, when);
    const s = await infra.sink.stats();
    if (p.due === 0 && p.open === 0 && p.rows >= expectAtLeast && s.accepted >= p.rows) return { t0, progress: { ...p, accepted: s.accepted } };
    if (Date.now() > deadline) throw new Error(`burst: not finished after ${timeoutMs} ms: ${JSON.stringify({ ...p, accepted: s.accepted })}`);
  }
}

async function mailKinds(rig: ServiceRig, at: Date): Promise<Record<string, number>> {
  const rows = await rig.service.orm.em
    .fork()
    .getConnection()
    .execute<{ kind: string; n: string }[]>(`select kind, count(*) as n from outbox_mail where created_at >= ? group by kind order by kind`, [at]);
  return Object.fromEntries(rows.map((r) => [r.kind, Number(r.n)]));
}

/**
 * Scenario 3: N cases fall due at the same 09:00; every chaser (and the RM's notice that goes
 * with it) until the sink has accepted the last one, against bare nodemailer pooled sends of the
 * very same messages (bytes and envelopes, read back from the outbox) to the same sink.
 */
export async function burstScenario(infra: Infra, o: BurstOptions): Promise<ScenarioResult> {
  const due = new Date(DUE);
  const { rig, seeded } = await prepare(infra, 'burst', o.cases, o.seed, 0);
  let main: Record<string, unknown>;
  let rows: ScenarioResult['rows'];
  try {
    await infra.sink.reset();
    const reconcilesBefore = rig.logs.reconciles;
    const cpu0 = process.cpuUsage();
    const m0 = await machineCpu();
    await o.profiler?.start();
    const { t0, progress } = await release(infra, rig, DUE, o.cases, o.timeoutMs);
    const profile = await o.profiler?.stop('burst');
    const m1 = await machineCpu();
    const cpu = cpuSince(cpu0);
    const sink = await infra.sink.stats();
    const seconds = (sink.lastAt - t0) / 1000;
    const kinds = await mailKinds(rig, due);
    const chasers = kinds.chaser ?? 0;
    const mails = progress.rows;
    // Every mail the burst's steps caused, those still waiting (an hourly summary) included: what
    // must pass through a mailbox Exchange Online allows 30 a minute.
    const caused = Object.values(kinds).reduce((n, v) => n + v, 0);
    const mailsPerStep = round(caused / chasers, 4);
    const drainMinutes = round(caused / 30, 1);
    const bare = await bareBaseline(infra, rig, due, 3);
    const ours = round(mails / seconds, 1);
    const ratio = round(ours / bare.perSecond, 2);
    rows = [
      {
        scenario: '3 chaser burst',
        metric: `${o.cases} cases due 09:00 → ${chasers} chasers + ${mails - chasers} notices at sink`,
        value: ours,
        unit: 'mail/s',
        baseline: bare.perSecond,
        ratio,
        target: 'ratio ≥ 0.8',
        met: ratio >= 0.8,
        note: 'building block: bare nodemailer pool (3 connections) sending the same bytes to the same sink',
      },
      { scenario: '3 chaser burst', metric: 'chasers per second (rate limit off)', value: round(chasers / seconds, 1), unit: 'chaser/s' },
      {
        scenario: '3 chaser burst',
        metric: 'mails per step (chaser + everything sent because of it)',
        value: mailsPerStep,
        unit: 'mail/step',
        baseline: 2,
        target: '1.0 + one RM mail per RM per hour',
        // The bench's cases are all the RM's own: one person to tell, once an hour while it drains.
        met: caused - chasers <= Math.ceil(drainMinutes / 60) + 1,
        note: `${JSON.stringify(kinds)}; before notices: hourly, 2.0 (a chaser and a step notice each)`,
      },
      {
        scenario: '3 chaser burst',
        metric: `drain of the ${o.cases}-case burst at 30 mails/min (Exchange Online)`,
        value: drainMinutes,
        unit: 'min',
        baseline: round((2 * o.cases) / 30, 1),
        ratio: round(drainMinutes / ((2 * o.cases) / 30), 3),
        // Exactly half is the chasers alone: the floor. What the issue allows on top is one RM mail
        // an hour while the burst drains (the same allowance as the row above), so that is allowed here.
        target: 'halved (ratio ≤ 0.5), but for one RM mail an hour',
        met: chasers <= o.cases && caused - chasers <= Math.ceil(drainMinutes / 60) + 1 && chasers / 30 <= (2 * o.cases) / 30 / 2,
        note: 'building block: the same burst before notices: hourly (a chaser and a step notice per step)',
      },
    ];
    main = {
      cases: o.cases,
      seeding: seeded,
      seededMsPerCase: round(seeded.ms / o.cases, 2),
      seconds: round(seconds, 2),
      mails,
      kinds,
      mailsPerStep,
      burstDrainMinutesAt30PerMin: drainMinutes,
      mailsPerSecond: ours,
      chasersPerSecond: round(chasers / seconds, 1),
      bareNodemailer: bare,
      serviceProcessCpu: cpu,
      machineBusyShare: busyShare(m0, m1),
      sinkCpuMs: round(sink.cpuUserMs + sink.cpuSystemMs, 0),
      reconcilesDuringBurst: rig.logs.reconciles - reconcilesBefore,
      ...(profile ? { profile } : {}),
      warnings: rig.logs.warnings.slice(0, 5),
    };
  } finally {
    await rig.stop();
  }

  const limited = await limitedBurst(infra, o);
  rows.push(...limited.rows);
  return { scenario: 'burst', rows, details: { main, rateLimited: limited.details } };
}

/**
 * The same burst with the per-mailbox limit on. The limit, not the code, sets the pace (30 a
 * minute: a 10,000-case burst needs ~11 hours of clock time), so the clock is moved a minute at
 * a time and each minute's release is timed: how many went, and what the re-deferral of the
 * rest cost in wall-clock time.
 */
async function limitedBurst(infra: Infra, o: BurstOptions): Promise<{ rows: ScenarioResult['rows']; details: Record<string, unknown> }> {
  const { rig } = await prepare(infra, 'burst-limited', o.limited.cases, o.seed + 1, o.limited.perMinute);
  try {
    await infra.sink.reset();
    const minutes: { minute: number; sent: number; wallSeconds: number; deferred: number }[] = [];
    let sentBefore = 0;
    for (let m = 0; m < o.limited.minutes; m++) {
      const at = new Date(new Date(DUE).getTime() + m * 60_000);
      rig.clock.set(at);
      const t0 = Date.now();
      await rig.service.queues.queue('cases').promoteJobs();
      await rig.service.queues.queue('outbox').promoteJobs();
      // Done for this minute when nothing is due, running or waiting and the sink has what was sent.
      const deadline = t0 + o.timeoutMs;
      for (;;) {
        await sleep(100);
        const counts = await rig.service.orm.em
          .fork()
          .getConnection()
          .execute<{ due: string; sending: string; sent: string; pending: string }[]>(
            `select (select count(*) from escalation_case where next_action_at <= ?) as due,
                    (select count(*) from outbox_mail where status = 'sending') as sending,
                    (select count(*) from outbox_mail where status = 'sent' and created_at >= ?) as sent,
                    (select count(*) from outbox_mail where status = 'pending' and not_before <= ?) as pending`,
            [at, new Date(DUE), at],
          );
        const c = firstRow(counts, 'outbox counts');
        const busy = await Promise.all([...rig.service.queues.queues.values()].map((q) => q.getJobCounts('waiting', 'active')));
        const running = busy.reduce((n, b) => n + (b.waiting ?? 0) + (b.active ?? 0), 0);
        const s = await infra.sink.stats();
        if (Number(c.due) === 0 && Number(c.sending) === 0 && Number(c.pending) === 0 && running === 0 && s.accepted >= Number(c.sent)) {
          const deferredRows = await rig.service.orm.em
            .fork()
            .getConnection()
            .execute<{ n: string }[]>(`select count(*) as n from outbox_mail where status = 'pending'`);
          minutes.push({
            minute: m,
            sent: Number(c.sent) - sentBefore,
            wallSeconds: round((Date.now() - t0) / 1000, 2),
            deferred: Number(firstRow(deferredRows, 'pending count').n),
          });
          sentBefore = Number(c.sent);
          break;
        }
        if (Date.now() > deadline) throw new Error(`rate-limited burst: minute ${m} not settled: ${JSON.stringify(c)} running=${running}`);
      }
    }
    const total = await mailKinds(rig, new Date(DUE));
    const mails = Object.entries(total)
      .filter(([k]) => k !== 'held')
      .reduce((n, [, v]) => n + v, 0);
    const perSecond = round(o.limited.perMinute / 60, 2);
    const drainMinutes = Math.ceil(mails / o.limited.perMinute);
    const fullMails = Math.round((mails / o.limited.cases) * o.cases);
    const later = minutes.slice(1);
    const herdSeconds = later.length ? later.reduce((a, m) => a + m.wallSeconds, 0) / later.length : 0;
    return {
      rows: [
        {
          scenario: '3 chaser burst',
          metric: `rate limit on (${o.limited.perMinute}/min/mailbox), ${o.limited.cases} cases`,
          value: round(minutes.reduce((a, m) => a + m.sent, 0) / minutes.length / 60, 2),
          unit: 'mail/s',
          note: `the limit sets the pace (30 a minute; projected linearly from this run, which the hourly summaries make a slight overestimate): ${fullMails} mails of a ${o.cases}-case burst take ${round(Math.ceil(fullMails / o.limited.perMinute) / 60, 1)} h; each minute's re-check of the deferred mails took ${round(herdSeconds, 1)} s of wall time`,
        },
      ],
      details: {
        cases: o.limited.cases,
        perMinute: o.limited.perMinute,
        mailsPerSecondByDesign: perSecond,
        mails,
        kinds: total,
        minutes,
        drainMinutesThisBurst: drainMinutes,
        projectedFullBurst: { mails: fullMails, hours: round(Math.ceil(fullMails / o.limited.perMinute) / 60, 1) },
        wallSecondsPerMinuteAfterTheFirst: round(herdSeconds, 2),
        warnings: rig.logs.warnings.slice(0, 5),
      },
    };
  } finally {
    await rig.stop();
  }
}
