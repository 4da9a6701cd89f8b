/** Whether a send may go now, and if not, when the window will have room. */
export type RateDecision = { allowed: true; remaining: number } | { allowed: false; retryAt: Date };

/** Counts sends per mailbox across every worker process (Redis's implementation: src/outbound/rate-limit). */
export interface SendRateLimiter {
  /**
   * Takes a slot for `mailbox` if fewer than `limit` were taken in the last window. With a
   * `holder` (one send attempt of one mail), a refusal also reserves that holder the slot it is
   * told to come back at, and the holder's next call at or after that moment is let through on it.
   */
  acquire(mailbox: string, limit: number, holder?: string): Promise<RateDecision>;
}
