import { formatDoctor, graphDoctor } from '../../app/graph-doctor.js';
import { createLogger } from '../../lib/logger.js';
import { GraphAccounts } from '../../mail-account/graph/graph-accounts.js';
import { CliError, type CliIo } from '../cli-io.js';
import { clockFor, load, type GlobalOptions } from '../load.js';

export interface DoctorOptions {
  org?: string;
  otherMailbox?: string;
  send: boolean;
  json?: boolean;
}

/** `escalator doctor`: proves an organisation's mailbox set-up, line by line (needs only the config, no database). */
export async function doctor(global: GlobalOptions, io: CliIo, o: DoctorOptions): Promise<void> {
  const loaded = await load(global, io);
  const orgs = loaded.config.organisations.filter((org) => !o.org || org.id === o.org);
  if (orgs.length === 0) throw new CliError(`no organisation "${o.org}" in the config`);
  const clock = clockFor(io.env);
  const accounts = new GraphAccounts({ clock, logger: createLogger('silent'), baseDir: loaded.baseDir });
  const report: { organisation: string; transport: string; lines: Awaited<ReturnType<typeof graphDoctor>> }[] = [];
  try {
    for (const org of orgs) {
      const box = org.mailbox;
      if (box.transport !== 'graph') {
        report.push({ organisation: org.id, transport: box.transport, lines: [] });
        continue;
      }
      const lines = await graphDoctor({
        org: { ...org, mailbox: box },
        accounts,
        clock,
        send: o.send,
        ...(o.otherMailbox ? { otherMailbox: o.otherMailbox } : {}),
      });
      report.push({ organisation: org.id, transport: 'graph', lines });
    }
  } finally {
    await accounts.close();
  }
  if (o.json) io.out(JSON.stringify(report, null, 2));
  else
    io.out(
      report
        .map((r) =>
          r.transport === 'graph'
            ? formatDoctor(r.organisation, r.lines)
            : `${r.organisation} (${r.transport})\n  SKIP  the doctor checks Microsoft Graph mailboxes (mailbox.transport: graph)`,
        )
        .join('\n\n'),
    );
  const failed = report.flatMap((r) => r.lines).filter((l) => l.status === 'failed').length;
  if (failed > 0) throw new CliError(`${failed} check(s) failed`, 1);
}
