/**
 * Issue 20.4: RM notices say only what matters to them — the next step and its date, the commands
 * that fit — and the full timetable and every command come on demand: a reply TIMETABLE or HELP
 * on the case's thread is answered by mail (a command acknowledgement carrying them).
 */
import { describe, expect, it } from 'vitest';
import { applyCommands } from '../../../src/domain/case/apply-commands.js';
import type { MailKind } from '../../../src/domain/case/decision.js';
import { mailIntentSchema, type MailIntent } from '../../../src/domain/case/mail-intents.js';
import type { Command } from '../../../src/domain/commands/command.js';
import { parseCommands } from '../../../src/domain/inbound/commands.js';
import { buildMailContext } from '../../../src/outbound/render/mail-context.js';
import { renderMail } from '../../../src/outbound/render/render-mail.js';
import { renderSample } from '../../../src/outbound/render/sample-case.js';
import type { Directory } from '../../../src/domain/directory.js';
import { ladder, store } from './template-helpers.js';
import { trustDirectory as trust } from './partner-fixture.js';

const reg5 = ladder('childrens-home-reg5');
const ON_DEMAND = 'Reply TIMETABLE for the full timetable, HELP for every command.';
const opts = { roles: ['team-manager'], ladderIds: [reg5.id], reference: new Date('2026-12-05T10:00:00Z'), timezone: 'Europe/London' };

/** The RM's reply, answered: the command-ack the case sends back, rendered. */
function answer(...commands: Command[]) {
  return answerOn(undefined, ...commands);
}

function answerOn(directory: Directory | undefined, ...commands: Command[]) {
  const ack = renderSample(store, 'command-ack', { ladder: reg5, rung: 'team-manager-reminder', ...(directory ? { directory } : {}) });
  const { state, ctx, mailbox, names } = ack.sample;
  const d = applyCommands(
    state,
    { from: ctx.org.manager, lines: commands.map((c) => ({ line: c.kind.toUpperCase(), command: c })), errors: [], messageKey: 'ask' },
    ctx,
  );
  const intent = d.mails.find((m): m is Extract<MailIntent, { kind: 'command-ack' }> => m.kind === 'command-ack');
  if (!intent) throw new Error('no acknowledgement');
  return { intent, mail: renderMail(store, names, buildMailContext(d.state, intent, ctx, mailbox)), before: state, after: d.state };
}

describe('HELP and TIMETABLE are commands', () => {
  it.each([
    ['HELP', 'help'],
    ['help', 'help'],
    ['Help please', 'help'],
    ['TIMETABLE', 'timetable'],
    ['Timetable, thanks', 'timetable'],
    ['time-table', 'timetable'],
  ])('"%s" asks for %s', (line, kind) => {
    expect(parseCommands(line, opts)).toEqual({ lines: [{ line, command: { kind } }], errors: [] });
  });

  it.each(['Help, I am not sure what you need from me', 'Help is on the way', 'Timetable for the review is attached'])(
    '"%s" is prose: no command, no error',
    (line) => {
      expect(parseCommands(line, opts)).toEqual({ lines: [], errors: [] });
    },
  );

  it('HELP with another command on the next line: both are read', () => {
    expect(parseCommands('EXTEND 3 days\nTIMETABLE', opts).lines.map((l) => l.command.kind)).toEqual(['extend', 'timetable']);
  });

  it('an example date in a hint is two weeks from the message, never a fixed date', () => {
    expect(parseCommands('PAUSE until Fryday', opts).errors[0]).toContain('Try PAUSE until 19 December 2026.');
    expect(parseCommands('PAUSE', opts).errors[0]).toContain('e.g. PAUSE until 19 December 2026.');
  });
});

