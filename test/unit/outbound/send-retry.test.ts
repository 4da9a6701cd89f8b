/**
 * When a mail not sent now may be tried again, and who a partly refused mail goes to again: the
 * pure rules behind the send job (the integration tests drive them through the real SMTP sink).
 */
import { describe, expect, it } from 'vitest';
import { WorkCalendar } from '../../../src/domain/calendar/work-calendar.js';
import { mayGoAt, retryDelayMs } from '../../../src/workflows/send/decide-send.js';
import { planResend, splitRefusals } from '../../../src/workflows/outbox-resend.js';

const calendar = (nation: 'england-and-wales' | 'scotland') =>
  new WorkCalendar({ nation, timezone: 'Europe/London', window: { start: '09:00', end: '17:00' } });
const ew = calendar('england-and-wales');
const at = (iso: string) => new Date(iso);

describe('mayGoAt: retries and deferrals of mail that waits for the send window', () => {
  const windowed = { waitsForWindow: true };
  const now = { waitsForWindow: false };

  it('inside the window the retry goes when it is due', () => {
    expect(mayGoAt(windowed, ew, at('2026-12-18T16:59:00Z'))).toEqual(at('2026-12-18T16:59:00Z'));
  });

  it('after 17:00 on a Friday it waits for 09:00 on Monday', () => {
    // The 451 at 16:59 (the second attempt): the next retry, 2 minutes on, would be 17:01.
    const due = new Date(at('2026-12-18T16:59:00Z').getTime() + retryDelayMs(2));
    expect(due).toEqual(at('2026-12-18T17:01:00Z'));
    expect(mayGoAt(windowed, ew, due)).toEqual(at('2026-12-21T09:00:00Z'));
  });

  it('in British Summer Time the window is local time', () => {
    expect(mayGoAt(windowed, ew, at('2026-06-05T16:30:00Z'))).toEqual(at('2026-06-08T08:00:00Z'));
  });

  it('a bank holiday of the organisation’s nation is not a working day (St Andrew’s Day in Scotland)', () => {
    expect(mayGoAt(windowed, ew, at('2026-11-27T17:30:00Z'))).toEqual(at('2026-11-30T09:00:00Z'));
    expect(mayGoAt(windowed, calendar('scotland'), at('2026-11-27T17:30:00Z'))).toEqual(at('2026-12-01T09:00:00Z'));
  });

  it('mail that goes at once (notices to the RM) is retried when it is due, day or night', () => {
    expect(mayGoAt(now, ew, at('2026-12-18T23:00:00Z'))).toEqual(at('2026-12-18T23:00:00Z'));
  });
});

describe('refused recipients', () => {
  it('only a 5xx refusal is a bounce; a 4xx (or a refusal without a code) is tried again', () => {
    const { bounced, deferred } = splitRefusals([
      { address: 'a@x.example', code: 550 },
      { address: 'b@x.example', code: 450 },
      { address: 'c@x.example', code: 452 },
      { address: 'd@x.example' },
    ]);
    expect(bounced.map((r) => r.address)).toEqual(['a@x.example']);
    expect(deferred.map((r) => r.address)).toEqual(['b@x.example', 'c@x.example', 'd@x.example']);
  });

  it('the follow-up goes to the refused recipients only, keeping whether each was in To or Cc', () => {
    const row = {
      id: 'p1',
      envelopeTo: ['Sam@X.example', 'jo@x.example', 'rm@home.example'],
      to: ['Sam@X.example'],
      cc: ['jo@x.example', 'rm@home.example'],
      attempts: 3,
    };
    const next = at('2026-12-21T09:00:00Z');
    const resend = planResend(
      row,
      [
        { address: 'sam@x.example', code: 450 },
        { address: 'rm@home.example', code: 421 },
      ],
      next,
    )!;
    expect(resend.envelopeTo).toEqual(['Sam@X.example', 'rm@home.example']);
    expect(resend.to).toEqual(['Sam@X.example']);
    expect(resend.cc).toEqual(['rm@home.example']);
    expect(resend.attempts).toBe(3);
    expect(resend.notBefore).toEqual(next);
    expect(resend.dedupeKey).toBe('resend:p1');
    expect(planResend(row, [{ address: 'stranger@y.example', code: 450 }], next)).toBeUndefined();
  });
});
