import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export function testRedisUrl(): string {
  return process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
}

/**
 * A key prefix private to one test file, for BullMQ's `prefix` option. BullMQ joins prefix, queue
 * name and key with ':' so the prefix itself must not contain one; this only ever yields
 * [a-z0-9_-], which is also free of SCAN glob characters.
 */
export function uniquePrefix(name: string): string {
  const safe = name
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '-')
    .slice(0, 40);
  return `${safe}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/**
 * Deletes every key under `${prefix}:`, using SCAN so a shared Redis is never blocked by KEYS.
 * Returns how many keys were deleted. Pass a client to reuse it; otherwise one is opened and closed.
 */
export async function flushPrefix(prefix: string, redis?: Redis): Promise<number> {
  // An empty prefix would match every key in the shared Redis.
  if (!prefix || prefix.includes(':')) throw new Error(`flushPrefix needs a non-empty prefix without ':' (got ${JSON.stringify(prefix)})`);
  const client = redis ?? new Redis(testRedisUrl(), { lazyConnect: true, maxRetriesPerRequest: 1 });
  if (!redis) await client.connect();
  try {
    let deleted = 0;
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${escapeGlob(prefix)}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await client.unlink(...keys);
    } while (cursor !== '0');
    return deleted;
  } finally {
    if (!redis) await client.quit();
  }
}
