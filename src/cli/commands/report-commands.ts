import type { Command } from 'commander';
import type { CliIo } from '../cli-io.js';
import type { GlobalOptions } from '../load.js';

const actions = () => import('../actions/reports.js');

export function registerReportCommands(program: Command, io: CliIo): void {
  const global = () => program.opts<GlobalOptions>();
  const actor = () => `cli:${io.env.USER ?? io.env.LOGNAME ?? 'operator'}`;

  program
    .command('digest')
    .description('send this week’s digest to the RM now (once per organisation and ISO week)')
    .option('--org <id>', 'one organisation (default: every organisation with the digest on)')
    .option('--now', 'send it now rather than waiting for the weekly schedule')
    .action(async (o: { org?: string; now?: boolean }) => (await actions()).digest(global(), io, o));

  program
    .command('export')
    .description('every case as a spreadsheet (CSV, UTF-8 with BOM for Excel), one row per case')
    .option('--format <format>', 'csv', 'csv')
    .option('--org <id>', 'one organisation')
    .option('--from <date>', 'only cases opened on or after this date (YYYY-MM-DD)')
    .option('--to <date>', 'only cases opened on or before this date (YYYY-MM-DD)')
    .option('--out <file>', 'write to a file instead of standard output')
    .action(async (o: { format?: string; org?: string; from?: string; to?: string; out?: string }) => (await actions()).exportAll(global(), io, o));

  const report = program.command('report').description('reports for managers and inspectors');
  report
    .command('themes')
    .description('a quarter’s escalations: by concern, category, local authority and highest rung; time to resolution; approvals')
    .requiredOption('--quarter <quarter>', 'e.g. 2026Q4')
    .option('--format <format>', 'html | csv', 'html')
    .option('--org <id>', 'one organisation')
    .option('--ladder <id>', 'only the cases of one ladder (e.g. fostering-panel, for the panel adviser’s quarterly overview)')
    .option('--out <file>', 'write to a file instead of standard output')
    .action(async (o: { quarter: string; format?: string; org?: string; ladder?: string; out?: string }) => (await actions()).themes(global(), io, o));

  program
    .command('case-history <ref>')
    .description('the evidence pack: a printable chronology of every message and event, with SHA-256 of each stored message')
    .option('--format <format>', 'html | pdf (pdf needs Chromium)', 'html')
    .option('--out <file>', 'write to a file (default for pdf: <REF>.pdf)')
    .action(async (ref: string, o: { format?: string; out?: string }) => (await actions()).caseHistory(global(), io, ref, o, actor()));
}
