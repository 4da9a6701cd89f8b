import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Message } from '../../src/db/entities/index.js';
import { EscalatorHarness, INBOX, rfc822 } from '../support/escalator-harness.js';
import { flushPrefix } from '../support/redis.js';
import { waitFor } from '../support/wait.js';
import { ifStarted } from '../support/if-started.js';

const PROFESSIONAL = 'Sam Patel <sam.patel@northshire.gov.uk>';

describe('what opens a case, and what survives a restart', () => {
  let h: EscalatorHarness;

  beforeAll(async () => {
    h = await EscalatorHarness.start({ name: 'gate', start: '2026-11-23T10:00:00Z' });
  });
  afterAll(async () => {
    await ifStarted(h, (x) => x.close());
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') console.log(h.logs.raw.slice(-20).join('\n'));
  });

  async function verdict(messageId: string) {
    return waitFor(
      async () => {
        const m = await h.em().findOne(Message, { messageId });
        return m && m.status !== 'pending' ? m : undefined;
      },
      { what: `a verdict on ${messageId}` },
    );
  }

  it('logs an untagged email that merely copies the inbox, and opens nothing', async () => {
    await h.append(
      rfc822({
        from: 'Alex Morgan <alex.morgan@sunrise-homes.org.uk>',
        to: PROFESSIONAL,
        cc: INBOX,
        subject: 'Placement planning meeting next week',
        messageId: '<untagged-1@sunrise-homes.org.uk>',
        date: h.clock.now(),
        body: 'Hi Sam, just confirming Tuesday.',
      }),
    );
    const m = await verdict('<untagged-1@sunrise-homes.org.uk>');
    expect(m.route).toBe('ignored');
    expect(m.reason).toBe('not tagged [escalate] and not part of a case');
    expect(m.case).toBeNull();
    const logged = h.logs.lines.find((l) => l.message === m.id);
    expect(logged).toMatchObject({ route: 'ignored', reason: 'not tagged [escalate] and not part of a case' });
    expect(await h.em().execute('select 1 from escalation_case')).toHaveLength(0);
  });

  it('quarantines a tagged email from outside the organisation’s staff, with a reason', async () => {
    await h.append(
      rfc822({
        from: 'Someone <someone@example.com>',
        to: PROFESSIONAL,
        cc: INBOX,
        subject: 'Please chase this [escalate]',
        messageId: '<outsider-1@example.com>',
        date: h.clock.now(),
        body: 'Child: AB-9999',
      }),
    );
    const m = await verdict('<outsider-1@example.com>');
    expect(m.route).toBe('quarantined');
    expect(m.reason).toBe('sender is not on the organisation’s staff list');
    const logged = h.logs.lines.find((l) => l.message === m.id);
    expect(logged).toMatchObject({ level: 40, route: 'quarantined', reason: 'sender is not on the organisation’s staff list' });
    expect(await h.em().execute('select 1 from escalation_case')).toHaveLength(0);
    await h.settle();
    expect(h.sink.messages).toHaveLength(0);
  });

  it('loses nothing and sends nothing twice across restarts, even with the queue emptied', async () => {
    await h.append(
      rfc822({
        from: 'Alex Morgan <alex.morgan@sunrise-homes.org.uk>',
        to: PROFESSIONAL,
        cc: INBOX,
        subject: 'Care plan action for AB-1234 #escalate',
        messageId: '<restart-1@sunrise-homes.org.uk>',
        date: h.clock.now(),
        body: 'Hi Sam, the health assessment referral is still outstanding.\r\n\r\nChild: AB-1234',
      }),
    );
    await h.sink.waitFor((m) => m.parsed.subject?.startsWith('Case opened') ?? false);
    await h.settle();

    // Restart, and lose every queued job on the way (Redis keeps nothing on these machines).
    await h.service.stop();
    await flushPrefix(h.prefix);
    await h.boot();
    const row = (await h.caseByRef('ESC-2026-0001'))!;
    // The reconciler rebuilt the delayed job from Postgres.
    expect((await h.delayedAdvanceJobs(row.id)).map((j) => j.id)).toEqual([`advance-${row.id}-${Date.parse('2026-12-07T10:00:00Z')}`]);

    await h.advanceTo('2026-12-07T10:00:00Z');
    await h.sink.waitFor((m) => m.envelope.to.includes('sam.patel@northshire.gov.uk'));
    await h.settle();
    await h.restart();
    await h.promoteDue();
    await h.settle();

    const ids = h.sink.messages.map((m) => m.messageId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(h.sink.messages.map((m) => m.parsed.subject?.split(':')[0]).sort()).toEqual(['Case opened', 'Reminder 1', 'Sent']);
  });
});
