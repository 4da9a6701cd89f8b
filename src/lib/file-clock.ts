import { readFileSync } from 'node:fs';
import type { Clock } from './clock.js';

/** The environment variable that turns the file clock on (tests only). */
export const CLOCK_FILE_ENV = 'ESCALATOR_CLOCK_FILE';

/** How long one reading of the file is trusted: cheap enough to call on every `now()`. */
const CACHE_MS = 100;

/**
 * FOR TESTS ONLY. A clock whose offset from real time is read from a JSON file
 * (`{ "offsetMs": n }`), so a fault test can move the time of every process it started —
 * workers and watchers it kills and restarts — together, without restarting them. Time still
 * flows (now = real now + offset); moving the offset is a jump.
 *
 * A file that cannot be read or parsed keeps the last good offset: a test writing the file
 * (write to a temporary name, then rename) must never make a process see time go back to 1970.
 */
export class FileClock implements Clock {
  private offsetMs = 0;
  private readAt = Number.NEGATIVE_INFINITY;

  constructor(
    readonly path: string,
    private readonly realNow: () => number = Date.now,
  ) {
    this.refresh(true);
  }

  now(): Date {
    const real = this.realNow();
    if (real - this.readAt >= CACHE_MS) this.refresh(false);
    return new Date(real + this.offsetMs);
  }

  private refresh(first: boolean): void {
    this.readAt = this.realNow();
    try {
      const parsed = JSON.parse(readFileSync(this.path, 'utf8')) as { offsetMs?: unknown };
      if (typeof parsed.offsetMs !== 'number' || !Number.isFinite(parsed.offsetMs)) throw new Error('offsetMs must be a finite number');
      this.offsetMs = parsed.offsetMs;
    } catch (error) {
      // At start a missing or broken file is a mistake in the test's setup: say so at once.
      if (first) throw new Error(`${CLOCK_FILE_ENV}=${this.path}: ${(error as Error).message}`);
    }
  }
}
