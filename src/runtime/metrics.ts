/** Why the reconciler queued work again: a worker died mid-send, an ingest job was lost, a Sent folder answered. */
export type RecoveredWork = 'stuck-sending' | 'pending-message' | 'found-in-sent-folder';

/** The limits of README's Limits table, as the metric labels them. */
export type LimitName =
  | 'openings-per-sender-per-hour'
  | 'recipients-per-opening'
  | 'stranger-notices-per-hour'
  | 'max-message-bytes'
  | 'max-html-length'
  | 'parse-time-or-memory'
  | 'date-header-replaced'
  | 'promise-beyond-horizon';

/**
 * What the workflows count. The service's Prometheus registry implements it (src/app/metrics.ts);
 * jobs count when it is there, and unit tests leave it out. Labels never carry addresses,
 * subjects or child references.
 */
export interface Metrics {
  messageIngested(route: string, cls: string): void;
  /** A mail the server accepted; a chaser also names its ladder and rung. */
  mailSent(kind: string, chaser?: { ladder: string; rung: string }): void;
  sendFailed(kind: string, temporary: boolean): void;
  mailHeldByLoopGuard(kind: string, action: 'dropped' | 'deferred' | 'folded'): void;
  /** A limit answered a message (README, Limits): the limit's name, never who or what. */
  limitReached(limit: LimitName): void;
  recovered(what: RecoveredWork, count?: number): void;
}