describe('the answer to HELP or TIMETABLE', () => {
  it('TIMETABLE: the full timetable, every step with its date, and nothing changed', () => {
    const { intent, mail, before, after } = answer({ kind: 'timetable' });
    expect(intent.data).toMatchObject({ fullTimetable: true, allCommands: false });
    expect(after.steps).toEqual(before.steps);
    expect(mail.text).toContain('The full timetable of the case is below.');
    expect(mail.text).toContain('The timetable now:');
    const rows = mail.text.split('\n').filter((l) => /^\d+\. .+ — /.test(l));
    expect(rows.length).toBe(after.steps.length);
    expect(mail.text).not.toContain('To change anything');
    expect(mail.text).toContain(ON_DEMAND);
  });

  it('HELP: every command, and no timetable', () => {
    const { intent, mail } = answer({ kind: 'help' });
    expect(intent.data).toMatchObject({ fullTimetable: false, allCommands: true });
    expect(mail.text).toContain('To change anything, reply to this email with one of these on the first line:');
    expect(mail.text).toContain('PAUSE until <date>');
    expect(mail.text).not.toContain('The timetable now:');
    expect(mail.html).toContain('<code>EXTEND &lt;n&gt; days</code>');
  });

  it('HELP suggests a correction by the role the case has: the team manager, or a partner agency’s own title', () => {
    const council = answer({ kind: 'help' }).mail;
    expect(council.text).toContain('or a correction such as "Team manager: Name <address>"');
    expect(council.html).toContain('<code>Team manager: Name &lt;address&gt;</code>');
    // A directive reads the trust's own title (issue 15.4, reg 5 partner agencies); "Team manager" is not a role there.
    const partner = answerOn(trust, { kind: 'help' }).mail;
    expect(partner.text).toContain('or a correction such as "Designated nurse: Name <address>"');
    expect(partner.html).toContain('<code>Designated nurse: Name &lt;address&gt;</code>');
    expect(partner.text).not.toContain('Team manager');
    expect(partner.html).not.toContain('Team manager');
  });

  it('HELP and TIMETABLE together: both', () => {
    const { mail } = answer({ kind: 'help' }, { kind: 'timetable' });
    expect(mail.text).toContain('The timetable now:');
    expect(mail.text).toContain('To change anything');
    expect(mail.text).not.toContain(ON_DEMAND);
  });

  it('any other command is answered with what it did and the next step, not the whole timetable', () => {
    const { intent, mail } = answer({ kind: 'note', text: 'Rang the team manager.' });
    expect(intent.data).toMatchObject({ fullTimetable: false, allCommands: false });
    expect(mail.text).toContain('Noted on the case.');
    expect(mail.text).toMatch(/Next, if nothing changes: .+, .+2026/);
    expect(mail.text).not.toContain('The timetable now:');
    expect(mail.text).not.toContain('To change anything');
    expect(mail.text).toContain(ON_DEMAND);
  });

  it('an acknowledgement read back without the flags is the short answer', () => {
    const parsed = mailIntentSchema.parse({ kind: 'command-ack', key: 'k', to: [], cc: [], timing: 'now', data: { done: ['x'] } });
    expect(parsed.kind === 'command-ack' && parsed.data).toEqual({ done: ['x'], fullTimetable: false, allCommands: false });
  });
});

describe('RM notices carry only what matters, and say how to get the rest', () => {
  const NOTICES: MailKind[] = ['step-notice', 'reply-notice', 'command-ack', 'contact-request', 'bounce-notice', 'fold-summary'];
  it.each(NOTICES)('%s: no full timetable, no full command list, the TIMETABLE/HELP line', (kind) => {
    const mail = renderSample(store, kind, { ladder: reg5, rung: 'dcs' });
    expect(mail.text).not.toContain('The timetable now');
    expect(mail.text).not.toContain('To change anything');
    expect(mail.html).not.toContain('The timetable now');
    expect(mail.text).toContain(ON_DEMAND);
    expect(mail.html).toContain('Reply <code>TIMETABLE</code> for the full timetable, <code>HELP</code> for every command.');
  });

  it('the step notice says the next step and its date, and the commands that fit it', () => {
    const mail = renderSample(store, 'step-notice', { ladder: reg5, rung: 'team-manager-reminder' });
    expect(mail.text).toMatch(/If nothing changes: .+, on \w+day \d+ \w+ 2026/);
    expect(mail.text).toContain(
      'If it has been done, reply RESOLVED; if they need more time, reply EXTEND <n> days; to take the next step now, reply ESCALATE.',
    );
  });

  it('the reply notice says the next step and its date', () => {
    const mail = renderSample(store, 'reply-notice', { ladder: reg5, rung: 'team-manager-reminder' });
    expect(mail.text).toMatch(/Next, if nothing changes: .+, .+2026/);
  });

  it('the confirmation, the case’s first mail, still gives the whole timetable and every command', () => {
    const mail = renderSample(store, 'confirmation', { ladder: reg5, rung: 'team-manager-reminder' });
    expect(mail.text).toContain('To change anything');
    expect(mail.text).toContain('TIMETABLE (the full timetable by mail) · HELP (this list by mail)');
    expect(mail.text.split('\n').filter((l) => /^\d+\. .+ — /.test(l)).length).toBeGreaterThan(3);
  });
});
