import { describe, expect, it } from 'vitest';
import { parseCommands } from '../../../src/domain/inbound/commands.js';
import type { DirectiveOptions } from '../../../src/domain/inbound/directives.js';
import { describeCommand } from './support.js';

const opts: DirectiveOptions = {
  roles: ['professional', 'team-manager', 'iro', 'dcs'],
  ladderIds: ['childrens-home-reg5', 'foster-carer-concern'],
  reference: new Date('2026-12-01T10:00:00Z'),
  timezone: 'Europe/London',
};
const run = (text: string) => {
  const r = parseCommands(text, opts);
  return { commands: r.lines.map((l) => describeCommand(l.command)), errors: r.errors };
};

describe('parseCommands', () => {
  it.each([
    ['RESOLVED', 'resolved'],
    ['resolved', 'resolved'],
    ['Resolved.', 'resolved'],
    ['Resolved, thanks', 'resolved'],
    ['RESOLVED - minutes received today', 'resolved'],
    ['Resolved: minutes came by post', 'resolved'],
    ['Done', 'resolved'],
    ['CLOSE', 'close'],
    ['Close this case please', 'close'],
    ['REOPEN', 'reopen'],
    ['Re-open', 'reopen'],
    ['RESUME', 'resume'],
    ['ESCALATE', 'escalate'],
    ['Escalate now please', 'escalate'],
    ['APPROVE', 'approve'],
    ['Approved.', 'approve'],
    ['approve the draft', 'approve'],
    ['SKIP', 'skip'],
    ['skip this one', 'skip'],
    ['SAFEGUARDING', 'safeguarding'],
    ['**RESOLVED**', 'resolved'],
  ])('%j → %s', (text, command) => {
    expect(run(text)).toEqual({ commands: [command], errors: [] });
  });

  it.each([
    ['PAUSE until 4 December', 'pause:2026-12-04'],
    ['pause until 04/12/2026', 'pause:2026-12-04'],
    ['Pause: until Friday', 'pause:2026-12-04'],
    ['PAUSE until Friday 11 December please', 'pause:2026-12-11'],
    ['PAUSE for 2 weeks', 'pause:2026-12-15'],
    ['PAUSE till the end of next week', 'pause:2026-12-11'],
    ['EXTEND 5 days', 'extend:5d'],
    ['Extend 5 days - Sam has asked for more time', 'extend:5d'],
    ['extend by 2 weeks', 'extend:2w'],
    ['EXTEND 3 working days', 'extend:3wd'],
    ['EXTEND 5', 'extend:5d'],
    ['Extend five days please', 'extend:5d'],
    ['VIEWS: She wants to know why nobody has sent the minutes.', 'views:She wants to know why nobody has sent the minutes.'],
    ['Views - happy with the plan', 'views:happy with the plan'],
    ['NOTE: IRO told by phone.', 'note:IRO told by phone.'],
    ['NOTE the IRO was told by phone', 'note:the IRO was told by phone'],
  ])('%j → %s', (text, command) => {
    expect(run(text)).toEqual({ commands: [command], errors: [] });
  });

  it('reads any opening directive as a command', () => {
    expect(run('Team manager: Jo Bennett <jo.bennett@northshire.gov.uk>')).toEqual({
      commands: ['directive:contact:team-manager:jo.bennett@northshire.gov.uk:Jo Bennett'],
      errors: [],
    });
    expect(run('Safeguarding: yes\nDue: 11 December')).toEqual({ commands: ['directive:flag:safeguarding:true', 'directive:due:2026-12-11'], errors: [] });
    // The directive, not the SAFEGUARDING command (which would switch to urgent timescales).
    expect(run('Safeguarding: no')).toEqual({ commands: ['directive:flag:safeguarding:false'], errors: [] });
    expect(run('Safeguarding: maybe')).toEqual({ commands: [], errors: ['Safeguarding: answer yes or no'] });
  });

  it('reads several command lines, after a greeting, across a blank line when another command follows', () => {
    expect(run('Hi team,\n\nSAFEGUARDING\nESCALATE\n\nShe went missing last night.').commands).toEqual(['safeguarding', 'escalate']);
    expect(run('RESOLVED\n\nNOTE: minutes came by post').commands).toEqual(['resolved', 'note:minutes came by post']);
    expect(run('RESOLVED\n\nThanks for chasing this.')).toEqual({ commands: ['resolved'], errors: [] });
  });

  it('runs VIEWS and NOTE on over wrapped lines until a blank line or another command', () => {
    expect(run('VIEWS: She feels let down\nand wants her IRO told.\nNOTE: done\n\nAlex').commands).toEqual([
      'views:She feels let down and wants her IRO told.',
      'note:done',
    ]);
  });

  it('gives an error saying what was not understood', () => {
    const cases: [string, RegExp][] = [
      ['POSTPONE until Friday', /^"POSTPONE until Friday": POSTPONE is not a command I know\. Commands: RESOLVED/],
      ['HOLD', /^"HOLD": HOLD is not a command I know/],
      ['RESLOVED', /RESLOVED is not a command\. Did you mean RESOLVED\?/],
      ['Extned 5 days', /Did you mean EXTEND\?/],
      ['PAUSE', /PAUSE needs a date/],
      ['PAUSE until whenever the IRO is back', /"whenever the IRO is back" is not a date I can read/],
      ['Pause until we hear back', /"we hear back" is not a date I can read/],
      ['PAUSE until 20 November', /2026-11-20 is not in the future/],
      ['EXTEND soon', /EXTEND needs how long/],
      ['EXTEND 400 days', /between 1 day and 52 weeks/],
      ['VIEWS:', /write the text after VIEWS:/],
      ['Team manager: Jo Bennett', /Team manager: no email address found/],
      ['Ladder: nope', /Ladder: "nope" is not a ladder here/],
    ];
    for (const [text, error] of cases) {
      const r = run(text);
      expect(r.commands, text).toEqual([]);
      expect(r.errors, text).toHaveLength(1);
      expect(r.errors[0], text).toMatch(error);
    }
  });

  it('reports an unknown Key: line once commands have begun, and stops at prose', () => {
    expect(run('RESOLVED\nColour: blue')).toEqual({
      commands: ['resolved'],
      errors: [expect.stringMatching(/^"Colour: blue": not a command or directive I know/)],
    });
    expect(run('Update: spoke to Sam today')).toEqual({ commands: [], errors: [] });
  });

  it.each([
    'Thanks, will wait.',
    'Thanks Sam, will wait to hear from you.',
    'Noted',
    'Noted, thanks',
    'FYI see below',
    'URGENT - please read',
    'OK',
    'Done some digging, Sam says Friday.',
    'Close to the deadline now, so let us wait.',
    'Resolve the issue with the placement first.',
    'Note that the IRO has been told.',
    'Views of the family are mixed.',
    'Skype call tomorrow?',
    'Nope, nothing yet.',
    'I think we should wait.\nRESOLVED',
    '',
  ])('%j holds neither a command nor an error', (text) => {
    expect(run(text)).toEqual({ commands: [], errors: [] });
  });

  it('keeps the line as written for the audit trail', () => {
    const r = parseCommands('  Resolved - minutes received today  ', opts);
    expect(r.lines[0]!.line).toBe('Resolved - minutes received today');
  });
});
