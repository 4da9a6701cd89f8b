/**
 * Issue 15.1 on the real services: the dates the confirmation prints, `cases show`, `simulate` and
 * what the SMTP sink receives agree. Two cases open on Friday 11 December 2026 at 15:00, the
 * issue's example: reg 5, whose first two reminders fall on Christmas Day and New Year's Day (the
 * send window moves them to Tuesday 29 December and Monday 4 January, and nothing after them may
 * move), and a practice disagreement on working days. The clock is walked to each printed moment:
 * nothing goes a minute before it, the chaser goes at it, with the deadline the confirmation gave,
 * and approval drafts are approved the moment they arrive.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OutboxMail } from '../../src/db/entities/index.js';
import { CaseMail, isChaserSubject, operatorCli, writeHarnessConfig, type OpenedCase } from '../support/case-mail.js';
import { EscalatorHarness, INBOX, RM, rfc822 } from '../support/escalator-harness.js';
import type { CapturedMessage } from '../support/smtp-sink.js';
import { waitFor } from '../support/wait.js';
import { ifStarted } from '../support/if-started.js';

const SAM = 'sam.patel@northshire.gov.uk';
const JO = 'jo.bennett@northshire.gov.uk';
const PRACTITIONER = 'chris.lee@sunrise-homes.org.uk';
const MANAGERS = {
  'team-manager': 'taylor.reed@sunrise-homes.org.uk',
  'service-manager': 'sam.okafor@sunrise-homes.org.uk',
  'head-of-service': 'jess.hart@sunrise-homes.org.uk',
  'deputy-director': 'dee.price@sunrise-homes.org.uk',
};
const OPENED = '2026-12-11T15:00:00Z';

interface PrintedRow {
  n: number;
  title: string;
  when: string;
  deadline?: string;
  approval: boolean;
}

/** The timetable as the confirmation prints it. */
function printed(confirmation: CapturedMessage): PrintedRow[] {
  const lines = (confirmation.parsed.text ?? '').split('\n');
  const rows: PrintedRow[] = [];
  lines.forEach((line, i) => {
    const m = /^(\d+)\. (.+) — (.+)$/.exec(line);
    if (!m) return;
    const deadline = /reply asked for by the end of ([^;(]+?)(?: \(|;|$)/.exec(lines[i + 1] ?? '');
    const approval = (lines[i + 1] ?? '').includes('(your approval first)');
    rows.push({ n: Number(m[1]), title: m[2]!, when: m[3]!, approval, ...(deadline ? { deadline: deadline[1] } : {}) });
  });
  return rows;
}

describe('the dates the RM is told are the dates kept (confirmation, cases show, simulate, the sink)', () => {
  let h: EscalatorHarness;
  let mail: CaseMail;
  let cli: ReturnType<typeof operatorCli>;
  let reg5: OpenedCase;
  let practice: { ref: string; subject: string };
  const confirmations = new Map<string, CapturedMessage>();

  beforeAll(async () => {
    h = await EscalatorHarness.start({ name: 'timetable_kept', start: OPENED });
    mail = new CaseMail(h);
    cli = operatorCli(h, writeHarnessConfig(h));
    reg5 = await mail.open({
      professional: `Sam Patel <${SAM}>`,
      subject: 'LAC review minutes [escalate]',
      directives: ['Child: AB-5001', `Team manager: Jo Bennett <${JO}>`],
    });
    confirmations.set(reg5.ref, await h.sink.waitFor((m) => m.parsed.subject === `Case opened: LAC review minutes [${reg5.ref}]`));
    const request = '<practice-kept@sunrise-homes.org.uk>';
    await h.append(
      rfc822({
        from: `Chris Lee <${PRACTITIONER}>`,
        to: `Taylor Reed <${MANAGERS['team-manager']}>`,
        cc: INBOX,
        subject: 'Disagreement about contact [escalate]',
        messageId: request,
        date: h.clock.now(),
        body: [
          'Ladder: practice-disagreement',
          'Child: AB-5002',
          `Service manager: Sam Okafor <${MANAGERS['service-manager']}>`,
          `Head of service: Jess Hart <${MANAGERS['head-of-service']}>`,
          `Deputy director: Dee Price <${MANAGERS['deputy-director']}>`,
          '',
          'I would like a meeting about the case direction, please.',
        ].join('\r\n'),
      }),
    );
    const c = await h.sink.waitFor((m) => m.parsed.subject?.startsWith('Case opened: Disagreement about contact [') ?? false);
    practice = { ref: /\[(ESC-\d{4}-\d{4})\]/.exec(c.parsed.subject!)![1]!, subject: 'Disagreement about contact' };
    confirmations.set(practice.ref, c);
    await h.settle();
  });
  afterAll(async () => {
    await ifStarted(h, (x) => x.close());
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') console.log(h.logs.raw.slice(-25).join('\n'));
  });

  it('the confirmation, cases show and simulate give the same moments and deadlines', async () => {
    for (const [ref, ladder] of [
      [reg5.ref, 'childrens-home-reg5'],
      [practice.ref, 'practice-disagreement'],
    ] as const) {
      const rows = printed(confirmations.get(ref)!);
      const shown = JSON.parse((await cli('cases', 'show', ref, '--json')).out) as {
        timetable: { n: number; at: string | null; atText: string; deadlineText?: string }[];
      };
      const sim = JSON.parse((await cli('simulate', '--ladder', ladder, '--start', OPENED, '--json')).out) as {
        steps: { dueAt: string | null; repeat?: boolean }[];
      };
      const simSteps = sim.steps.filter((s) => !s.repeat);
      expect(rows.map((r) => r.n)).toEqual(shown.timetable.map((r) => r.n));
      expect(simSteps).toHaveLength(rows.length);
      rows.forEach((row, i) => {
        const show = shown.timetable[i]!;
        expect(row.when.startsWith(show.atText.replace(/ \(only in .*\)$/, '')), `${ref} step ${row.n}`).toBe(true);
        expect(show.deadlineText).toBe(row.deadline ? `the end of ${row.deadline}` : undefined);
        expect(simSteps[i]!.dueAt === null ? null : new Date(simSteps[i]!.dueAt).toISOString()).toBe(show.at);
      });
    }
    // The example: the reminders the send window moved off Christmas and New Year's Day move nothing after them.
    expect(printed(confirmations.get(reg5.ref)!).map((r) => r.when)).toEqual([
      'Tuesday 29 December 2026 at 09:00',
      'Monday 4 January 2027 at 09:00',
      'Friday 8 January 2027 at 15:00',
      'Friday 22 January 2027 at 15:00',
      'Friday 5 February 2027 at 15:00',
      'Friday 5 February 2027 at 15:00 (only in child protection cases)',
    ]);
  });

  it('walked through every printed moment, each chaser reaches the sink at it, not a minute before, stating the printed deadline', async () => {
    const cases = [
      { ref: reg5.ref, subject: `LAC review minutes [${reg5.ref}]`, rows: printed(confirmations.get(reg5.ref)!) },
      { ref: practice.ref, subject: `${practice.subject} [${practice.ref}]`, rows: printed(confirmations.get(practice.ref)!) },
    ];
    const moments = new Map<string, { ref: string; subject: string; row: PrintedRow }[]>();
    const shown = new Map<string, { n: number; at: string | null }[]>();
    for (const c of cases) {
      shown.set(c.ref, (JSON.parse((await cli('cases', 'show', c.ref, '--json')).out) as { timetable: { n: number; at: string | null }[] }).timetable);
      for (const row of c.rows) {
        const at = shown.get(c.ref)!.find((r) => r.n === row.n)!.at;
        if (!at || row.when.includes('only in')) continue;
        moments.set(at, [...(moments.get(at) ?? []), { ref: c.ref, subject: c.subject, row }]);
      }
    }
    let approvals = 0;
    for (const at of [...moments.keys()].sort()) {
      h.sink.clear();
      await h.advanceTo(new Date(new Date(at).getTime() - 60_000).toISOString());
      await h.settle();
      expect(
        h.sink.messages.filter((m) => cases.some((c) => isChaserSubject(m.parsed.subject, c.subject))),
        `nothing before ${at}`,
      ).toEqual([]);
      await h.advanceTo(at);
      for (const { ref, subject, row } of moments.get(at)!) {
        if (row.approval) {
          const request = await h.sink.waitFor(
            (m) => (m.parsed.subject ?? '').startsWith(`Approval needed: ${row.title}`) && (m.parsed.subject ?? '').endsWith(`[${ref}]`),
          );
          // The RM approves the moment the draft arrives: the letter goes at once, as drafted.
          const id = `<approve-${++approvals}@sunrise-homes.org.uk>`;
          await mail.deliver(
            rfc822({
              from: `Alex Morgan <${RM}>`,
              to: INBOX,
              subject: `RE: ${request.parsed.subject}`,
              messageId: id,
              date: h.clock.now(),
              inReplyTo: request.messageId,
              references: request.messageId,
              body: 'APPROVE\r\n\r\nAlex',
            }),
            id,
          );
        }
        const chaser = await h.sink.waitFor((m) => isChaserSubject(m.parsed.subject, subject));
        // Recorded as sent just after the server's acceptance.
        const sent = await waitFor(
          async () => {
            const row = await h.em().findOne(OutboxMail, { messageId: chaser.messageId });
            return row?.status === 'sent' ? row : undefined;
          },
          { what: `the chaser of ${ref} step ${row.n} to be recorded as sent` },
        );
        // Drafted and sent at the printed moment (an approval-gated letter is approved the same minute).
        expect(sent.createdAt.toISOString(), `${ref} step ${row.n}`).toBe(at);
        expect(sent.sentAt?.toISOString(), `${ref} step ${row.n}`).toBe(at);
        const text = chaser.parsed.text ?? '';
        if (row.deadline) expect(text).toContain(`by the end of ${row.deadline}`);
        else expect(text).not.toMatch(/Please (have this completed|reply) by/);
      }
      await h.settle();
    }
    expect(approvals).toBe(2);
    // Nothing moved: the timetable at the end is the one the confirmation printed.
    for (const c of cases) {
      const after = (JSON.parse((await cli('cases', 'show', c.ref, '--json')).out) as { timetable: { n: number; at: string | null; status: string }[] })
        .timetable;
      for (const row of shown.get(c.ref)!) {
        const now = after.find((r) => r.n === row.n)!;
        if (now.status === 'sent') expect(now.at, `${c.ref} step ${row.n}`).toBe(row.at);
      }
    }
  });
});
