import type { Command } from 'commander';
import { COUNTRIES, NATIONS } from '../../domain/calendar/nation.js';
import type { CliIo } from '../cli-io.js';
import type { GlobalOptions } from '../load.js';
import type { SimulateOptions } from '../actions/ladders.js';

const actions = () => import('../actions/ladders.js');

export function registerLadderCommands(program: Command, io: CliIo): void {
  const ladders = program.command('ladders').description('the escalation ladders');
  ladders
    .command('check')
    .description('validate every ladder file and its templates; exits non-zero naming file, rung and key')
    .option('--dir <folder>', 'check this folder instead of the configured ones')
    .action(async (o: { dir?: string }) => (await actions()).check({ ...program.opts<GlobalOptions>(), ...o }, io));
  ladders
    .command('table')
    .description('print every ladder as Markdown tables: rungs, when each falls due, to and copied, deadline, policy paragraph (docs/ladders.md)')
    .option('--dir <folder>', 'this folder instead of the configured ones')
    .action(async (o: { dir?: string }) => (await actions()).table({ ...program.opts<GlobalOptions>(), ...o }, io));

  program
    .command('simulate')
    .description('print the dated timetable a case opened at --start would follow')
    .requiredOption('--ladder <id>', 'ladder id')
    .requiredOption('--start <iso>', 'opening moment, ISO 8601 (local time in the timezone when no offset)')
    .option('--org <id>', 'on this organisation’s calendar (nation, timezone, send window) and with its ladders')
    .option('--nation <nation>', `${NATIONS.join(' | ')} (default: england-and-wales)`)
    .option('--country <country>', `${COUNTRIES.join(' | ')}: whose regulator and framework are named (default: the nation's; wales keeps england-and-wales)`)
    .option('--timezone <tz>', 'timezone (default: Europe/London)')
    .option('--urgent', 'the urgent (safeguarding) timescales')
    .option('--imminent', 'the imminent-risk timescales')
    .option('--due <date>', 'needed by this date (YYYY-MM-DD), as a Due: directive says')
    .option('--agency <id>', 'the professional is at this partner agency of the directory (its own roles replace the council’s)')
    .option('--dir <folder>', 'ladder folder')
    .option('--json', 'JSON output')
    .action(async (o: SimulateOptions) => (await actions()).simulate({ ...program.opts<GlobalOptions>(), ...o }, io));
}
