/**
 * Issue 15.4 (reg 5), partner agencies, on the real services: the policy's "Partner agencies might
 * include health and education services, …". A request to a named nurse at an NHS trust whose
 * directory entry gives its own roles (named nurse → designated nurse → head of service): the
 * confirmation names the trust and its rungs, Reminder 1 goes to the nurse copying the designated
 * nurse, and at 3 weeks the designated nurse is written to in words that name the trust and their
 * role, never a council, an Assistant Director, a DCS or a care plan; at 4 weeks its head of service.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CaseMail, operatorCli, writeHarnessConfig, type OpenedCase } from '../support/case-mail.js';
import { EscalatorHarness, RM } from '../support/escalator-harness.js';
import type { CapturedMessage } from '../support/smtp-sink.js';
import { ifStarted } from '../support/if-started.js';

const NURSE = 'sam.patel@northshire-nhs.uk';
const DESIGNATED = 'dana.price@northshire-nhs.uk';
const HEAD = 'lee.moss@northshire-nhs.uk';
const TRUST = 'Northshire NHS Foundation Trust';

const addresses = (m: CapturedMessage, field: 'to' | 'cc') =>
  ((m.parsed[field] as { value: { address: string }[] } | undefined)?.value ?? []).map((a) => a.address).sort();

/** Words that assume the recipient is a council's: none may reach the trust. */
function notCouncil(text: string, what: string): void {
  for (const words of [
    'local authority',
    'the placing authority',
    'Assistant Director',
    'Director of Children',
    'care plan',
    'team manager',
    'allocated worker',
  ]) {
    expect(text, `${what}: ${words}`).not.toContain(words);
  }
}

