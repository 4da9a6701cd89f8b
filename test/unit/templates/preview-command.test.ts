/** `escalator templates preview LADDER RUNG` prints a rendered example; no database needed. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../../src/cli/cli-io.js';
import { runCli } from '../../../src/cli/program.js';

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`), env: {}, cwd: process.cwd() };
  const code = await runCli(argv, io);
  return { code, out, err };
}

describe('escalator templates preview', () => {
  it('prints the subject, recipients and text of a Regulation 5 rung', async () => {
    const r = await run('templates', 'preview', 'childrens-home-reg5', 'professional-reminder');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out.startsWith('Subject: Reminder 1: LAC review minutes for AB-1234 [ESC-2026-0042]\n')).toBe(true);
    expect(r.out).toContain('To: Sam Patel <sam.patel@northshire.example>');
    // The sample shows the conditional copies: IRO: yes copies the IRO (issue 15.4).
    expect(r.out).toContain('Cc: Jo Bennett <jo.bennett@northshire.example>, Chris Lowe <chris.lowe@northshire.example>');
    expect(r.out).toContain('Dear Sam Patel,');
    expect(r.out).toContain('Please have this completed by the end of Friday 20 November 2026.');
    expect(r.out).toContain('Regulation 5(c) of the Children’s Homes (England) Regulations 2015');
  });

  it('prints the weekly digest over sample cases on the ladder, to the RM', async () => {
    const r = await run('templates', 'preview', 'childrens-home-reg5', 'professional-reminder', '--kind', 'weekly-digest');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out.split('\n').slice(0, 2)).toEqual([
      'Subject: Weekly escalations digest, Sunrise Children’s Homes: 3 open, 3 need your action (week commencing Monday 7 December 2026)',
      'To: Alex Morgan <alex.morgan@sunrise-homes.example>',
    ]);
    expect(r.out).toContain('  - Monday 7 December 2026 at 10:00: ESC-2026-0043 (child AB-1234), 3. Email to the Assistant Director');
    const html = await run('templates', 'preview', 'childrens-home-reg5', 'professional-reminder', '--kind', 'weekly-digest', '--html');
    expect(html.code).toBe(0);
    expect(html.out).toMatch(/<html[\s\S]*ESC-2026-0044[\s\S]*<\/html>/);
  });

  it('prints the combined chaser of two cases at the rung, to the people both chasers go to', async () => {
    const r = await run('templates', 'preview', 'childrens-home-reg5', 'professional-reminder', '--kind', 'chaser-bundle');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out.split('\n').slice(0, 3)).toEqual([
      'Subject: Still outstanding: 2 requests from Sunrise Children’s Homes [ESC-2026-0042] [ESC-2026-0043]',
      'To: Sam Patel <sam.patel@northshire.example>',
      'Cc: Jo Bennett <jo.bennett@northshire.example>, Chris Lowe <chris.lowe@northshire.example>',
    ]);
    expect(r.out).toContain('==================== ESC-2026-0042 ====================');
    expect(r.out).toContain('==================== ESC-2026-0043 ====================');
  });

  it('prints the HTML part with --html, and any kind of mail with --kind', async () => {
    const html = await run('templates', 'preview', 'childrens-home-reg5', 'dcs', '--html');
    expect(html.code).toBe(0);
    expect(html.out).toContain('Subject: Escalation to the Director of Children’s Services: LAC review minutes for AB-1234 [ESC-2026-0042]');
    expect(html.out).toContain('<!DOCTYPE html>');
    const approval = await run('templates', 'preview', 'childrens-home-reg5', 'dcs', '--kind', 'approval-request');
    expect(approval.out).toContain('Subject: Approval needed: Email to the Director of Children’s Services — LAC review minutes for AB-1234 [ESC-2026-0042]');
    const urgent = await run('templates', 'preview', 'childrens-home-reg5', 'repeat', '--variant', 'urgent');
    expect(urgent.out).toContain('every 2 working days');
    const firo = await run('templates', 'preview', 'firo-dispute-resolution', 'stage-2-meeting');
    expect(firo.out).toContain('“FIRO Dispute Resolution Stage 2”');
  });

  it('uses an override folder given with --templates', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'escalator-preview-'));
    try {
      mkdirSync(join(dir, 'mails/chaser'), { recursive: true });
      writeFileSync(join(dir, 'mails/chaser/subject.hbs'), 'Chasing: {{case.subject}} [{{case.ref}}]\n');
      const r = await run('templates', 'preview', 'childrens-home-reg5', 'professional-reminder', '--templates', dir);
      expect(r.out.startsWith('Subject: Chasing: LAC review minutes for AB-1234 [ESC-2026-0042]\n')).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the rungs when the rung is wrong, and the kinds when the kind is', async () => {
    const rung = await run('templates', 'preview', 'fostering-panel', 'nope');
    expect(rung.code).toBe(1);
    expect(rung.err).toContain('ladder fostering-panel has no rung "nope" (its rungs: responsible-manager-reminder, senior-manager)');
    const kind = await run('templates', 'preview', 'fostering-panel', 'senior-manager', '--kind', 'postcard');
    expect(kind.code).toBe(1);
    expect(kind.err).toMatch(/--kind must be one of confirmation, chaser, /);
    const none = await run('templates', 'preview', 'no-such-ladder', 'x');
    expect(none.code).toBe(1);
    expect(none.err).toContain('no ladder "no-such-ladder"');
  });
});
