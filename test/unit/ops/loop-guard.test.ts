import { describe, expect, it } from 'vitest';
import { loopVerdict } from '../../../src/workflows/loop-guard.js';

const NOW = new Date('2026-12-01T10:00:00Z');
const minutesAgo = (...m: number[]) => m.map((x) => new Date(NOW.getTime() - x * 60_000));
const history = (entries: Record<string, Date[]>) => new Map(Object.entries(entries));
const SAM = 'sam@la.gov.uk';

describe('loop guard (10 in 10 minutes, 25 in an hour, per recipient per case)', () => {
  it('lets the 10th mail in ten minutes go and holds back the 11th', () => {
    const nine = minutesAgo(1, 2, 3, 4, 5, 6, 7, 8, 9);
    expect(loopVerdict('command-ack', [SAM], history({ [SAM]: nine }), NOW)).toEqual({ action: 'send' });
    const ten = minutesAgo(0.5, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    expect(loopVerdict('command-ack', [SAM], history({ [SAM]: ten }), NOW)).toEqual({ action: 'drop', recipients: [SAM] });
  });

  it('does not count mail older than the window, nor mail to someone else', () => {
    const old = minutesAgo(11, 12, 13, 14, 15, 16, 17, 18, 19, 20);
    expect(loopVerdict('command-ack', [SAM], history({ [SAM]: old, 'jo@la.gov.uk': minutesAgo(1, 1, 1, 1, 1, 1, 1, 1, 1, 1) }), NOW)).toEqual({
      action: 'send',
    });
  });

  it('holds back the 26th in an hour even when the last ten minutes were quiet', () => {
    const spread = Array.from({ length: 25 }, (_, i) => minutesAgo(11 + i * 2)[0]!);
    expect(loopVerdict('command-error', [SAM], history({ [SAM]: spread }), NOW)).toEqual({ action: 'drop', recipients: [SAM] });
    expect(loopVerdict('command-error', [SAM], history({ [SAM]: spread.slice(1) }), NOW)).toEqual({ action: 'send' });
  });

  it('defers a chaser (the ladder’s own mail) until the oldest counted mail leaves the window', () => {
    const ten = minutesAgo(9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    const verdict = loopVerdict('chaser', ['jo@la.gov.uk', SAM], history({ [SAM]: ten }), NOW);
    expect(verdict).toEqual({ action: 'defer', until: new Date(NOW.getTime() + 60_000), recipients: [SAM] });
  });

  it('is the same for every recipient of a mail: one over the limit holds back the mail', () => {
    const ten = minutesAgo(1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
    expect(loopVerdict('reply-notice', ['a@x.uk', 'b@x.uk'], history({ 'b@x.uk': ten }), NOW)).toMatchObject({ action: 'drop', recipients: ['b@x.uk'] });
  });
});
