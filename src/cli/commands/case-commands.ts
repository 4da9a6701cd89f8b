import type { Command } from 'commander';
import { CASE_STATUSES } from '../../domain/case/case-state.js';
import type { CliIo } from '../cli-io.js';
import type { GlobalOptions } from '../load.js';

const actions = () => import('../actions/cases.js');

export function registerCaseCommands(program: Command, io: CliIo): void {
  const cases = program.command('cases').description('look at and act on cases');
  const global = () => program.opts<GlobalOptions>();
  const login = () => io.env.USER ?? io.env.LOGNAME ?? 'operator';
  const actor = () => `cli:${login()}`;

  cases
    .command('list')
    .description('every case, oldest first')
    .option('--org <id>', 'one organisation')
    .option('--status <status>', CASE_STATUSES.join(' | '))
    .option('--json', 'JSON output')
    .action(async (o: { org?: string; status?: string; json?: boolean }) => (await actions()).list(global(), io, o));

  cases
    .command('show <ref>')
    .description('one case: participants, timetable, events and messages')
    .option('--json', 'JSON output')
    .action(async (ref: string, o: { json?: boolean }) => (await actions()).show(global(), io, ref, o));

  // Each action is the command the RM would send by mail, read by the same grammar: the same
  // words, the same UK date forms, the same rules. The operator says who they are and why.
  const act = (name: string, description: string, line: (o: Record<string, string>) => string, extra?: (c: Command) => Command) => {
    let c = cases
      .command(`${name} <ref>`)
      .description(description)
      .requiredOption('--reason <text>', 'why: recorded on the case and sent to the RM')
      .option('--by <name>', 'who is acting (default: your login name)');
    if (extra) c = extra(c);
    c.action(async (ref: string, o: { reason: string; by?: string } & Record<string, string>) =>
      (await actions()).act(global(), io, ref, line(o), { actor: actor(), by: o.by ?? login(), reason: o.reason }),
    );
  };
  act('advance', 'send the next step now (approval-gated steps still go to the RM first)', () => 'ESCALATE');
  act('resolve', 'mark resolved; no more chasers', () => 'RESOLVED');
  act('not-done', 'the response awaiting confirmation is not enough: the reminders go on', () => 'NOT DONE');
  act('close', 'close without resolution; no more chasers', () => 'CLOSE');
  act('reopen', 'reopen a resolved or closed case', () => 'REOPEN');
  act('resume', 'end a pause now', () => 'RESUME');
  act('approve', 'approve the drafted step', () => 'APPROVE');
  act('skip', 'skip the drafted or held step', () => 'SKIP');
  act(
    'pause',
    'pause until a date (as the RM would write it: 4 January, 04/01/2027, Friday, 2027-01-04); later steps move back by the paused time',
    (o) => `PAUSE until ${o.until}`,
    (c) => c.requiredOption('--until <date>', 'e.g. "4 January", 04/01/2027, 2027-01-04'),
  );
  act(
    'extend',
    'give more time: later steps move back by it ("3 days", "2 weeks", "5 working days")',
    (o) => `EXTEND ${o.for}`,
    (c) => c.requiredOption('--for <time>', 'e.g. "3 days", "2 weeks"'),
  );

  cases
    .command('export <ref>')
    .description('everything held about one case as JSON: the case and its state, events, inbound messages and outbound mail')
    .option('--no-raw', 'leave out the raw messages (their size and SHA-256 stay)')
    .option('--out <file>', 'write to a file instead of standard output')
    .action(async (ref: string, o: { raw: boolean; out?: string }) => (await actions()).exportOne(global(), io, ref, o));
}
