import type { Command } from 'commander';
import type { CliIo } from '../cli-io.js';
import type { GlobalOptions } from '../load.js';

const actions = () => import('../actions/ops.js');

/** Operations: the retention purge and a reconciliation on demand (a case's full export is under `cases`). */
export function registerOpsCommands(program: Command, io: CliIo): void {
  const global = () => program.opts<GlobalOptions>();
  const actor = () => `cli:${io.env.USER ?? io.env.LOGNAME ?? 'operator'}`;

  program
    .command('purge')
    .description('apply the retention policy: drop raw messages of cases closed long ago (events, hashes and metadata stay)')
    .option('--dry-run', 'say what would be purged, change nothing')
    .option('--json', 'JSON output')
    .action(async (o: { dryRun?: boolean; json?: boolean }) => (await actions()).purge(global(), io, o, actor()));

  program
    .command('reconcile')
    .description('compare Postgres with the queue now and re-create every missing job (the workers also do this every two minutes)')
    .action(async () => (await actions()).reconcile(global(), io));
}
