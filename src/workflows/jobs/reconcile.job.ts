import { Repositories } from '../../db/repositories/index.js';
import type { Deps } from '../../runtime/deps.js';
import { must } from '../../lib/must.js';

type ReconcileDeps = Pick<Deps, 'orm' | 'scheduler' | 'clock' | 'logger' | 'metrics'>;

/** How long a row may sit in `sending` before we assume its worker died mid-send. */
export const STUCK_SENDING_MS = 5 * 60_000;
/** A stored message not ingested within this long lost its job (Redis restarted, crash). */
export const STUCK_MESSAGE_MS = 60_000;

/**
 * Jobs (re)created at once. One at a time, every job waited for its own Redis round trips: a
 * pass over 100,000 open cases took ~30 s. Each add is idempotent (deterministic job ids), so
 * their order does not matter.
 */
export const RECONCILE_CONCURRENCY = 64;

/** Runs `fn` over the items, `RECONCILE_CONCURRENCY` at a time; the first failure stops the rest and is thrown. */
async function inParallel<T>(items: T[], fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const lane = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const item = must(items[next++], 'an item'); // next < items.length
      try {
        await fn(item);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(RECONCILE_CONCURRENCY, items.length) }, lane));
}

/** Rows read at a time: a pass over 100,000 cases held them all at once, ~40 MB at the worker's peak. */
export const RECONCILE_PAGE = 5_000;

/** Runs `fn` on the rows `read` gives a page at a time (in id order, after the last id of the page before); returns how many there were. */
async function inPages<T extends { id: string }>(
  read: (afterId: string | null, limit: number) => Promise<T[]>,
  fn: (page: T[]) => Promise<void>,
): Promise<number> {
  let after: string | null = null;
  let total = 0;
  for (;;) {
    const page: T[] = await read(after, RECONCILE_PAGE);
    await fn(page);
    total += page.length;
    if (page.length < RECONCILE_PAGE) return total;
    after = must(page.at(-1), "a full page's last row").id;
  }
}

export interface ReconcileReport {
  cases: number;
  outbox: number;
  unstuck: number;
  messages: number;
}

/**
 * Postgres is the truth and the queue only a cache of it: re-creates every job that should
 * exist. Deterministic job ids make this safe to run at any time, on any number of workers.
 */
export async function reconcile(deps: ReconcileDeps): Promise<ReconcileReport> {
  const db = Repositories.open(deps.orm);
  const now = deps.clock.now();
  // The server may have accepted what the dead worker was sending: marked abandoned, the next
  // attempt asks the server's Sent folder first (see src/runtime/delivery-evidence.ts).
  const unstuck = await db.outbox.takeBackAbandoned(new Date(now.getTime() - STUCK_SENDING_MS), now);
  const cases = await inPages(
    (after, limit) => db.cases.pageScheduled(after, limit),
    (page) => inParallel(page, (c) => deps.scheduler.advance(c.id, new Date(c.next_action_at))),
  );
  const outbox = await inPages(
    (after, limit) => db.outbox.pagePending(after, limit),
    (page) => inParallel(page, (o) => deps.scheduler.send(o.id, o.attempts, new Date(o.not_before))),
  );
  const messages = await db.messages.stuckPending(new Date(now.getTime() - STUCK_MESSAGE_MS));
  await inParallel(messages, (id) => deps.scheduler.ingest(id));
  const report = { cases, outbox, unstuck: unstuck.length, messages: messages.length };
  if (unstuck.length) deps.metrics?.recovered('stuck-sending', unstuck.length);
  if (messages.length) deps.metrics?.recovered('pending-message', messages.length);
  deps.logger.info(report, 'reconciled');
  return report;
}

export function reconcileJob(deps: ReconcileDeps) {
  return async (): Promise<void> => {
    await reconcile(deps);
  };
}
