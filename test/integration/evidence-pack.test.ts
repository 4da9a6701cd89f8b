/**
 * The evidence pack of a case walked through three rungs, a promise and a resolution on the real
 * services, produced by `escalator case-history` as an operator runs it. Every message in and out
 * and every event must be in it, in order, and each SHA-256 it states must be the hash of the
 * bytes the database holds (computed here by PostgreSQL itself).
 *
 * Dates: opened Monday 23 November 2026 10:00 (GMT); reg 5 rungs at +2, +3 and +4 weeks fall on
 * 7, 14 and 21 December at 10:00; the Assistant Director promises the minutes by 8 January 2027,
 * which holds the DCS rung (due 4 January); the professional sends them on 6 January.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { CaseEvent } from '../../src/db/entities/index.js';
import { findChromium } from '../../src/reports/pdf.js';
import { CaseMail, captureIo, writeHarnessConfig, type OpenedCase } from '../support/case-mail.js';
import { EscalatorHarness } from '../support/escalator-harness.js';
import { ifStarted } from '../support/if-started.js';

const PROFESSIONAL = 'sam.patel@northshire.gov.uk';
const AD = 'pat.reid@northshire.gov.uk';
const SCRIPT = '<script>alert(1)</script>';

describe('evidence pack', () => {
  let h: EscalatorHarness;
  let mail: CaseMail;
  let c: OpenedCase;
  let dir: string;
  let config: string;

  beforeAll(async () => {
    h = await EscalatorHarness.start({ name: 'evidence', start: '2026-11-23T10:00:00Z' });
    mail = new CaseMail(h);
    dir = mkdtempSync(join(tmpdir(), 'escalator-evidence-'));
    config = writeHarnessConfig(h);
  });
  afterAll(async () => {
    await ifStarted(h, (x) => x.close());
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') console.log(h.logs.raw.slice(-30).join('\n'));
  });

  it('walks a case through three rungs, a promise and a resolution', async () => {
    c = await mail.open({
      professional: `Sam Patel <${PROFESSIONAL}>`,
      subject: `LAC review minutes ${SCRIPT} [escalate]`,
      directives: ['Child: AB-1234', 'Team manager: Jo Bennett <jo.bennett@northshire.gov.uk>', 'Category: LAC review minutes'],
    });
    await h.advanceTo('2026-12-07T10:00:00Z');
    await h.settle();
    h.clock.set('2026-12-07T11:00:00Z');
    await mail.command(c, [`VIEWS: She wants to read them ${SCRIPT}`]);
    await h.advanceTo('2026-12-14T10:00:00Z');
    await h.settle();
    await h.advanceTo('2026-12-21T10:00:00Z');
    await h.settle();
    h.clock.set('2026-12-22T10:00:00Z');
    await mail.reply(c, `Pat Reid <${AD}>`, 'I will make sure the minutes are sent to you by 8 January 2027.', { step: 3 });
    await h.advanceTo('2027-01-06T10:00:00Z');
    await h.settle();
    await mail.reply(c, `Sam Patel <${PROFESSIONAL}>`, 'Please find the minutes attached.', {
      step: 3,
      attachment: { filename: 'minutes-AB-1234.pdf', content: '%PDF-1.4 minutes' },
    });
    // A done reply waits for the RM, who confirms it (issue 14).
    expect((await h.caseByRef(c.ref))!.status).toBe('awaiting-confirmation');
    await mail.command(c, ['RESOLVED']);

    const row = (await h.caseByRef(c.ref))!;
    expect(row.status).toBe('resolved');
    const events = await h.em().find(CaseEvent, { case: c.id }, { orderBy: { id: 'asc' } });
    const types = events.map((e) => e.type);
    expect(types.filter((t) => t === 'step-sent')).toHaveLength(3);
    expect(types).toContain('promise-recorded');
    expect(types).toContain('views-recorded');
    expect(types).toContain('awaiting-confirmation');
    expect(types.slice(-2)).toEqual(['resolved', 'commands-applied']);
  });

  let html: string;

  it('writes a self-contained HTML chronology of every message and event, in order', async () => {
    const run = captureIo(dir);
    expect(await runCli(['--config', config, 'case-history', c.ref, '--format', 'html', '--out', 'pack.html'], run.io)).toBe(0);
    html = readFileSync(join(dir, 'pack.html'), 'utf8');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    // Self-contained: nothing is loaded from anywhere, and no script can run.
    expect(html).not.toMatch(/<script|<link|<img|src=|@import/i);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);

    const inbound = await h
      .em()
      .execute<{ message_id: string; hash: string; received_at: Date }[]>(
        `select message_id, encode(sha256(raw), 'hex') as hash, received_at from message where case_id = ? order by received_at, created_at`,
        [c.id],
      );
    const outbound = await h
      .em()
      .execute<{ message_id: string; hash: string; kind: string }[]>(
        `select message_id, encode(sha256(raw), 'hex') as hash, kind from outbox_mail where case_id = ? order by created_at`,
        [c.id],
      );
    const events = await h.em().execute<{ type: string; actor: string }[]>(`select type, actor from case_event where case_id = ? order by at, id`, [c.id]);
    expect(inbound).toHaveLength(5); // the request, the VIEWS command, the promise, the done reply and the RM's RESOLVED
    expect(outbound.length).toBeGreaterThan(8);

    const entries = [
      ...html.matchAll(
        /<div class="entry (in|out|event)(?: brief)?" data-seq="(\d+)" data-kind="(?:in|out|event)"(?: data-brief="true")?(?: data-message-id="([^"]*)")?(?: data-event="([^"]*)")?>\s*<(?:h3|p class="line"><strong)>\d+\. [^<]*· <time datetime="([^"]+)">/g,
      ),
    ].map((m) => ({
      kind: m[1]!,
      seq: Number(m[2]),
      messageId: m[3]
        ? m[3]
            .replace(/&lt;/g, '<')
            .replace(/&gt;/g, '>')
            .replace(/&#x3D;/g, '=')
        : undefined,
      event: m[4],
      at: m[5]!,
    }));
    // Every message and every event, once each, numbered in order.
    expect(entries).toHaveLength(inbound.length + outbound.length + events.length);
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1));
    // Local times with their offset (never a bare UTC Z): in order as instants.
    expect(entries.every((e) => !e.at.endsWith('Z'))).toBe(true);
    const stamps = entries.map((e) => Date.parse(e.at));
    expect([...stamps].sort((a, b) => a - b)).toEqual(stamps);
    // The request first, then the opening event, then the confirmation it wrote.
    expect(entries[0]).toMatchObject({ kind: 'in', messageId: c.requestId });
    expect(entries[1]).toMatchObject({ kind: 'event', event: 'case-opened' });
    expect(entries[2]).toMatchObject({ kind: 'out' });
    // Events in the order they were recorded; inbound mail in the order it arrived; every outbox row.
    expect(entries.filter((e) => e.kind === 'event').map((e) => e.event)).toEqual(events.map((e) => e.type));
    expect(entries.filter((e) => e.kind === 'in').map((e) => e.messageId)).toEqual(inbound.map((m) => m.message_id));
    expect(
      entries
        .filter((e) => e.kind === 'out')
        .map((e) => e.messageId)
        .sort(),
    ).toEqual(outbound.map((o) => o.message_id).sort());
    // Each step is sent after the one before it, and the resolution is the last thing that happened to the case.
    const eventAt = (type: string) => entries.findIndex((e) => e.event === type);
    expect(eventAt('promise-recorded')).toBeGreaterThan(entries.findIndex((e) => e.messageId === mail.chaserId(c, 3)));
    expect(
      entries
        .filter((e) => e.kind === 'event')
        .slice(-2)
        .map((e) => e.event),
    ).toEqual(['resolved', 'commands-applied']);
  });

  it('states SHA-256 hashes that match the raw messages stored in the database', async () => {
    const stored = await h.em().execute<{ message_id: string; hash: string }[]>(
      `select message_id, encode(sha256(raw), 'hex') as hash from message where case_id = ?
       union all select message_id, encode(sha256(raw), 'hex') from outbox_mail where case_id = ?`,
      [c.id, c.id],
    );
    const listed = new Map(
      [...html.matchAll(/data-message-id="([^"]+)">[\s\S]*?data-sha256="([0-9a-f]{64})"/g)].map((m) => [
        m[1]!
          .replace(/&lt;/g, '<')
          .replace(/&gt;/g, '>')
          .replace(/&#x3D;/g, '='),
        m[2]!,
      ]),
    );
    expect(listed.size).toBe(stored.length);
    for (const m of stored) expect(listed.get(m.message_id), m.message_id).toBe(m.hash);
    expect(html).toContain('every stored message matches its SHA-256');
    expect(html).not.toContain('DOES NOT MATCH');
  });

  it('shows the request, the views, the promise, the attachment, the ladder and the policy, with email text escaped', () => {
    expect(html).toContain(`LAC review minutes &lt;script&gt;alert(1)&lt;/script&gt; [escalate]`);
    expect(html).toContain('She wants to read them &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('I will make sure the minutes are sent to you by 8 January 2027.');
    expect(html).toContain('minutes-AB-1234.pdf');
    expect(html).toContain('Children’s home — challenge to a placing authority (Regulation 5)');
    expect(html).toContain('Regulation 5(c) of the Children’s Homes (England) Regulations 2015');
    expect(html).toContain('Escalation Policy for Children’s Homes (Regulation 5 template)');
    // The first page summarises before the chronology: the request, the steps, the outcome.
    expect(html.indexOf('<h3>The request</h3>')).toBeLessThan(html.indexOf('Chronology</h2>'));
    expect(html.indexOf('<h3>The steps</h3>')).toBeLessThan(html.indexOf('Chronology</h2>'));
    expect(html).toMatch(/<tr><th>Outcome<\/th><td>Resolved on \w{3} \d+ \w{3} 2027, \d\d:\d\d GMT, confirmed by /);
    expect(html).toContain('alex.morgan@sunrise-homes.org.uk');
    expect(html).toContain('Promise recorded · <time datetime="2026-12-22T10:00:00+00:00">Tue 22 Dec 2026, 10:00 GMT</time>');
    expect(html).toContain('Step 3 (Email to the Assistant Director), to Pat Reid (Assistant Director, Northshire County Council), copied to');
  });

  it('prints to PDF with Chromium when it is installed, and says how to get it when it is not', async () => {
    const run = captureIo(dir);
    const code = await runCli(['--config', config, 'case-history', c.ref, '--format', 'pdf', '--out', 'pack.pdf'], run.io);
    if (findChromium(run.io.env).path) {
      expect(code).toBe(0);
      const pdf = readFileSync(join(dir, 'pack.pdf'));
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(pdf.length).toBeGreaterThan(10_000);
      expect(run.out.join('\n')).toContain('pack.pdf');
    } else {
      expect(code).toBe(1);
      const said = run.err.join('\n');
      expect(said).toContain('apt-get install chromium');
      expect(said).toContain('--format html');
    }
  });

  it('refuses an unknown case and an unknown format clearly', async () => {
    const missing = captureIo(dir);
    expect(await runCli(['--config', config, 'case-history', 'ESC-2026-9999'], missing.io)).toBe(1);
    expect(missing.err.join('\n')).toContain('no case ESC-2026-9999');
    const format = captureIo(dir);
    expect(await runCli(['--config', config, 'case-history', c.ref, '--format', 'docx'], format.io)).toBe(1);
    expect(format.err.join('\n')).toContain('--format must be html or pdf');
  });
});
