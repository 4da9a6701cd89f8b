import type { Command } from 'commander';
import type { Command as CaseCommand } from '../../domain/commands/command.js';
import { CliError, type CliIo } from '../cli-io.js';
import type { GlobalOptions } from '../load.js';

const actions = () => import('../actions/cases.js');

export function registerCaseCommands(program: Command, io: CliIo): void {
  const cases = program.command('cases').description('look at and act on cases');
  const global = () => program.opts<GlobalOptions>();
  const actor = () => `cli:${io.env.USER ?? io.env.LOGNAME ?? 'operator'}`;

  cases
    .command('list')
    .description('every case, oldest first')
    .option('--org <id>', 'one organisation')
    .option('--status <status>', 'open | paused | awaiting-confirmation | resolved | closed')
    .option('--json', 'JSON output')
    .action(async (o: { org?: string; status?: string; json?: boolean }) => (await actions()).list(global(), io, o));

  cases
    .command('show <ref>')
    .description('one case: participants, timetable, events and messages')
    .option('--json', 'JSON output')
    .action(async (ref: string, o: { json?: boolean }) => (await actions()).show(global(), io, ref, o));

  const act = (
    name: string,
    description: string,
    command: (o: Record<string, string>) => CaseCommand | Promise<CaseCommand>,
    extra?: (c: Command) => Command,
  ) => {
    let c = cases.command(`${name} <ref>`).description(description);
    if (extra) c = extra(c);
    c.action(async (ref: string, o: Record<string, string>) => (await actions()).act(global(), io, ref, await command(o), actor()));
  };
  act('advance', 'send the next step now (approval-gated steps still go to the RM first)', () => ({ kind: 'escalate' }));
  act('resolve', 'mark resolved; no more chasers', () => ({ kind: 'resolved' }));
  act('close', 'close without resolution; no more chasers', () => ({ kind: 'close' }));
  act('reopen', 'reopen a resolved or closed case', () => ({ kind: 'reopen' }));
  act('resume', 'end a pause now', () => ({ kind: 'resume' }));
  act('approve', 'approve the drafted step', () => ({ kind: 'approve' }));
  act('skip', 'skip the drafted or held step', () => ({ kind: 'skip' }));
  act(
    'pause',
    'pause until a date; later steps move back by the paused time',
    async (o) => {
      const { DateTime } = await import('luxon');
      const d = DateTime.fromISO(o.until ?? '');
      if (!d.isValid) throw new CliError('--until must be a date, e.g. 2026-12-04');
      return { kind: 'pause', until: d.toISODate()! };
    },
    (c) => c.requiredOption('--until <date>', 'YYYY-MM-DD'),
  );

  cases
    .command('export <ref>')
    .description('everything held about one case as JSON: the case and its state, events, inbound messages and outbound mail')
    .option('--no-raw', 'leave out the raw messages (their size and SHA-256 stay)')
    .option('--out <file>', 'write to a file instead of standard output')
    .action(async (ref: string, o: { raw: boolean; out?: string }) => (await actions()).exportOne(global(), io, ref, o));
}
