/**
 * Issue 15.4, reg 5, through real mail: `Due:` before the policy's dates draws every step in
 * (the confirmation says so and the first reminder keeps to it), and `IRO: yes` copies the IRO
 * on the first reminder.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isChaserSubject } from '../support/case-mail.js';
import { EscalatorHarness, INBOX, RM, rfc822 } from '../support/escalator-harness.js';
import type { CapturedMessage } from '../support/smtp-sink.js';
import { ifStarted } from '../support/if-started.js';

const SAM = 'sam.patel@northshire.gov.uk';
const JO = 'jo.bennett@northshire.gov.uk';
const IRO = 'riley.shaw@northshire.gov.uk';
const TAGGED = 'Family time: risk assessment for AB-1234 [ESC-2026-0001]';

const addresses = (m: CapturedMessage, field: 'to' | 'cc') => {
  const v = m.parsed[field] as { value: { address: string }[] } | undefined;
  return (v?.value ?? []).map((a) => a.address).sort();
};

describe('reg 5: a family time on Friday 11 December, the IRO informed', () => {
  let h: EscalatorHarness;

  beforeAll(async () => {
    h = await EscalatorHarness.start({ name: 'reg5-gaps', start: '2026-11-23T10:00:00Z' });
  });
  afterAll(async () => {
    await ifStarted(h, (x) => x.close());
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') console.log(h.logs.raw.slice(-25).join('\n'));
  });

  it('the confirmation gives every step before the date', async () => {
    await h.append(
      rfc822({
        from: `Alex Morgan <${RM}>`,
        to: `Sam Patel <${SAM}>`,
        cc: INBOX,
        subject: 'Family time: risk assessment for AB-1234 [escalate]',
        messageId: '<reg5-gaps-request@sunrise-homes.org.uk>',
        date: h.clock.now(),
        body: `Hi Sam,\r\n\r\nThe risk assessment for the family time has not been done.\r\n\r\nChild: AB-1234\r\nTeam manager: Jo Bennett <${JO}>\r\nDue: 11 December 2026\r\nIRO: yes\r\n`,
      }),
    );
    const confirmation = await h.sink.waitFor((m) => m.parsed.subject?.startsWith('Case opened') ?? false);
    await h.settle();
    const text = confirmation.parsed.text!;
    expect(text).toContain('It is needed by Friday 11 December 2026, so every step below is taken before then');
    expect(text).toContain('Your request asked for this: by the end of Thursday 26 November 2026');
    expect(text).not.toMatch(/within 2 weeks/);
    for (const day of [
      'Friday 27 November 2026',
      'Monday 30 November 2026',
      'Wednesday 2 December 2026',
      'Monday 7 December 2026',
      'Thursday 10 December 2026',
    ]) {
      expect(text).toContain(day);
    }
    const row = (await h.caseByRef('ESC-2026-0001'))!;
    expect(row.nextActionAt?.toISOString()).toBe('2026-11-27T09:00:00.000Z');
  });

  it('Friday 27 November: the first reminder, copying the team manager and the IRO, by the end of that day', async () => {
    h.sink.clear();
    await h.advanceTo('2026-11-27T09:00:00Z');
    const m = await h.sink.waitFor((x) => addresses(x, 'to').includes(SAM) && isChaserSubject(x.parsed.subject, TAGGED));
    await h.settle();
    expect(addresses(m, 'cc')).toEqual([IRO, JO].sort());
    expect(m.parsed.text).toContain('as it is needed by Friday 11 December 2026');
    expect(m.parsed.text).not.toMatch(/within 2 weeks/);
    // The team manager is written to on Monday 30 November: the deadline is the Friday.
    expect(m.parsed.text).toContain('Please have this completed by the end of Friday 27 November 2026.');
    expect(m.parsed.text).toContain('write to the team manager on Monday 30 November 2026');
  });
});
