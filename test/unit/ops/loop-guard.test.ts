import { describe, expect, it } from 'vitest';
import { loopVerdict, mustSee, overBudget } from '../../../src/workflows/loop-guard.js';

const NOW = new Date('2026-12-01T10:00:00Z');
const minutesAgo = (...m: number[]) => m.map((x) => new Date(NOW.getTime() - x * 60_000));
const history = (entries: Record<string, Date[]>) => new Map(Object.entries(entries));
const SAM = 'sam@la.gov.uk';

describe('loop guard budgets (10 in 10 minutes, 25 in an hour)', () => {
  it('lets the 10th mail in ten minutes go and counts the 11th over the budget', () => {
    expect(overBudget(minutesAgo(1, 2, 3, 4, 5, 6, 7, 8, 9), NOW).over).toBe(false);
    const v = overBudget(minutesAgo(0.5, 1, 2, 3, 4, 5, 6, 7, 8, 9), NOW);
    expect(v.over).toBe(true);
    // Room again when the oldest of the ten leaves the window.
    expect(v.until).toEqual(new Date(NOW.getTime() + 60_000));
  });

  it('does not count mail older than the window', () => {
    expect(overBudget(minutesAgo(11, 12, 13, 14, 15, 16, 17, 18, 19, 20), NOW).over).toBe(false);
  });

  it('counts the 26th in an hour over the budget even when the last ten minutes were quiet', () => {
    const spread = Array.from({ length: 25 }, (_, i) => minutesAgo(11 + i * 2)[0]!);
    expect(overBudget(spread, NOW).over).toBe(true);
    expect(overBudget(spread.slice(1), NOW).over).toBe(false);
  });

  it('takes its own limits (one notice about strangers an hour)', () => {
    const hour = [{ windowMs: 3600_000, max: 1 }];
    expect(overBudget([], NOW, hour).over).toBe(false);
    expect(overBudget(minutesAgo(59), NOW, hour)).toEqual({ over: true, until: new Date(NOW.getTime() + 60_000) });
  });
});

describe('the ladder’s own mail, per recipient per case', () => {
  it('defers a chaser until the oldest counted mail leaves the window', () => {
    const ten = minutesAgo(9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    const verdict = loopVerdict('chaser', ['jo@la.gov.uk', SAM], history({ [SAM]: ten }), NOW);
    expect(verdict).toEqual({ action: 'defer', until: new Date(NOW.getTime() + 60_000), recipients: [SAM] });
  });

  it('does not count mail to someone else', () => {
    expect(loopVerdict('step-notice', [SAM], history({ 'jo@la.gov.uk': minutesAgo(1, 1, 1, 1, 1, 1, 1, 1, 1, 1) }), NOW)).toEqual({ action: 'send' });
  });
});

describe('what the RM must see', () => {
  it('a resolution, a bounce and a confirmation request always; a reply when its cause says so; anything about safeguarding', () => {
    for (const kind of ['resolved-notice', 'bounce-notice', 'confirm-request', 'delivery-failure'] as const) expect(mustSee({ kind })).toBe(true);
    expect(mustSee({ kind: 'reply-notice' })).toBe(false);
    expect(mustSee({ kind: 'reply-notice', cause: { sender: SAM, messageKey: 'k', mustSee: true } })).toBe(true);
    expect(mustSee({ kind: 'command-ack', cause: { sender: SAM, messageKey: 'k', safeguarding: true } })).toBe(true);
    expect(mustSee({ kind: 'command-ack', cause: { sender: SAM, messageKey: 'k' } })).toBe(false);
  });
});
