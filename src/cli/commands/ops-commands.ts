import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Repositories } from '../../db/repositories/index.js';
import type { Command } from 'commander';
import { exportCase } from '../../workflows/case-export.js';
import { reconcile } from '../../workflows/jobs/reconcile.job.js';
import { purge, type PurgeReport } from '../../workflows/retention.js';
import { CliError, type CliIo } from '../cli-io.js';
import { withService, type GlobalOptions } from '../load.js';

function formatPurge(r: PurgeReport, years: { cases: number; unmatched: number }): string {
  const verb = r.dryRun ? 'would purge' : 'purged';
  const lines = [
    r.casesClosedBefore
      ? `Policy: raw messages of cases closed more than ${years.cases} years ago (before ${r.casesClosedBefore.slice(0, 10)})`
      : 'Policy: raw messages of closed cases are kept (retention.rawMessagesAfterClosedYears: 0)',
    r.unmatchedBefore
      ? `        raw messages outside any case received more than ${years.unmatched} years ago (before ${r.unmatchedBefore.slice(0, 10)})`
      : '        raw messages outside any case are kept (retention.unmatchedMessagesAfterYears: 0)',
    '',
    ...r.cases.map((c) => `${c.ref}  closed ${c.closedAt.slice(0, 10)}  ${verb} ${c.messages} inbound, ${c.outbox} outbound (${c.bytes} bytes)`),
    ...(r.unmatched.messages ? [`outside any case: ${verb} ${r.unmatched.messages} inbound (${r.unmatched.bytes} bytes)`] : []),
    '',
    `${r.dryRun ? 'Dry run: nothing changed. ' : ''}${r.cases.length} case(s), ${r.totals.messages} inbound and ${r.totals.outbox} outbound message(s), ${r.totals.bytes} bytes ${verb}; events, hashes and metadata are kept.`,
  ];
  return lines.join('\n');
}

/** Operations: the retention purge, a case's full export, a reconciliation on demand. */
export function registerOpsCommands(program: Command, io: CliIo): void {
  const global = () => program.opts<GlobalOptions>();
  const actor = () => `cli:${io.env.USER ?? io.env.LOGNAME ?? 'operator'}`;

  program
    .command('purge')
    .description('apply the retention policy: drop raw messages of cases closed long ago (events, hashes and metadata stay)')
    .option('--dry-run', 'say what would be purged, change nothing')
    .option('--json', 'JSON output')
    .action((o: { dryRun?: boolean; json?: boolean }) =>
      withService(global(), io, async (s) => {
        const policy = s.loaded.config.retention;
        const report = await purge(Repositories.open(s.orm), policy, s.clock.now(), { dryRun: !!o.dryRun, actor: actor() });
        io.out(
          o.json
            ? JSON.stringify(report, null, 2)
            : formatPurge(report, { cases: policy.rawMessagesAfterClosedYears, unmatched: policy.unmatchedMessagesAfterYears }),
        );
      }),
    );

  // `cases` is registered by the case commands; the export belongs with them.
  const cases = program.commands.find((c) => c.name() === 'cases') ?? program.command('cases').description('look at and act on cases');
  cases
    .command('export <ref>')
    .description('everything held about one case as JSON: the case and its state, events, inbound messages and outbound mail')
    .option('--no-raw', 'leave out the raw messages (their size and SHA-256 stay)')
    .option('--out <file>', 'write to a file instead of standard output')
    .action((ref: string, o: { raw: boolean; out?: string }) =>
      withService(global(), io, async (s) => {
        const data = await exportCase(Repositories.open(s.orm).cases, ref, { raw: o.raw }, s.clock.now());
        if (!data) throw new CliError(`no case ${ref}`);
        const json = JSON.stringify(data, null, 2);
        if (!o.out) return io.out(json);
        const path = resolve(io.cwd, o.out);
        writeFileSync(path, json, { encoding: 'utf8', mode: 0o600 });
        io.out(`wrote ${path}`);
      }),
    );

  program
    .command('reconcile')
    .description('compare Postgres with the queue now and re-create every missing job (the workers also do this every two minutes)')
    .action(() =>
      withService(global(), io, async (s) => {
        const r = await reconcile(s.deps);
        io.out(
          `${r.cases} case timer(s) and ${r.outbox} pending mail(s) checked; ${r.unstuck} mail(s) stuck in sending and ${r.messages} message(s) never ingested queued again`,
        );
      }),
    );
}
