import type { EntityManager } from '@mikro-orm/postgresql';
import type { Deps } from '../../runtime/deps.js';

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
      const item = items[next++]!;
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

/** Runs `fn` on the rows of `select` (which must have an `id` column and no order or limit), a page at a time in id order; returns how many there were. */
async function inPages<T extends { id: string }>(em: EntityManager, select: string, fn: (page: T[]) => Promise<void>): Promise<number> {
  let after: string | null = null;
  let total = 0;
  for (;;) {
    const page: T[] = await em.execute<T[]>(
      `select * from (${select}) q ${after === null ? '' : 'where q.id > ?'} order by q.id limit ${RECONCILE_PAGE}`,
      after === null ? [] : [after],
    );
    await fn(page);
    total += page.length;
    if (page.length < RECONCILE_PAGE) return total;
    after = page.at(-1)!.id;
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
  const em = deps.orm.em.fork() as EntityManager;
  const now = deps.clock.now();
  const unstuck = await em.execute<Array<{ id: string }>>(
    // The server may have accepted what the dead worker was sending: marked abandoned, the next
    // attempt asks the server's Sent folder first (see delivery-evidence.ts).
    `update outbox_mail set status = 'pending', abandoned_at = coalesce(abandoned_at, ?), updated_at = ? where status = 'sending' and claimed_at < ? returning id`,
    [now, now, new Date(now.getTime() - STUCK_SENDING_MS)],
  );
  const cases = await inPages<{ id: string; next_action_at: Date }>(
    em,
    `select id, next_action_at from escalation_case where next_action_at is not null and status in ('open', 'paused')`,
    (page) => inParallel(page, (c) => deps.scheduler.advance(c.id, new Date(c.next_action_at))),
  );
  const outbox = await inPages<{ id: string; attempts: number; not_before: Date }>(
    em,
    `select id, attempts, not_before from outbox_mail where status = 'pending'`,
    (page) => inParallel(page, (o) => deps.scheduler.send(o.id, o.attempts, new Date(o.not_before))),
  );
  const messages = await em.execute<Array<{ id: string }>>(`select id from message where status = 'pending' and created_at < ?`, [
    new Date(now.getTime() - STUCK_MESSAGE_MS),
  ]);
  await inParallel(messages, (m) => deps.scheduler.ingest(m.id));
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
