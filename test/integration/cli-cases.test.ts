// The operator's CLI contract on the real services: `migrate`, `cases list`, `cases show` (text and
// the JSON fields scripts rely on) and `cases advance`, run as an operator would, on the harness's
// clock (shared through the test-only clock file).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { CaseMail, captureIo, operatorCli, writeHarnessConfig, type OpenedCase } from '../support/case-mail.js';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { adminPgUrl } from '../support/database.js';
import { EscalatorHarness, INBOX, RM } from '../support/escalator-harness.js';
import { ifStarted } from '../support/if-started.js';

const SAM = 'sam.patel@northshire.gov.uk';
const JO = 'jo.bennett@northshire.gov.uk';

describe('escalator cases and migrate', () => {
  let h: EscalatorHarness;
  let mail: CaseMail;
  let config: string;
  let c: OpenedCase;
  let cli: ReturnType<typeof operatorCli>;

  beforeAll(async () => {
    h = await EscalatorHarness.start({ name: 'cli_cases', start: '2026-11-23T10:00:00Z' });
    mail = new CaseMail(h);
    config = writeHarnessConfig(h);
    cli = operatorCli(h, config);
    c = await mail.open({ professional: `Sam Patel <${SAM}>`, directives: ['Child: AB-4001', `Team manager: Jo Bennett <${JO}>`] });
    await h.settle();
  });
  afterAll(async () => {
    await ifStarted(h, (x) => x.close());
  });

  it('cases list shows the case with its ladder, rung and next action: a header row and local times in text, UTC ISO in JSON', async () => {
    const text = await cli('cases', 'list');
    expect(text.code).toBe(0);
    const [header, row] = text.out.split('\n');
    expect(header).toMatch(/^REFERENCE\s+STATUS\s+LADDER\s+NEXT STEP\s+NEXT ACTION\s+SUBJECT$/);
    expect(row).toContain(c.ref);
    expect(row).toContain('childrens-home-reg5');
    expect(row).toContain('professional-reminder');
    // Two calendar weeks after Monday 23 November 10:00, in the home's own time.
    expect(row).toContain('Mon 7 Dec 2026 10:00 GMT');
    expect(text.out).not.toContain('.000Z');

    const json = JSON.parse((await cli('cases', 'list', '--json')).out) as Record<string, unknown>[];
    expect(json).toEqual([
      expect.objectContaining({
        ref: c.ref,
        status: 'open',
        ladder: 'childrens-home-reg5',
        rung: 'professional-reminder',
        nextActionAt: '2026-12-07T10:00:00.000Z',
      }),
    ]);
    expect(JSON.parse((await cli('cases', 'list', '--status', 'resolved', '--json')).out)).toEqual([]);
  });

  it('an unknown --status is a usage error (exit 2) naming the statuses there are', async () => {
    const r = await cli('cases', 'list', '--status', 'solved');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--status "solved" is not a status');
    expect(r.err).toContain('awaiting-confirmation');
  });

  it('cases show --json carries the fields scripts rely on', async () => {
    const r = await cli('cases', 'show', c.ref, '--json');
    expect(r.code).toBe(0);
    const view = JSON.parse(r.out) as {
      ref: string;
      status: string;
      ladder: string;
      rung: string;
      nextActionAt: string;
      childRef: string;
      participants: { role: string; email: string }[];
      events: { at: string; type: string; actor: string }[];
      messages: { direction: string; messageId: string; from: string; to: string[]; cc: string[]; subject: string }[];
    };
    expect(view).toMatchObject({
      ref: c.ref,
      status: 'open',
      ladder: 'childrens-home-reg5',
      rung: 'professional-reminder',
      nextActionAt: '2026-12-07T10:00:00.000Z',
      childRef: 'AB-4001',
    });
    expect(view.participants).toEqual(
      expect.arrayContaining([expect.objectContaining({ role: 'professional', email: SAM }), expect.objectContaining({ role: 'team-manager', email: JO })]),
    );
    expect(view.events[0]).toMatchObject({ type: 'case-opened', actor: RM });
    for (const e of view.events) expect(Number.isNaN(Date.parse(e.at))).toBe(false);
    const request = view.messages.find((m) => m.direction === 'in')!;
    expect(request).toMatchObject({ messageId: c.requestId, from: RM, to: [SAM], cc: [INBOX], subject: c.subject });
    const confirmation = view.messages.find((m) => m.direction === 'out')!;
    expect(confirmation).toMatchObject({ from: INBOX, to: [RM] });
    expect(confirmation.subject).toContain(`[${c.ref}]`);
  });

  it('cases show prints participants, the dated timetable, events and messages for a person', async () => {
    const r = await cli('cases', 'show', c.ref);
    expect(r.code).toBe(0);
    for (const heading of ['Participants:', 'Timetable:', 'Events:', 'Messages:']) expect(r.out).toContain(heading);
    expect(r.out).toContain(`Jo Bennett <${JO}>`);
    expect(r.out).toMatch(/1\. Reminder to the professional — .*7 December 2026/);
  });

  it('an operator action needs a reason: without one nothing changes (exit 2)', async () => {
    const r = await cli('cases', 'advance', c.ref);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--reason');
    const view = JSON.parse((await cli('cases', 'show', c.ref, '--json')).out) as { rung: string };
    expect(view.rung).toBe('professional-reminder');
  });

  it('cases advance sends the next chaser now, threaded onto the request; who and why are recorded and the RM is told', async () => {
    const reason = 'The RM asked by phone; the review is a week away';
    const r = await cli('cases', 'advance', c.ref, '--by', 'Dana Clarke', '--reason', reason);
    expect(r.code, r.err).toBe(0);
    // The CLI's clock is the file clock (wall time plus the offset), a moment ahead of the
    // harness's: move the harness on a minute so the mail it wrote is due.
    await h.advanceTo(new Date(h.clock.now().getTime() + 60_000).toISOString());
    const chaser = await h.sink.waitFor((m) => m.messageId === mail.chaserId(c, 1));
    expect(chaser.envelope.to).toEqual(expect.arrayContaining([SAM, JO]));
    expect(chaser.parsed.inReplyTo).toBe(c.requestId);
    const told = await h.sink.waitFor((m) => m.envelope.to.includes(RM) && (m.parsed.subject ?? '').startsWith('Changed by Dana Clarke'));
    expect(told.parsed.subject).toContain(`[${c.ref}]`);
    expect(told.parsed.text).toContain(`Dana Clarke made this change to case ${c.ref}`);
    expect(told.parsed.text).toContain(`The reason given: ${reason}`);
    await h.settle();
    const after = JSON.parse((await cli('cases', 'show', c.ref, '--json')).out) as {
      rung: string;
      events: { type: string; actor: string; detail: Record<string, unknown> }[];
    };
    expect(after.rung).toBe('team-manager-reminder');
    const applied = after.events.find((e) => e.type === 'commands-applied' && e.actor.startsWith('cli:'));
    expect(applied?.detail).toMatchObject({ by: 'Dana Clarke', reason });
  });

  it('cases pause reads dates as a mailed PAUSE does (UK forms); a date it cannot read is a usage error', async () => {
    const bad = await cli('cases', 'pause', c.ref, '--until', 'the twelfth of never', '--reason', 'Waiting for the review');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('is not a date I can read');
    const r = await cli('cases', 'pause', c.ref, '--until', '04/01/2027', '--reason', 'The social worker is on leave until the new year');
    expect(r.code, r.err).toBe(0);
    const view = JSON.parse((await cli('cases', 'show', c.ref, '--json')).out) as { status: string };
    expect(view.status).toBe('paused');
    const resumed = await cli('cases', 'resume', c.ref, '--reason', 'Back early');
    expect(resumed.code, resumed.err).toBe(0);
  });

  it('a closed case shows no next step in the list', async () => {
    const r = await cli('cases', 'close', c.ref, '--reason', 'Placement ended; the home no longer needs the minutes');
    expect(r.code, r.err).toBe(0);
    const text = await cli('cases', 'list');
    const row = text.out.split('\n').find((l) => l.startsWith(c.ref))!;
    expect(row).toMatch(new RegExp(`^${c.ref}\\s+closed\\s+childrens-home-reg5\\s+–\\s+–\\s`));
    const json = JSON.parse((await cli('cases', 'list', '--json')).out) as Record<string, unknown>[];
    expect(json[0]).toMatchObject({ status: 'closed', rung: null, nextActionAt: null });
  });

  it('an unknown reference is a clear error and changes nothing', async () => {
    for (const args of [
      ['cases', 'show', 'ESC-1999-0001'],
      ['cases', 'advance', 'ESC-1999-0001', '--reason', 'test'],
    ]) {
      const r = await cli(...args);
      expect(r.code).toBe(1);
      expect(r.err).toContain('ESC-1999-0001');
    }
  });

  describe('migrate', () => {
    // A database that does not exist yet: migrate must create it.
    const name = `escalator_test_cli_migrate_${process.pid}_${randomBytes(4).toString('hex')}`;
    const url = new URL(adminPgUrl());
    url.pathname = `/${name}`;
    afterAll(async () => {
      const admin = new pg.Client({ connectionString: adminPgUrl() });
      await admin.connect();
      try {
        await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
        await admin.query(`DROP DATABASE IF EXISTS "${name}"`);
      } finally {
        await admin.end();
      }
    });

    it('creates a missing database, applies every migration, and is a no-op the second time', async () => {
      const own = parse(readFileSync(config, 'utf8')) as { database: { url: string } };
      own.database = { ...own.database, url: url.toString() };
      const file = join(mkdtempSync(join(tmpdir(), 'cli-migrate-')), 'escalator.yaml');
      writeFileSync(file, stringify(own));
      const run = async () => {
        const io = captureIo(h.loaded.baseDir);
        const code = await runCli(['--config', file, 'migrate'], io.io);
        return { code, out: io.out.join('\n'), err: io.err.join('\n') };
      };
      const first = await run();
      expect(first.code, first.err).toBe(0);
      expect(first.out).toMatch(/^database created; applied Migration\d+/);
      const second = await run();
      expect(second).toMatchObject({ code: 0, out: 'nothing to apply' });
    });
  });
});
