import { PATIENCE_MS } from './patience.js';

export interface WaitForOptions {
  /** Milliseconds before giving up. */
  timeout?: number;
  /** Milliseconds between polls. */
  interval?: number;
  /** Named in the timeout error so a failing test says what never happened. */
  what?: string;
}

type Falsy = undefined | null | false;

/**
 * Polls `fn` until it returns something truthy and resolves with that value.
 *
 * Only for waiting on real asynchronous I/O (a message reaching the SMTP sink, a row landing in
 * Postgres). Domain time (escalation deadlines, working days) must come from an injected clock,
 * never from sleeping here.
 *
 * An exception thrown by `fn` ends the wait at once: a broken probe should fail loudly instead of
 * being retried until the timeout hides the real error.
 */
export async function waitFor<T>(
  fn: () => T | Falsy | Promise<T | Falsy>,
  { timeout = PATIENCE_MS, interval = 25, what = 'condition' }: WaitForOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() >= deadline) {
      throw new Error(`timed out waiting for ${what} after ${timeout} ms`);
    }
    await new Promise<void>((resolve) => setTimeout(resolve, interval));
  }
}
