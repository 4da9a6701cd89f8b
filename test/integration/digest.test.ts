/**
 * The weekly digest on the real services: cases in every state are made by real mail (requests,
 * the RM's commands, recipients' replies, a refused address) with the clock driven by hand; the
 * digest is written by the weekly-digest job, sent by the send-mail job and captured by the SMTP
 * sink. Dates: Monday 16 November 2026 is in ISO week 47; the digest under test is made on
 * Monday 14 December 2026 at 08:00 (week 51, GMT), so "last week" is 7–13 December.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ParsedMail } from 'mailparser';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OutboxMail } from '../../src/db/entities/index.js';
import { runCli } from '../../src/cli/program.js';
import { BOM, parseCsv } from '../../src/reports/csv.js';
import { spreadsheetRows, spreadsheetTable } from '../../src/reports/spreadsheet.js';
import { sendWeeklyDigest } from '../../src/workflows/digest-sender.js';
import { digestRepeat, nextDigestRuns } from '../../src/workflows/digest-schedule.js';
import { loadCaseFacts } from '../../src/workflows/report-queries.js';
import { CaseMail, captureIo, writeHarnessConfig, type OpenedCase } from '../support/case-mail.js';
import { EscalatorHarness, RM } from '../support/escalator-harness.js';
import type { CapturedMessage } from '../support/smtp-sink.js';
import { waitFor } from '../support/wait.js';
import { ifStarted } from '../support/if-started.js';

const ORG = 'sunrise-homes';
const NORTH = (who: string) => `${who}@northshire.gov.uk`;
const TM = 'Team manager: Jo Bennett <jo.bennett@northshire.gov.uk>';

function isDigest(m: CapturedMessage): boolean {
  return m.parsed.subject?.startsWith('Weekly escalations digest') ?? false;
}

/** The data-ref values inside one section of the digest's HTML. */
function section(html: string, name: string): string[] {
  const m = new RegExp(`<(ul|table|div) data-section="${name}"[^>]*>([\\s\\S]*?)</\\1>`).exec(html);
  if (!m) return [];
  return [...m[2]!.matchAll(/data-ref="([^"]+)"/g)].map((x) => x[1]!);
}

function csvOf(parsed: ParsedMail): Buffer {
  const att = parsed.attachments.find((a) => a.filename?.endsWith('.csv'));
  if (!att) throw new Error('the digest has no CSV attachment');
  return att.content;
}