describe('reg 5 with a partner agency’s own roles, through the real services', () => {
  let h: EscalatorHarness;
  let c: OpenedCase;
  let cli: ReturnType<typeof operatorCli>;

  beforeAll(async () => {
    h = await EscalatorHarness.start({ name: 'reg5_partner', start: '2026-11-23T10:00:00Z', directory: 'test/fixtures/directory-partner.yaml' });
    cli = operatorCli(h, writeHarnessConfig(h));
  });
  afterAll(async () => {
    await ifStarted(h, (x) => x.close());
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') console.log(h.logs.raw.slice(-25).join('\n'));
  });

  const isChaser = (subject: string | undefined) => /^(Reminder \d+|Escalation to [^:]+): /.test(subject ?? '') && (subject ?? '').endsWith(`[${c.ref}]`);

  /** Moves the clock to `iso`, runs what fell due and returns the chaser that went to `to`. */
  async function chaserAt(iso: string, to: string): Promise<CapturedMessage> {
    h.sink.clear();
    await h.advanceTo(iso);
    const m = await h.sink.waitFor((x) => addresses(x, 'to').includes(to) && isChaser(x.parsed.subject));
    await h.settle();
    return m;
  }

  it('the confirmation names the trust and its own rungs on the policy’s dates', async () => {
    c = await new CaseMail(h).open({
      professional: `Sam Patel <${NURSE}>`,
      subject: 'Initial health assessment for AB-7001 [escalate]',
      directives: ['Child: AB-7001'],
    });
    const confirmation = await h.sink.waitFor((m) => m.parsed.subject?.startsWith('Case opened') ?? false);
    await h.settle();
    const text = confirmation.parsed.text ?? '';
    expect(text).toContain(`Partner agency: ${TRUST} (health service); above the named nurse, the steps go to the designated nurse and the head of service`);
    expect(text).toContain('Reminder to the named nurse');
    expect(text).toContain('Reminder to the designated nurse');
    expect(text).toContain('Email to the head of service');
    expect(text).toContain('Further email to the head of service');
    expect(text).toContain('then every 2 weeks to the head of service until it is done');
    expect(text).toContain(`Designated nurse: Dana Price <${DESIGNATED}>`);
    expect(text).toContain(`Head of service: Lee Moss <${HEAD}>`);
    // The policy's dates: 2, 3, 4 and 6 weeks from Monday 23 November 2026.
    for (const day of ['Monday 7 December 2026', 'Monday 14 December 2026', 'Monday 21 December 2026', 'Monday 4 January 2027']) expect(text).toContain(day);
    expect(text).not.toContain('Assistant Director');
    expect(text).not.toContain('Director of Children');
  });

  it('2 weeks: Reminder 1 to the named nurse, copying the designated nurse', async () => {
    const m = await chaserAt('2026-12-07T10:00:00Z', NURSE);
    expect(m.parsed.subject).toMatch(/^Reminder 1: /);
    expect(addresses(m, 'to')).toEqual([NURSE]);
    expect(addresses(m, 'cc')).toEqual([DESIGNATED]);
    const text = m.parsed.text ?? '';
    expect(text).toContain(`We have copied in the designated nurse at ${TRUST} so that they are aware.`);
    expect(text).toContain('write to the designated nurse on Monday 14 December 2026');
    notCouncil(text, 'reminder 1 text');
    notCouncil(String(m.parsed.html), 'reminder 1 html');
  });

  it('3 weeks: the designated nurse is written to as the designated nurse at the trust', async () => {
    const m = await chaserAt('2026-12-14T10:00:00Z', DESIGNATED);
    expect(addresses(m, 'to')).toEqual([DESIGNATED]);
    expect(addresses(m, 'cc')).toEqual([NURSE]);
    const text = m.parsed.text ?? '';
    expect(text).toMatch(/^Dear Dana Price,/m);
    expect(text).toContain(`We are writing to you as the designated nurse at ${TRUST} about a request we first made to Sam Patel (named nurse)`);
    expect(text).toContain('write to the head of service on Monday 21 December 2026');
    notCouncil(text, 'designated nurse text');
    notCouncil(String(m.parsed.html), 'designated nurse html');
  });

  it('4 weeks: the trust’s head of service, someone new, with what this is about', async () => {
    const m = await chaserAt('2026-12-21T10:00:00Z', HEAD);
    expect(m.parsed.subject).toMatch(/^Escalation to the head of service: /);
    expect(addresses(m, 'cc')).toEqual([DESIGNATED, NURSE].sort());
    const text = m.parsed.text ?? '';
    expect(text).toContain(`We are writing to you as the head of service at ${TRUST}`);
    expect(text).toContain('Reminder to the designated nurse');
    notCouncil(text, 'head of service text');
  });

  it('the RM names a new designated nurse by the trust’s own title, and the case holds them', async () => {
    h.sink.clear();
    await new CaseMail(h).command(c, ['Designated nurse: Nia Bell <nia.bell@northshire-nhs.uk>']);
    const ack = await h.sink.waitFor((m) => (m.parsed.text ?? '').includes('Designated nurse: Nia Bell <nia.bell@northshire-nhs.uk>'));
    await h.settle();
    expect(ack.envelope.to).toContain(RM);
    const shown = await cli('cases', 'show', c.ref, '--json');
    const view = JSON.parse(shown.out) as { timetable: { rung: string; cc: { emails: string[] }[] }[] };
    // The 6 week step copies whoever holds the trust's first role above the nurse: now Nia Bell.
    expect(view.timetable.find((r) => r.rung === 'dcs')?.cc.flatMap((x) => x.emails)).toContain('nia.bell@northshire-nhs.uk');
  });

  it('cases show names the trust and its rungs', async () => {
    const shown = await cli('cases', 'show', c.ref);
    expect(shown.code).toBe(0);
    expect(shown.out).toContain(`partner agency: ${TRUST} (health service): named nurse → designated nurse → head of service`);
    expect(shown.out).toContain('Reminder to the designated nurse');
    expect(shown.out).toContain('Further email to the head of service');
    expect(shown.out).not.toContain('Assistant Director');
  });
});
