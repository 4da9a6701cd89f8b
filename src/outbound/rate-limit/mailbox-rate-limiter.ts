import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Clock } from '../../lib/clock.js';
import type { RateDecision, SendRateLimiter } from '../../runtime/send-rate-limiter.js';

/**
 * Sliding window log in a sorted set, one per mailbox: member = one send (or a reserved future
 * send), score = its time in ms. Entries older than the window are dropped; if fewer than `limit`
 * remain the send is recorded now, otherwise its slot is `limit` entries back plus the window.
 * Reservations keep a backlog from waking all at once: without them every mail deferred behind a
 * 10,000-case burst woke at the same next free moment each minute, and all but `limit` of them
 * went back to sleep — minutes of wasted work per minute of sending.
 * The time comes from the caller's clock (ARGV), not Redis's, so an injected clock drives it.
 */
const ACQUIRE = `
local key = KEYS[1]
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local member = ARGV[4]
local reserve = ARGV[5] == '1'
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if reserve then
  local mine = redis.call('ZSCORE', key, member)
  if mine then
    mine = tonumber(mine)
    if mine <= now then return {1, 0} end
    return {0, mine}
  end
end
local count = redis.call('ZCARD', key)
local at = now
if count >= limit then
  local entry = redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')
  at = tonumber(entry[2]) + window
end
if at > now and not reserve then return {0, at} end
redis.call('ZADD', key, at, member)
local last = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
redis.call('PEXPIRE', key, math.max(window, tonumber(last[2]) - now + window))
if at > now then return {0, at} end
return {1, limit - count - 1}
`;

const COMMAND = 'escalatorMailboxAcquire';

type WithAcquire = Redis & {
  [COMMAND](key: string, now: number, windowMs: number, limit: number, member: string, reserve: '0' | '1'): Promise<[number, number]>;
};

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

  async acquire(mailbox: string, limit: number, holder?: string): Promise<RateDecision> {
    if (!Number.isInteger(limit) || limit <= 0) return { allowed: true, remaining: Number.POSITIVE_INFINITY };
    const now = this.o.clock.now().getTime();
    const member = holder ? `h:${holder}` : `${now}-${randomUUID()}`;
    const [allowed, value] = await this.redis[COMMAND](this.key(mailbox), now, this.windowMs, limit, member, holder ? '1' : '0');
    return allowed === 1 ? { allowed: true, remaining: value } : { allowed: false, retryAt: new Date(value) };
  }
}
