import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/config-schema.js';
import { OutboxMail } from '../../src/db/entities/index.js';
import { ManualClock } from '../../src/lib/clock.js';
import { mailboxLimit } from '../../src/outbound/rate-limit/mailbox-limit.js';
import { MailboxRateLimiter } from '../../src/outbound/rate-limit/mailbox-rate-limiter.js';
import { EscalatorHarness, INBOX, RM, rfc822 } from '../support/escalator-harness.js';
import { flushPrefix, testRedisUrl, uniquePrefix } from '../support/redis.js';
import { waitFor } from '../support/wait.js';
import { PATIENCE_MS } from '../support/patience.js';
import { ifStarted } from '../support/if-started.js';

const T0 = Date.parse('2026-11-23T10:00:00Z');
const BOX = 'escalations@sunrise-homes.org.uk';

describe('per-mailbox send limiter on Redis', () => {
  const prefix = uniquePrefix('rate-limit');
  // Two connections, as two worker processes would have.
  const redisA = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
  const redisB = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
  const clock = new ManualClock(new Date(T0));
  const a = new MailboxRateLimiter(redisA, { prefix, clock });
  const b = new MailboxRateLimiter(redisB, { prefix, clock });

  afterAll(async () => {
    await flushPrefix(prefix, redisA);
    redisA.disconnect();
    redisB.disconnect();
  });

  it('allows 3 a minute and tells the 4th when it may go', async () => {
    clock.set(new Date(T0));
    expect(await a.acquire(BOX, 3)).toEqual({ allowed: true, remaining: 2 });
    clock.advance(10_000);
    expect(await a.acquire(BOX, 3)).toEqual({ allowed: true, remaining: 1 });
    clock.advance(10_000);
    expect(await a.acquire(BOX, 3)).toEqual({ allowed: true, remaining: 0 });
    clock.advance(10_000);
    // The window frees up when the first send (at T0) is a minute old.
    expect(await a.acquire(BOX, 3)).toEqual({ allowed: false, retryAt: new Date(T0 + 60_000) });
    clock.set(new Date(T0 + 59_999));
    expect(await a.acquire(BOX, 3)).toEqual({ allowed: false, retryAt: new Date(T0 + 60_000) });
    clock.set(new Date(T0 + 60_000));
    expect(await a.acquire(BOX, 3)).toEqual({ allowed: true, remaining: 0 });
    // Full again: next room when the second send (T0 + 10 s) leaves the window.
    expect(await a.acquire(BOX, 3)).toEqual({ allowed: false, retryAt: new Date(T0 + 70_000) });
    // Refusals take no slot.
    expect(await redisA.zcard(a.key(BOX))).toBe(3);
  });

  it('gives a backlog of deferred mails a slot each, so they do not all wake at the same moment', async () => {
    const box = 'backlog@sunrise-homes.org.uk';
    clock.set(new Date(T0));
    for (let i = 0; i < 3; i++) expect((await a.acquire(box, 3)).allowed).toBe(true);
    // Six mails over the limit: three reserved for the next minute, three for the one after.
    const slots = [];
    for (let i = 1; i <= 6; i++) slots.push(await (i % 2 ? a : b).acquire(box, 3, `mail-${i}:1`));
    expect(slots).toEqual([
      ...Array.from({ length: 3 }, () => ({ allowed: false, retryAt: new Date(T0 + 60_000) })),
      ...Array.from({ length: 3 }, () => ({ allowed: false, retryAt: new Date(T0 + 120_000) })),
    ]);
    // Asking again early keeps the same slot and takes no other.
    expect(await a.acquire(box, 3, 'mail-4:1')).toEqual({ allowed: false, retryAt: new Date(T0 + 120_000) });
    expect(await redisA.zcard(a.key(box))).toBe(9);

    clock.set(new Date(T0 + 60_000));
    expect((await b.acquire(box, 3, 'mail-1:1')).allowed).toBe(true);
    // Its slot was counted when reserved: coming for it adds nothing.
    expect(await redisA.zcard(a.key(box))).toBe(6);
    // A newcomer queues behind the reservations rather than taking one of them.
    expect(await a.acquire(box, 3)).toEqual({ allowed: false, retryAt: new Date(T0 + 180_000) });
    expect(await a.acquire(box, 3, 'mail-4:1')).toEqual({ allowed: false, retryAt: new Date(T0 + 120_000) });
    clock.set(new Date(T0 + 120_000));
    expect((await a.acquire(box, 3, 'mail-4:1')).allowed).toBe(true);
    // No window of a minute ever holds more than three sends.
    const scores = (await redisA.zrange(a.key(box), 0, -1, 'WITHSCORES')).filter((_, i) => i % 2 === 1).map(Number);
    for (const t of scores) expect(scores.filter((u) => u > t - 60_000 && u <= t).length).toBeLessThanOrEqual(3);
  });

  it('counts each mailbox on its own, whatever the case of the address', async () => {
    clock.set(new Date(T0 + 10 * 60_000));
    const other = 'panel@sunrise-homes.org.uk';
    for (let i = 0; i < 3; i++) expect((await a.acquire(BOX, 3)).allowed).toBe(true);
    expect((await a.acquire(BOX.toUpperCase(), 3)).allowed).toBe(false);
    expect(await a.acquire(other, 3)).toEqual({ allowed: true, remaining: 2 });
  });

  it('shares the count between two processes', async () => {
    clock.set(new Date(T0 + 20 * 60_000));
    const box = 'shared@sunrise-homes.org.uk';
    expect((await a.acquire(box, 3)).allowed).toBe(true);
    expect((await b.acquire(box, 3)).allowed).toBe(true);
    expect(await a.acquire(box, 3)).toEqual({ allowed: true, remaining: 0 });
    expect(await b.acquire(box, 3)).toEqual({ allowed: false, retryAt: new Date(T0 + 21 * 60_000) });
    expect((await a.acquire(box, 3)).allowed).toBe(false);
  });

  it('never lets concurrent callers past the limit', async () => {
    clock.set(new Date(T0 + 30 * 60_000));
    const box = 'burst@sunrise-homes.org.uk';
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).acquire(box, 5)));
    expect(results.filter((r) => r.allowed)).toHaveLength(5);
  });

  it('does not limit at 0, nor the file transport', async () => {
    expect(await a.acquire('unlimited@sunrise-homes.org.uk', 0)).toMatchObject({ allowed: true });
    const org = (outbound: Record<string, unknown>) =>
      configSchema.parse({
        database: { url: 'postgres://unused' },
        redis: { url: 'redis://unused' },
        secret: 'test-secret-0123456789abcdef',
        organisations: [
          {
            id: 'o',
            name: 'O',
            nation: 'england-and-wales',
            manager: { email: 'rm@o.org.uk' },
            staff: { domains: ['o.org.uk'] },
            mailbox: { address: 'Escalations@O.org.uk', inbound: { type: 'smtp-listener' }, outbound },
          },
        ],
      }).organisations[0]!;
    expect(mailboxLimit(org({ type: 'file' }))).toBeNull();
    expect(mailboxLimit(org({ type: 'smtp', host: 'smtp.office365.com', rateLimitPerMinute: 0 }))).toBeNull();
    // Exchange Online's 30 a minute by default, counted against the SMTP login.
    expect(mailboxLimit(org({ type: 'smtp', host: 'smtp.office365.com' }))).toEqual({ mailbox: 'escalations@o.org.uk', perMinute: 30 });
    expect(mailboxLimit(org({ type: 'smtp', host: 'smtp.office365.com', auth: { type: 'password', user: 'Relay@O.org.uk', password: 'x' } }))).toEqual({
      mailbox: 'relay@o.org.uk',
      perMinute: 30,
    });
  });
});

