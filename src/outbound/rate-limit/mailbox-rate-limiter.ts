import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Clock } from '../../lib/clock.js';

/** Whether a send may go now, and if not, when the window will have room. */
export type RateDecision = { allowed: true; remaining: number } | { allowed: false; retryAt: Date };

/** Counts sends per mailbox across every worker process. */
export interface SendRateLimiter {
  /** Takes a slot for `mailbox` if fewer than `limit` were taken in the last window. */
  acquire(mailbox: string, limit: number): Promise<RateDecision>;
}

/**
 * Sliding window log in a sorted set, one per mailbox: member = one send, score = its time in ms.
 * Entries older than the window are dropped; if fewer than `limit` remain the send is recorded,
 * otherwise the answer is the moment the oldest entry that keeps the window full leaves it.
 * The time comes from the caller's clock (ARGV), not Redis's, so an injected clock drives it.
 */
const ACQUIRE = `
local key = KEYS[1]
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
if count < limit then
  redis.call('ZADD', key, now, ARGV[4])
  redis.call('PEXPIRE', key, window)
  return {1, limit - count - 1}
end
local entry = redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')
return {0, tonumber(entry[2]) + window}
`;

const COMMAND = 'escalatorMailboxAcquire';

type WithAcquire = Redis & { [COMMAND](key: string, now: number, windowMs: number, limit: number, member: string): Promise<[number, number]> };

export interface MailboxRateLimiterOptions {
  /** Key prefix (the service's Redis prefix), so deployments and tests never share counts. */
  prefix: string;
  clock: Clock;
  /** Defaults to one minute. */
  windowMs?: number;
}

/** Redis-backed per-mailbox send limit shared by every process using the same Redis and prefix. */
export class MailboxRateLimiter implements SendRateLimiter {
  private readonly redis: WithAcquire;
  private readonly windowMs: number;

  constructor(
    redis: Redis,
    private readonly o: MailboxRateLimiterOptions,
  ) {
    if (!o.prefix || o.prefix.includes(':')) throw new Error(`rate limiter prefix must be non-empty and free of ':' (got ${JSON.stringify(o.prefix)})`);
    // EVALSHA with the script's body as fallback; defining it again on a shared client is harmless.
    redis.defineCommand(COMMAND, { numberOfKeys: 1, lua: ACQUIRE });
    this.redis = redis as WithAcquire;
    this.windowMs = o.windowMs ?? 60_000;
  }

  key(mailbox: string): string {
    return `${this.o.prefix}:mailbox-rate:${mailbox.trim().toLowerCase()}`;
  }

  async acquire(mailbox: string, limit: number): Promise<RateDecision> {
    if (!Number.isInteger(limit) || limit <= 0) return { allowed: true, remaining: Number.POSITIVE_INFINITY };
    const now = this.o.clock.now().getTime();
    const [allowed, value] = await this.redis[COMMAND](this.key(mailbox), now, this.windowMs, limit, `${now}-${randomUUID()}`);
    return allowed === 1 ? { allowed: true, remaining: Number(value) } : { allowed: false, retryAt: new Date(Number(value)) };
  }
}
