// Issue 20 point 6: a reply to the digest names its cases; every line goes to the case it names,
// or is answered. Pure: the message's new text in, the groups and the problems out.
import { describe, expect, it } from 'vitest';
import { readCaseCommands } from '../../../src/domain/inbound/case-commands.js';
import type { DirectiveOptions } from '../../../src/domain/inbound/directives.js';
import { LADDERS, ROLES, TZ } from './support.js';

const OPTS: DirectiveOptions = {
  roles: [...ROLES, 'head-of-service', 'operational-lead'],
  ladderIds: LADDERS,
  reference: new Date('2026-12-07T09:30:00Z'),
  timezone: TZ,
};

const kinds = (r: ReturnType<typeof readCaseCommands>) =>
  r.groups.map((g) => [
    g.ref,
    g.commands.lines.map((l) => (l.command.kind === 'directive' ? `directive:${l.command.directive.kind}` : l.command.kind)),
    g.commands.errors.length,
  ]);

describe('a message about several cases', () => {
  it('a line per case, the reference first, in any of the ways people write it', () => {
    const r = readCaseCommands(
      [
        'Hi,',
        '',
        'ESC-2026-0012 PAUSE until 4 Jan',
        '[ESC-2026-0013]: RESOLVED',
        '- esc-2026-0014 – Head of Service: Pat Lee <pat.lee@eastshire.gov.uk>',
        'ESC–2026–0015 ESCALATE please',
        '',
        'Thanks, Alex',
      ].join('\n'),
      OPTS,
    );
    expect(kinds(r)).toEqual([
      ['ESC-2026-0012', ['pause'], 0],
      ['ESC-2026-0013', ['resolved'], 0],
      ['ESC-2026-0014', ['directive:contact'], 0],
      ['ESC-2026-0015', ['escalate'], 0],
    ]);
    expect(r.groups[0]!.commands.lines[0]!.command).toEqual({ kind: 'pause', until: '2027-01-04' });
    expect(r.problems).toEqual([]);
  });

  it('a reference alone opens a block of commands for it, up to a blank line, prose or the next reference', () => {
    const r = readCaseCommands(['ESC-2026-0012', 'NOTE: spoke to Sam on the phone', 'EXTEND 5 days', 'Cheers', 'ESC-2026-0013', 'RESUME'].join('\n'), OPTS);
    expect(kinds(r)).toEqual([
      ['ESC-2026-0012', ['note', 'extend'], 0],
      ['ESC-2026-0013', ['resume'], 0],
    ]);
    expect(r.problems).toEqual([]);
  });

  it('a command under a line that already had its reference and command names no case', () => {
    const r = readCaseCommands('ESC-2026-0012 Team manager: Jo Bennett <jo@northshire.gov.uk>\nPAUSE until 5 January 2027', OPTS);
    expect(kinds(r)).toEqual([['ESC-2026-0012', ['directive:contact'], 0]]);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatch(/^"PAUSE until 5 January 2027": it does not say which case it is for/);
  });

  it('the same case named twice keeps both lines', () => {
    const r = readCaseCommands('ESC-2026-0012 NOTE: chased by phone\nESC-2026-0013 RESUME\nESC-2026-0012 EXTEND 3 days', OPTS);
    expect(kinds(r)).toEqual([
      ['ESC-2026-0012', ['note', 'extend'], 0],
      ['ESC-2026-0013', ['resume'], 0],
    ]);
  });

  it('a command that names no case is answered, never guessed at', () => {
    const r = readCaseCommands('PAUSE until 4 January\nESC-2026-0012 RESOLVED', OPTS);
    expect(kinds(r)).toEqual([['ESC-2026-0012', ['resolved'], 0]]);
    expect(r.problems).toEqual([
      '"PAUSE until 4 January": it does not say which case it is for. Put the case\'s reference first, e.g. ESC-2026-0012 PAUSE until <date>.',
    ]);
  });

  it('what follows a reference but is no command is an error for that case; a reference with nothing after it is a problem', () => {
    const r = readCaseCommands('ESC-2026-0012 POSTPONE until Friday\nESC-2026-0013 PAUSE until Fryday\n\nESC-2026-0014\n', OPTS);
    expect(r.groups.map((g) => [g.ref, g.commands.lines.length, g.commands.errors.length])).toEqual([
      ['ESC-2026-0012', 0, 1],
      ['ESC-2026-0013', 0, 1],
    ]);
    expect(r.groups[0]!.commands.errors[0]).toContain('POSTPONE is not a command I know');
    expect(r.groups[1]!.commands.errors[0]).toContain('is not a date I can read');
    expect(r.problems).toEqual(['ESC-2026-0014: no command followed the reference. Write it on the same line, e.g. ESC-2026-0014 PAUSE until <date>.']);
  });

  it('prose naming a case in passing is answered for that case, not applied', () => {
    const r = readCaseCommands('ESC-2026-0012 is fine now, the minutes came.', OPTS);
    expect(r.groups.map((g) => [g.ref, g.commands.lines.length, g.commands.errors])).toEqual([
      ['ESC-2026-0012', 0, ['"is fine now, the minutes came.": not a command or directive I know.']],
    ]);
  });

  it('a plain thank-you names nothing and asks nothing', () => {
    expect(readCaseCommands('Thanks, very useful.\n\nAlex', OPTS)).toEqual({ groups: [], problems: [] });
  });

  it('in a case’s own thread, lines naming no case are that case’s, lines naming another go to it (issue 20.6)', () => {
    const r = readCaseCommands('Hi,\n\nEXTEND 2 days\nESC-2026-0013 PAUSE until 4 January\n[ESC-2026-0012]\nThanks, Alex', OPTS, 'ESC-2026-0012');
    expect(kinds(r)).toEqual([
      ['ESC-2026-0012', ['extend'], 0],
      ['ESC-2026-0013', ['pause'], 0],
    ]);
    expect(r.problems).toEqual([]);
    // Only its own lines: nothing to split, nothing for the case itself.
    expect(readCaseCommands('Thanks, Alex', OPTS, 'ESC-2026-0012')).toEqual({ groups: [], problems: [] });
  });
});
