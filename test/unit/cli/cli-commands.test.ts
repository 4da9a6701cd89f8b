// The CLI commands that only read files: simulate on an organisation's calendar, ladders check on a
// config that cannot be read, and mail inspect over several files. No database, no Redis.
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/program.js';
import { captureIo } from '../../support/capture-io.js';
import { REPO_ROOT } from '../../support/repo-root.js';

/** The local defaults with changes to the first organisation, as a config file of its own. */
function configWith(org: Record<string, unknown>, top: Record<string, unknown> = {}): string {
  const base = parse(readFileSync(resolve(REPO_ROOT, 'config/escalator.local.yaml'), 'utf8')) as Record<string, unknown> & { organisations: object[] };
  const config = {
    ...base,
    laddersDir: resolve(REPO_ROOT, 'config/ladders'),
    directory: resolve(REPO_ROOT, 'config/directory.yaml'),
    ...top,
    organisations: [{ ...base.organisations[0], ...org }],
  };
  const path = join(mkdtempSync(join(tmpdir(), 'escalator-cli-')), 'escalator.yaml');
  writeFileSync(path, stringify(config));
  return path;
}

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIo();
  const code = await runCli(args, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

describe('escalator simulate --org', () => {
  it('runs the timetable on the organisation’s own calendar: its nation, timezone and send window', async () => {
    const config = configWith({ nation: 'scotland', sendWindow: { start: '10:00', end: '16:00' } });
    // Opened at 09:30 on Monday 30 November 2026 (St Andrew's Day, a bank holiday in Scotland only).
    const run = await cli('--config', config, 'simulate', '--org', 'sunrise', '--ladder', 'foster-carer-concern', '--start', '2026-11-30T09:30', '--json');
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    const sim = JSON.parse(run.out) as { nation: string; clockStart: string; steps: { dueAt: string | null }[] };
    expect(sim.nation).toBe('scotland');
    // The clock starts at the next opening of this organisation's window: 10:00 on Tuesday 1 December.
    expect(sim.clockStart).toBe('2026-12-01T10:00:00+00:00');
    for (const s of sim.steps) if (s.dueAt) expect(s.dueAt.slice(11, 16) >= '10:00' && s.dueAt.slice(11, 16) < '16:00', s.dueAt).toBe(true);

    // The same request on the default calendar (England and Wales, 09:00–17:00) starts at once.
    const plain = JSON.parse((await cli('--config', config, 'simulate', '--ladder', 'foster-carer-concern', '--start', '2026-11-30T09:30', '--json')).out) as {
      clockStart: string;
    };
    expect(plain.clockStart).toBe('2026-11-30T09:30:00+00:00');
  });

  it('refuses --nation or --timezone beside --org, and names the organisations when the one given is not there', async () => {
    const config = configWith({});
    const both = await cli(
      '--config',
      config,
      'simulate',
      '--org',
      'sunrise',
      '--nation',
      'scotland',
      '--ladder',
      'foster-carer-concern',
      '--start',
      '2026-11-30T09:30',
    );
    expect(both.code).toBe(1);
    expect(both.err).toContain('leave out --nation, --country and --timezone');
    const unknown = await cli('--config', config, 'simulate', '--org', 'nowhere', '--ladder', 'foster-carer-concern', '--start', '2026-11-30T09:30');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('no organisation "nowhere"');
    expect(unknown.err).toContain('it has: sunrise');
  });
});

describe('escalator simulate --agency (issue 15.4, reg 5 partner agencies)', () => {
  it('names the example NHS trust and its rungs on the policy’s dates; an unknown agency is named', async () => {
    const config = configWith({});
    const run = await cli('--config', config, 'simulate', '--ladder', 'childrens-home-reg5', '--start', '2026-11-23T10:00', '--agency', 'northshire-nhs');
    expect(run.err).toBe('');
    expect(run.out).toContain('Partner agency: Northshire NHS Foundation Trust (example) (health service): named nurse → designated nurse → head of service');
    expect(run.out).toMatch(/Monday 14 December 2026 at 10:00 +Reminder to the designated nurse/);
    expect(run.out).toMatch(/Monday 4 January 2027 at 10:00 +Further email to the head of service \[approval\]/);
    expect(run.out).toContain('to: designated nurse; cc: named nurse');
    expect(run.out).not.toContain('Assistant Director');
    const unknown = await cli('--config', config, 'simulate', '--ladder', 'childrens-home-reg5', '--start', '2026-11-23T10:00', '--agency', 'nowhere');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('--agency: no authority "nowhere"');
  });
});

describe('escalator ladders check with a config that cannot be read', () => {
  it('says what is wrong with the config instead of checking ./config/ladders', async () => {
    const broken = configWith({ nation: 'atlantis' });
    const run = await cli('--config', broken, 'ladders', 'check');
    expect(run.code).toBe(1);
    expect(run.out).toBe('');
    expect(run.err).toContain('organisations[0].nation');
    expect(run.err).toContain('--dir');
    // Named explicitly, the folder is checked without the config.
    const withDir = await cli('--config', broken, 'ladders', 'check', '--dir', resolve(REPO_ROOT, 'config/ladders'));
    expect(withDir.code).toBe(0);
    expect(withDir.out).toMatch(/^\d+ ladders OK/);
  });

  it('simulate says the same rather than reading another folder', async () => {
    const run = await cli(
      '--config',
      configWith({}, { laddersDir: '${NO_SUCH_VARIABLE_FOR_THIS_TEST}' }),
      'simulate',
      '--ladder',
      'foster-carer-concern',
      '--start',
      '2026-11-30T09:30',
    );
    expect(run.code).toBe(1);
    expect(run.err).toContain('NO_SUCH_VARIABLE_FOR_THIS_TEST');
  });
});

describe('escalator mail inspect with several files', () => {
  const dir = resolve(REPO_ROOT, 'test/fixtures/mail');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.eml'))
    .sort()
    .slice(0, 3)
    .map((f) => join(dir, f));

  it('--json prints one JSON object per line, each naming its file', async () => {
    const run = await cli('--config', configWith({}), 'mail', 'inspect', ...files, '--json', '--received', '2026-12-01T10:00:00Z');
    expect(run.code).toBe(0);
    const lines = run.out.trimEnd().split('\n');
    expect(lines).toHaveLength(files.length);
    const reports = lines.map((l) => JSON.parse(l) as { file: string; messageId: string });
    expect(reports.map((r) => r.file)).toEqual(files);
    for (const r of reports) expect(r.messageId).toMatch(/^<.+>$/);
  });

  it('text output heads each report with its file; a missing file is named and the rest are still read', async () => {
    const missing = join(dir, 'no-such-message.eml');
    const run = await cli('--config', configWith({}), 'mail', 'inspect', files[0]!, missing, files[1]!, '--received', '2026-12-01T10:00:00Z');
    expect(run.code).toBe(1);
    expect(run.err).toContain(`no such file: ${missing}`);
    expect(run.err).toContain('1 of 3 file(s) could not be read');
    expect(run.out).toContain(`==> ${files[0]} <==`);
    expect(run.out).toContain(`==> ${files[1]} <==`);
    expect(run.out.match(/^Message-ID: /gm)).toHaveLength(2);
  });
});