describe('the send-mail job waits for room in the mailbox window', () => {
  let h: EscalatorHarness;

  beforeAll(async () => {
    h = await EscalatorHarness.start({ name: 'rate-limit-job', start: '2026-11-23T10:00:00Z' });
    const out = h.loaded.config.organisations[0]!.mailbox.outbound;
    if (out.type !== 'smtp') throw new Error('the harness sends by SMTP');
    out.rateLimitPerMinute = 1;
    await h.restart();
  });
  afterAll(async () => {
    await ifStarted(h, (x) => x.close());
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') console.log(h.logs.raw.slice(-20).join('\n'));
  });

  it('defers a mail over the limit without counting an attempt, and sends it when the window frees', async () => {
    // Another worker has just used the mailbox's one send this minute.
    const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
    try {
      const other = new MailboxRateLimiter(redis, { prefix: h.prefix, clock: h.clock });
      expect((await other.acquire(INBOX, 1)).allowed).toBe(true);
    } finally {
      redis.disconnect();
    }
    const full = h.clock.now().getTime();

    await h.append(
      rfc822({
        from: `Alex Morgan <${RM}>`,
        to: 'Sam Patel <sam.patel@northshire.gov.uk>',
        cc: INBOX,
        subject: 'LAC review minutes for AB-1234 [escalate]',
        messageId: '<rate-limit-request@sunrise-homes.org.uk>',
        date: h.clock.now(),
        body: 'Hi Sam,\r\n\r\nCould you send the minutes of the review?\r\n\r\nChild: AB-1234\r\n\r\nAlex',
      }),
    );
    const deferred = await waitForRow(h, (r) => r.status === 'pending' && r.notBefore.getTime() > full);
    await h.settle();
    expect(h.sink.messages).toHaveLength(0);
    expect(deferred.attempts).toBe(0);
    expect(deferred.notBefore.toISOString()).toBe(new Date(full + 60_000).toISOString());
    expect(h.logs.lines.some((l) => l.msg === 'mailbox at its send rate limit; mail deferred' && l.outbox === deferred.id)).toBe(true);
    // The same job sleeps (no second job, no failure).
    const delayed = (await h.service.queues.queue('outbox').getDelayed()).filter((j) => (j.data as { outboxId: string }).outboxId === deferred.id);
    expect(delayed.map((j) => j.id)).toEqual([`send-${deferred.id}-a0`]);
    expect(await h.service.queues.queue('outbox').getFailedCount()).toBe(0);

    // Not before the window frees.
    await h.advanceTo(new Date(full + 59_000).toISOString());
    await h.settle();
    expect(h.sink.messages).toHaveLength(0);

    await h.advanceTo(new Date(full + 60_000).toISOString());
    const sent = await h.sink.waitFor((m) => m.envelope.to.includes(RM));
    expect(sent.parsed.subject).toMatch(/^Case opened/);
    const row = await waitForRow(h, (r) => r.id === deferred.id && r.status === 'sent');
    expect(row.attempts).toBe(1);
  });

  it('defers a chaser whose slot falls after 17:00 to the next window opening (Friday 16:59 → Monday 09:00)', async () => {
    const KIM = 'kim.lee@northshire.gov.uk';
    // Opened on Thursday 26 November at 16:59:30: the urgent first rung is due Friday at 16:59:30.
    h.clock.set('2026-11-26T16:59:30Z');
    await h.append(
      rfc822({
        from: `Alex Morgan <${RM}>`,
        to: `Kim Lee <${KIM}>`,
        cc: INBOX,
        subject: 'Care plan action for AB-2345 [escalate]',
        messageId: '<rate-limit-late@sunrise-homes.org.uk>',
        date: h.clock.now(),
        body: 'Child: AB-2345\r\nSafeguarding: yes\r\n',
      }),
    );
    await h.sink.waitFor((m) => m.parsed.subject === 'Case opened: Care plan action for AB-2345 [ESC-2026-0002]');
    await h.settle();
    h.sink.clear();

    // Friday 16:59:30: another worker has just used the minute's one send.
    h.clock.set('2026-11-27T16:59:30Z');
    const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
    try {
      expect((await new MailboxRateLimiter(redis, { prefix: h.prefix, clock: h.clock }).acquire(INBOX, 1)).allowed).toBe(true);
    } finally {
      redis.disconnect();
    }
    await h.promoteDue();
    const chaser = await waitFor(
      async () => {
        const [found] = await h
          .em()
          .execute<{ id: string }[]>(`select id from outbox_mail where kind = 'chaser' and "to" @> ?::jsonb`, [JSON.stringify([KIM])]);
        const r = found ? await h.em().findOne(OutboxMail, { id: found.id }) : null;
        return r?.status === 'pending' && r.notBefore > h.clock.now() ? r : undefined;
      },
      { what: 'the chaser to be deferred' },
    );
    await h.settle();
    // Its slot (17:00:30 or after) is outside the send window: it waits for Monday's opening, no attempt used.
    expect(chaser.notBefore.toISOString()).toBe('2026-11-30T09:00:00.000Z');
    expect(chaser.attempts).toBe(0);

    // The step notice to the RM is not window mail: it goes as soon as the mailbox has room.
    await h.advanceTo('2026-11-27T17:05:00Z');
    await h.sink.waitFor((m) => m.parsed.subject?.startsWith('Sent:') ?? false);
    await h.settle();
    await h.advanceTo('2026-11-28T10:00:00Z');
    await h.settle();
    expect(h.sink.messages.some((m) => m.envelope.to.includes(KIM))).toBe(false);

    await h.advanceTo('2026-11-30T09:00:00Z');
    const sent = await h.sink.waitFor((m) => m.envelope.to.includes(KIM));
    expect(sent.messageId).toBe(chaser.messageId);
    const row = await waitForRow(h, (r) => r.id === chaser.id && r.status === 'sent');
    expect(row.attempts).toBe(1);
  });
});

async function waitForRow(h: EscalatorHarness, pred: (row: { id: string; status: string; attempts: number; notBefore: Date }) => boolean) {
  const deadline = Date.now() + PATIENCE_MS;
  for (;;) {
    const rows = await h.em().find(OutboxMail, {}, { fields: ['id', 'kind', 'status', 'attempts', 'notBefore'] });
    const found = rows.find((r) => pred({ id: r.id, status: r.status, attempts: r.attempts, notBefore: new Date(r.notBefore) }));
    if (found) return { id: found.id, status: found.status, attempts: found.attempts, notBefore: new Date(found.notBefore) };
    if (Date.now() > deadline) throw new Error(`no outbox row matched; rows: ${JSON.stringify(rows.map((r) => [r.kind, r.status, r.attempts, r.notBefore]))}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