describe('weekly digest', () => {
  let h: EscalatorHarness;
  let mail: CaseMail;
  const c: Record<string, OpenedCase> = {};

  beforeAll(async () => {
    h = await EscalatorHarness.start({ name: 'digest', start: '2026-11-16T08:00:00Z', org: { digest: { enabled: true, day: 'monday', time: '08:00' } } });
    mail = new CaseMail(h);
  });
  afterAll(async () => {
    await ifStarted(h, (x) => x.close());
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') console.log(h.logs.raw.slice(-30).join('\n'));
  });

  it('registers a job scheduler for Monday 08:00 in the organisation’s timezone', async () => {
    const scheduler = await h.service.queues.queue('maintenance').getJobScheduler(`weekly-digest-${ORG}`);
    expect(scheduler).toMatchObject({ pattern: '0 8 * * 1', tz: 'Europe/London', template: { data: { orgId: ORG } } });
    // BullMQ schedules from the wall clock; its next run is the next Monday 08:00 London time.
    const repeat = digestRepeat(h.loaded.config.organisations[0]!);
    const expected = nextDigestRuns(repeat, new Date(Date.now() - 60_000))[0]!.getTime();
    expect([expected, nextDigestRuns(repeat, new Date(expected))[0]!.getTime()]).toContain(scheduler!.next);
  });

  it('sends a short “nothing open” digest when nothing is open', async () => {
    await h.service.queues.add('weekly-digest', { orgId: ORG });
    const digest = await h.sink.waitFor(isDigest);
    expect(digest.envelope.to).toEqual([RM]);
    expect(digest.parsed.subject).toBe('Weekly escalations digest, Sunrise Children’s Homes: nothing open (week commencing Monday 16 November 2026)');
    expect(digest.parsed.text).toContain('Nothing is open');
    expect(digest.parsed.html).toContain('id="nothing-open"');
    const rows = parseCsv(csvOf(digest.parsed));
    expect(rows).toHaveLength(1);
    expect(rows[0]![0]).toBe('Reference');
    await h.settle();
  });

  it('builds cases in every state through real mail', async () => {
    h.sink.clear();
    await h.advanceTo('2026-11-23T10:00:00Z');
    const open = async (key: string, who: string, child: string, extra: string[] = [TM]) => {
      c[key] = await mail.open({ professional: who, directives: [`Child: ${child}`, ...extra] });
    };
    await open('approval', NORTH('pat.one'), 'AB-1001');
    await open('missing', 'sam.two@eastshire.gov.uk', 'AB-1002', []);
    await open('views', NORTH('kim.three'), 'AB-1003');
    await open('bounced', NORTH('lee.four'), 'AB-1004');
    c.confirm = await mail.open({
      professional: NORTH('rob.five'),
      subject: 'Panel escalation form [escalate]',
      directives: [
        'Ladder: fostering-panel',
        'Child: AB-1005',
        'Category: Adherence to timescales',
        `Panel adviser: Pam Adviser <${NORTH('pam.adviser')}>`,
        'ADM: Ada Decision <ada.adm@sunrise-homes.org.uk>',
        'Panel chair: Cy Chair <cy.chair@sunrise-homes.org.uk>',
        `Senior manager: Sue Senior <${NORTH('sue.senior')}>`,
      ],
    });
    await open('top', NORTH('ann.seven'), 'AB-1007');
    await open('resolvedLastWeek', NORTH('bo.nine'), 'AB-1009');
    await open('resolvedEarlier', NORTH('cal.ten'), 'AB-1010');
    await open('closed', NORTH('dee.eleven'), 'AB-1011');
    await open('paused', NORTH('eve.twelve'), 'AB-1001');
    expect(Object.values(c).map((x) => x.ref)).toEqual(Array.from({ length: 10 }, (_, i) => `ESC-2026-${String(i + 1).padStart(4, '0')}`));

    h.clock.set('2026-11-23T10:30:00Z');
    await mail.command(c.approval!, ['ESCALATE', 'ESCALATE', 'ESCALATE', 'VIEWS: Wants to know when', 'ESCALATE']);
    await mail.command(c.missing!, ['ESCALATE', 'VIEWS: Would like a copy']);
    await mail.command(c.views!, ['ESCALATE']);
    h.sink.rejectRecipient(NORTH('lee.four'));
    await mail.command(c.bounced!, ['ESCALATE', 'VIEWS: Cross about it']);
    await waitFor(async () => (await h.caseByRef(c.bounced!.ref))!.state.participants.some((p) => p.email === NORTH('lee.four') && p.undeliverable), {
      what: 'the refused address to be marked undeliverable',
    });
    await h.settle();
    h.sink.heal();
    await mail.command(c.top!, ['ESCALATE', 'ESCALATE', 'ESCALATE', 'ESCALATE', 'APPROVE', 'ESCALATE', 'APPROVE', 'ESCALATE', 'VIEWS: Fed up']);
    await mail.command(c.closed!, ['CLOSE']);
    await mail.command(c.paused!, ['PAUSE until 11 January 2027']);

    await h.advanceTo('2026-11-24T10:00:00Z');
    await h.settle();

    await h.advanceTo('2026-12-01T10:00:00Z');
    c.soon = await mail.open({ professional: NORTH('fay.six'), directives: ['Child: AB-1006', TM] });
    await h.advanceTo('2026-12-02T10:00:00Z');
    await mail.reply(c.resolvedEarlier!, `Cal Ten <${NORTH('cal.ten')}>`, 'Please find the minutes attached.');
    // A done reply waits for the RM's confirmation (issue 14): the RM confirms these at once.
    await mail.command(c.resolvedEarlier!, ['RESOLVED']);
    // Rung 1 of the cases still open from 23 November (and the top case's fortnightly repeat).
    await h.advanceTo('2026-12-07T10:00:00Z');
    await h.settle();
    await h.advanceTo('2026-12-07T10:30:00Z');
    await h.settle();
    await h.advanceTo('2026-12-08T10:00:00Z');
    c.openedAndResolved = await mail.open({ professional: NORTH('gus.thirteen'), directives: ['Child: AB-1013', TM] });
    await mail.command(c.top!, ['VIEWS: Still fed up']);
    await h.advanceTo('2026-12-09T10:00:00Z');
    c.openedLastWeek = await mail.open({ professional: NORTH('hal.eight'), directives: ['Child: AB-1008', TM, 'Category: =cmd|calc'] });
    await h.advanceTo('2026-12-10T10:00:00Z');
    await mail.reply(c.resolvedLastWeek!, `Bo Nine <${NORTH('bo.nine')}>`, 'Please find the minutes attached.', { step: 1 });
    await mail.command(c.resolvedLastWeek!, ['RESOLVED']);
    await h.advanceTo('2026-12-11T10:00:00Z');
    await mail.reply(c.openedAndResolved, `Gus Thirteen <${NORTH('gus.thirteen')}>`, 'Please find the minutes attached.');
    await mail.command(c.openedAndResolved, ['RESOLVED']);
    // Still waiting for confirmation on Monday: the two-working-day hold and its reminder run to Thursday 17 December.
    await mail.reply(c.confirm, `Rob Five <${NORTH('rob.five')}>`, 'Our response to the panel is attached. This is now done.');
    await h.advanceTo('2026-12-14T08:00:00Z');
    await h.settle();

    const status = async (x: OpenedCase) => (await h.caseByRef(x.ref))!.status;
    expect(await status(c.approval!)).toBe('open');
    expect(await status(c.confirm)).toBe('awaiting-confirmation');
    expect(await status(c.resolvedLastWeek!)).toBe('resolved');
    expect(await status(c.resolvedEarlier!)).toBe('resolved');
    expect(await status(c.openedAndResolved)).toBe('resolved');
    expect(await status(c.closed!)).toBe('closed');
    expect(await status(c.paused!)).toBe('paused');
    const bounced = (await h.caseByRef(c.bounced!.ref))!.state.participants.find((p) => p.email === NORTH('lee.four'));
    expect(bounced?.undeliverable).toBeTruthy();
  });

  let digest: CapturedMessage;

  it('puts exactly the right cases in each section', async () => {
    h.sink.clear();
    await h.service.queues.add('weekly-digest', { orgId: ORG });
    digest = await h.sink.waitFor(isDigest);
    await h.settle();
    const html = digest.parsed.html as string;
    const text = digest.parsed.text ?? '';
    const ref = (k: string) => c[k]!.ref;
    expect(digest.envelope.to).toEqual([RM]);
    expect(digest.parsed.subject).toBe(
      'Weekly escalations digest, Sunrise Children’s Homes: 9 open, 5 need your action (week commencing Monday 14 December 2026)',
    );
    expect(section(html, 'approvals')).toEqual([ref('approval')]);
    expect(section(html, 'missing-contacts')).toEqual([ref('missing')]);
    expect(section(html, 'views')).toEqual([ref('views')]);
    expect(section(html, 'bounced')).toEqual([ref('bounced')]);
    expect(section(html, 'confirmations')).toEqual([ref('confirm')]);
    expect(section(html, 'escalating')).toEqual([ref('missing'), ref('views'), ref('bounced'), ref('soon')]);
    expect(section(html, 'at-top')).toEqual([ref('top')]);
    expect(section(html, 'opened')).toEqual([ref('openedAndResolved'), ref('openedLastWeek')]);
    expect(section(html, 'resolved')).toEqual([ref('resolvedLastWeek'), ref('openedAndResolved')]);
    // Every open case: eastshire.gov.uk (not in the directory) first, then Northshire by child reference.
    expect(section(html, 'open')).toEqual([
      ref('missing'),
      ref('approval'),
      ref('paused'),
      ref('views'),
      ref('bounced'),
      ref('confirm'),
      ref('soon'),
      ref('top'),
      ref('openedLastWeek'),
    ]);
    expect(html).toContain('Northshire County Council (8)');

    expect(text).toContain(`${ref('resolvedLastWeek')} (child AB-1009), resolved Thursday 10 December 2026: 13 working days to resolution, 1 chaser sent`);
    expect(text).toContain(`${ref('openedAndResolved')} (child AB-1013), resolved Friday 11 December 2026: 3 working days to resolution, 0 chasers sent`);
    expect(text).toContain(
      `Monday 14 December 2026 at 10:00: ${ref('missing')} (child AB-1002), 2. Reminder to the team manager, to team manager (no address yet)`,
    );
    expect(text).toContain(
      `Tuesday 15 December 2026 at 10:00: ${ref('soon')} (child AB-1006), 1. Reminder to the professional, to the professional (${NORTH('fay.six')})`,
    );
    expect(text).toContain(`${ref('bounced')} (child AB-1004): ${NORTH('lee.four')} (the professional) bounced`);
  });

  it('attaches every case as a CSV that Excel opens and that parses back to the same rows', async () => {
    const att = digest.parsed.attachments.find((a) => a.filename?.endsWith('.csv'))!;
    expect(att.filename).toBe(`escalations-${ORG}-2026-W51.csv`);
    expect(att.contentType).toBe('text/csv');
    const bytes = att.content;
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.toString('utf8').startsWith(BOM)).toBe(true);
    expect(bytes.toString('utf8')).toContain('\r\n');
    const rows = parseCsv(bytes);
    const now = h.clock.now();
    const { facts } = await loadCaseFacts(h.em(), h.service.orgs, { org: ORG }, now, h.service.logger);
    expect(rows).toEqual(
      spreadsheetTable(spreadsheetRows(facts, () => h.service.orgs.get(ORG).calendar, now)).map((r) => r.map((v) => (/^[=+\-@]/.test(v) ? `'${v}` : v))),
    );
    expect(rows).toHaveLength(1 + 13);
    const header = rows[0]!;
    for (const column of [
      'Reference',
      'Organisation',
      'Child reference',
      'Category',
      'Ladder',
      'Opened',
      'Professional',
      'Local authority',
      'Current rung',
      'Next action date',
      'Status',
      'Resolved date',
      'Working days open',
      'Chasers sent',
      'Highest rung reached',
    ]) {
      expect(header).toContain(column);
    }
    const row = (k: string) => Object.fromEntries(header.map((col, i) => [col, rows.find((r) => r[0] === c[k]!.ref)![i]!]));
    expect(row('resolvedLastWeek')).toMatchObject({
      Status: 'resolved',
      Opened: '2026-11-23',
      'Resolved date': '2026-12-10',
      'Working days open': '13',
      'Chasers sent': '1',
      'Highest rung reached': '1. Reminder to the professional',
      'Local authority': 'Northshire County Council',
    });
    expect(row('approval')).toMatchObject({
      Status: 'open',
      'Chasers sent': '3',
      'Current rung': '4. Email to the Director of Children’s Services',
      'Highest rung reached': '3. Email to the Assistant Director',
    });
    expect(row('missing')).toMatchObject({
      'Local authority': 'eastshire.gov.uk',
      'Next action date': '2026-12-14 10:00',
      Professional: 'sam.two@eastshire.gov.uk',
    });
    expect(row('confirm')).toMatchObject({
      Category: 'Adherence to timescales',
      'Concern type': 'Procedural',
      Ladder: 'Fostering panel — escalation of a concern to a manager',
    });
    // A category that Excel would run as a formula is neutralised.
    expect(row('openedLastWeek').Category).toBe("'=cmd|calc");
  });

  it('sends the same week’s digest once, however often it is asked for', async () => {
    const again = await sendWeeklyDigest(h.service.deps, ORG);
    expect(again).toMatchObject({ status: 'already-sent', week: '2026-W51' });
    await h.service.queues.add('weekly-digest', { orgId: ORG });
    await h.settle();
    h.clock.set('2026-12-20T21:00:00Z');
    expect((await sendWeeklyDigest(h.service.deps, ORG)).status).toBe('already-sent');
    await h.settle();
    await new Promise((r) => setTimeout(r, 300));
    expect(h.sink.messages.filter(isDigest)).toHaveLength(1);
    const rows = await h.em().find(OutboxMail, { kind: 'weekly-digest' }, { orderBy: { dedupeKey: 'asc' } });
    expect(rows.map((r) => [r.dedupeKey, r.status, r.case])).toEqual([
      [`digest:${ORG}:2026-W47`, 'sent', null],
      [`digest:${ORG}:2026-W51`, 'sent', null],
    ]);
    expect(rows[1]!.messageId).toBe(digest.messageId);
  });

  it('escalator digest --now sends through the CLI, once per week', async () => {
    const config = writeHarnessConfig(h);
    const first = captureIo(h.loaded.baseDir);
    expect(await runCli(['--config', config, 'digest'], first.io)).toBe(1);
    expect(first.err.join('\n')).toContain('add --now');
    const run = captureIo(h.loaded.baseDir);
    expect(await runCli(['--config', config, 'digest', '--org', ORG, '--now'], run.io)).toBe(0);
    // The CLI runs on the wall clock: whatever week that is, it is written once.
    expect(run.out.join('\n')).toMatch(new RegExp(`${ORG}: the digest for \\d{4}-W\\d\\d (is written and queued|was already written)`));
    const second = captureIo(h.loaded.baseDir);
    expect(await runCli(['--config', config, 'digest', '--org', ORG, '--now'], second.io)).toBe(0);
    expect(second.out.join('\n')).toMatch(/was already written; it is not sent twice/);
    await waitFor(async () => (await h.em().count(OutboxMail, { kind: 'weekly-digest', status: 'sent' })) >= 2, { what: 'digests sent' });
  });

  it('escalator export and report themes read the same cases', async () => {
    const config = writeHarnessConfig(h);
    const dir = mkdtempSync(join(tmpdir(), 'escalator-export-'));
    const exp = captureIo(dir);
    expect(
      await runCli(['--config', config, 'export', '--format', 'csv', '--org', ORG, '--from', '2026-12-01', '--to', '2026-12-09', '--out', 'cases.csv'], exp.io),
    ).toBe(0);
    const bytes = readFileSync(join(dir, 'cases.csv'));
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parseCsv(bytes);
    // Opened 1, 8 and 9 December: the range is of opening dates, both ends included.
    expect(rows.slice(1).map((r) => r[0])).toEqual([c.soon!.ref, c.openedAndResolved!.ref, c.openedLastWeek!.ref]);
    expect(rows[0]).toEqual(parseCsv(csvOf(digest.parsed))[0]);
    const bad = captureIo(dir);
    expect(await runCli(['--config', config, 'export', '--format', 'xlsx'], bad.io)).toBe(1);
    expect(bad.err.join('\n')).toContain('--format must be csv');

    const csv = captureIo(dir);
    expect(await runCli(['--config', config, 'report', 'themes', '--quarter', '2026Q4', '--format', 'csv'], csv.io)).toBe(0);
    const themes = parseCsv(csv.out.join(''));
    const value = (section: string, label: string) => themes.find((r) => r[0] === section && r[1] === label)?.[2];
    expect(value('Opened in quarter', 'Cases')).toBe('13');
    expect(value('By concern (panel form)', 'Procedural')).toBe('1');
    expect(value('By local authority', 'Northshire County Council')).toBe('12');
    expect(value('By local authority', 'eastshire.gov.uk')).toBe('1');
    // Resolved in the quarter after 7 (23 Nov → 2 Dec), 13 and 3 working days.
    expect(value('Resolved in quarter', 'Cases')).toBe('3');
    expect(value('Resolved in quarter', 'Median working days to resolution')).toBe('7');
    expect(value('Resolved in quarter', '90th percentile working days to resolution')).toBe('13');
    expect(value('Approvals', 'Given')).toBe('2');
    expect(value('Approvals', 'Skipped')).toBe('0');
    expect(value('Approvals', 'Waiting')).toBe('1');

    const html = captureIo(dir);
    expect(await runCli(['--config', config, 'report', 'themes', '--quarter', '2026Q4', '--out', 'themes.html'], html.io)).toBe(0);
    const page = readFileSync(join(dir, 'themes.html'), 'utf8');
    expect(page).toContain('Escalation themes — Quarter 4 2026');
    expect(page).toContain('&#x3D;cmd|calc');
    const wrong = captureIo(dir);
    expect(await runCli(['--config', config, 'report', 'themes', '--quarter', '2026Q5'], wrong.io)).toBe(1);
    expect(wrong.err.join('\n')).toContain('is not a quarter');
  });

  it('names a case it cannot read and sends the digest of the others', async () => {
    // A case on a ladder since taken out of the config: its facts cannot be derived.
    await h
      .em()
      .getConnection()
      .execute(
        `insert into escalation_case (id, ref, organisation_id, ladder_id, variant, status, token, subject, opened_at, state)
         select gen_random_uuid(), 'ESC-2026-0999', organisation_id, 'retired-ladder', variant, 'open', 'tok-retired', subject, opened_at, state
           from escalation_case where ref = ?`,
        [c.soon!.ref],
      );
    const now = h.clock.now();
    const loaded = await loadCaseFacts(h.em(), h.service.orgs, { org: ORG }, now, h.service.logger);
    expect(loaded.unreadable.map((u) => u.ref)).toEqual(['ESC-2026-0999']);
    expect(loaded.facts.map((f) => f.ref)).not.toContain('ESC-2026-0999');
    const warning = h.logs.lines.find((l) => l.msg === 'case left out of a report: it could not be read');
    expect(warning).toMatchObject({ ref: 'ESC-2026-0999', level: 40 });
    expect(JSON.stringify(warning)).not.toContain('state');

    h.clock.set('2026-12-28T08:00:00Z');
    expect(await sendWeeklyDigest(h.service.deps, ORG)).toMatchObject({ status: 'queued', week: '2026-W53' });
    await h.settle();
    const next = await h.sink.waitFor((m) => isDigest(m) && (m.parsed.text ?? '').includes('ESC-2026-0999'));
    expect(next.parsed.text).toContain('Left out of this digest because it could not be read (the service log says why): ESC-2026-0999.');
    expect(next.parsed.html).toContain('id="unreadable"');
  });
});
