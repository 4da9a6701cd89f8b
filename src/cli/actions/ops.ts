import { Repositories } from '../../db/repositories/index.js';
import { reconcile as reconcileNow } from '../../workflows/jobs/reconcile.job.js';
import { purge as purgeNow, type PurgeReport } from '../../workflows/retention.js';
import type { CliIo } from '../cli-io.js';
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

export function purge(global: GlobalOptions, io: CliIo, o: { dryRun?: boolean; json?: boolean }, actor: string): Promise<void> {
  return withService(global, io, async (s) => {
    const policy = s.loaded.config.retention;
    const report = await purgeNow(Repositories.open(s.orm), policy, s.clock.now(), { dryRun: !!o.dryRun, actor });
    io.out(
      o.json
        ? JSON.stringify(report, null, 2)
        : formatPurge(report, { cases: policy.rawMessagesAfterClosedYears, unmatched: policy.unmatchedMessagesAfterYears }),
    );
  });
}

export function reconcile(global: GlobalOptions, io: CliIo): Promise<void> {
  return withService(global, io, async (s) => {
    const r = await reconcileNow(s.deps);
    io.out(
      `${r.cases} case timer(s) and ${r.outbox} pending mail(s) checked; ${r.unstuck} mail(s) stuck in sending and ${r.messages} message(s) never ingested queued again`,
    );
  });
}
