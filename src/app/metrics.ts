import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { LimitName, Metrics, RecoveredWork } from '../runtime/metrics.js';

/** What the scrape-time gauges read; the service fills it in once its parts are running. */
export interface MetricSources {
  /** Jobs per queue and state (waiting, active, delayed, failed …). */
  queueDepths?(): Promise<{ queue: string; state: string; count: number }[]>;
  /** Seconds since the oldest open case's next action fell due (0 when nothing is overdue). */
  oldestOverdueCaseSeconds?(): Promise<number>;
  /** Seconds since the oldest pending outbox mail could have gone (0 when none is waiting). */
  oldestDueMailSeconds?(): Promise<number>;
  /** Each mailbox watcher in this process and its connection state. */
  imapWatchers?(): { mailbox: string; state: string }[];
}

export const IMAP_STATES = ['stopped', 'waiting-for-lock', 'connecting', 'syncing', 'idle', 'backoff'] as const;

/**
 * The service's Prometheus metrics, in a registry the service owns (never prom-client's global
 * one: tests run several services in one process). Counters are counted where things happen;
 * gauges that describe the whole system (queues, overdue cases, IMAP) are read at scrape time,
 * so they are right even in a process that has just started. Labels never carry addresses,
 * subjects or child references.
 */
export class PromMetrics implements Metrics {
  readonly registry = new Registry();
  private sources: MetricSources = {};

  readonly messagesIngested = new Counter({
    name: 'escalator_messages_ingested_total',
    help: 'Inbound messages ingested, by route (new-case, reply, command, automatic, bounce, quarantined, flagged, ignored, rejected …) and class (reply classification or automatic kind)',
    labelNames: ['route', 'class'] as const,
    registers: [this.registry],
  });

  readonly mailsSent = new Counter({
    name: 'escalator_mails_sent_total',
    help: 'Mails accepted by the outbound server, by kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly chasersSent = new Counter({
    name: 'escalator_chasers_sent_total',
    help: 'Chasers accepted by the outbound server, by ladder and rung',
    labelNames: ['ladder', 'rung'] as const,
    registers: [this.registry],
  });

  readonly sendFailures = new Counter({
    name: 'escalator_send_failures_total',
    help: 'Failed send attempts: temporary (retried) or permanent (the RM is told)',
    labelNames: ['kind', 'type'] as const,
    registers: [this.registry],
  });

  readonly jobFailures = new Counter({
    name: 'escalator_job_failures_total',
    help: 'Jobs that threw (BullMQ retries them; the reconciler covers what is given up on)',
    labelNames: ['job'] as const,
    registers: [this.registry],
  });

  readonly mailsHeldByLoopGuard = new Counter({
    name: 'escalator_loop_guard_total',
    help: 'Mails the loop guard held back: the ladder’s deferred (one recipient on one case got too many), a sender’s answers dropped, or the notices the RM must see folded into a summary',
    labelNames: ['kind', 'action'] as const,
    registers: [this.registry],
  });

  readonly recoveredWork = new Counter({
    name: 'escalator_reconciler_recovered_total',
    help: 'Work the reconciler found abandoned and queued again: stuck-sending (a worker died mid-send), pending-message (ingest job lost)',
    labelNames: ['what'] as const,
    registers: [this.registry],
  });

  readonly limitsReached = new Counter({
    name: 'escalator_limits_reached_total',
    help: 'Messages a limit answered (README, Limits): openings per sender, recipients per opening, stranger notices folded, oversized or unparseable mail, Date headers replaced, promises beyond the horizon',
    labelNames: ['limit'] as const,
    registers: [this.registry],
  });

  readonly metricsRefreshes = new Counter({
    name: 'escalator_metrics_refreshes_total',
    help: 'Times the scrape-time gauges were read from PostgreSQL and Redis (at most once per 15 s, whatever the scrape rate)',
    registers: [this.registry],
  });

  constructor() {
    // The gauges' collect() runs with `this` bound to the gauge; the sources are read through this
    // closure because setSources() may replace them after construction.
    const sources = (): MetricSources => this.sources;
    new Gauge({
      name: 'escalator_queue_jobs',
      help: 'Jobs per queue and state, read at scrape time',
      labelNames: ['queue', 'state'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const d of (await sources()
          .queueDepths?.()
          .catch(() => [])) ?? [])
          this.set({ queue: d.queue, state: d.state }, d.count);
      },
    });
    new Gauge({
      name: 'escalator_oldest_overdue_case_seconds',
      help: 'How long the oldest open case has been waiting past its next action (0: nothing overdue)',
      registers: [this.registry],
      async collect() {
        const v = await sources()
          .oldestOverdueCaseSeconds?.()
          .catch(() => undefined);
        if (v !== undefined) this.set(v);
      },
    });
    new Gauge({
      name: 'escalator_oldest_due_mail_seconds',
      help: 'How long the oldest pending outbox mail has been free to go (0: nothing waiting)',
      registers: [this.registry],
      async collect() {
        const v = await sources()
          .oldestDueMailSeconds?.()
          .catch(() => undefined);
        if (v !== undefined) this.set(v);
      },
    });
    new Gauge({
      name: 'escalator_imap_connected',
      help: 'Per mailbox watcher in this process: 1 while connected (syncing or idle), else 0',
      labelNames: ['mailbox'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const w of sources().imapWatchers?.() ?? []) this.set({ mailbox: w.mailbox }, w.state === 'idle' || w.state === 'syncing' ? 1 : 0);
      },
    });
    new Gauge({
      name: 'escalator_imap_state',
      help: 'Per mailbox watcher in this process: 1 for its current state',
      labelNames: ['mailbox', 'state'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const w of sources().imapWatchers?.() ?? []) {
          for (const s of IMAP_STATES) this.set({ mailbox: w.mailbox, state: s }, w.state === s ? 1 : 0);
        }
      },
    });
  }

  /** Node's process metrics (memory, event loop lag, handles): once, for a process that serves /metrics. */
  collectProcessMetrics(): void {
    collectDefaultMetrics({ register: this.registry });
  }

  setSources(sources: MetricSources): void {
    this.sources = { ...this.sources, ...sources };
  }

  messageIngested(route: string, cls: string): void {
    this.messagesIngested.inc({ route, class: cls });
  }

  mailSent(kind: string, chaser?: { ladder: string; rung: string }): void {
    this.mailsSent.inc({ kind });
    if (chaser) this.chasersSent.inc(chaser);
  }

  sendFailed(kind: string, temporary: boolean): void {
    this.sendFailures.inc({ kind, type: temporary ? 'temporary' : 'permanent' });
  }

  mailHeldByLoopGuard(kind: string, action: 'dropped' | 'deferred' | 'folded'): void {
    this.mailsHeldByLoopGuard.inc({ kind, action });
  }

  limitReached(limit: LimitName): void {
    this.limitsReached.inc({ limit });
  }

  recovered(what: RecoveredWork, count = 1): void {
    this.recoveredWork.inc({ what }, count);
  }
}
