import type { Command } from 'commander';
import { DateTime } from 'luxon';
import type { Command as CaseCommand } from '../../domain/commands/command.js';
import { roleLabel } from '../../domain/roles.js';
import { runCaseCommand } from '../../workflows/case-actions.js';
import { listCases, showCase, type CaseView } from '../../workflows/case-queries.js';
import { CliError, type CliIo } from '../cli-io.js';
import { withService, type GlobalOptions } from '../load.js';

function formatView(v: CaseView): string {
  const lines = [
    `${v.ref} — ${v.subject}`,
    `  status ${v.status} · ladder ${v.ladder}${v.variant !== 'standard' ? ` (${v.variant})` : ''} · rung ${v.rung ?? '–'} · next action ${v.nextActionAt ?? 'none'}`,
    `  child reference ${v.childRef ?? '–'} · opened ${v.openedAt}`,
    '',
    'Participants:',
    ...v.participants.map(
      (p) => `  ${roleLabel(p.role).padEnd(34)} ${p.name ? `${p.name} <${p.email}>` : p.email}${p.undeliverable ? ' (undeliverable)' : ''}`,
    ),
    '',
    'Timetable:',
    ...v.timetable.map(
      (r) => `  ${String(r.n).padStart(2)}. ${r.title} — ${r.atText} [${r.status}]${r.deadlineText ? `; reply asked for by ${r.deadlineText}` : ''}`,
    ),
    '',
    'Events:',
    ...v.events.map((e) => `  ${e.at}  ${e.type.padEnd(22)} ${e.actor}${e.unreadable ? `  (unreadable: ${e.unreadable})` : ''}`),
    '',
    'Messages:',
    ...v.messages.map((m) => `  ${m.at}  ${m.direction === 'in' ? '←' : '→'} ${(m.kind ?? m.route ?? '').padEnd(16)} ${m.subject ?? ''} (${m.status})`),
  ];
  return lines.join('\n');
}

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
    .action((o: { org?: string; status?: string; json?: boolean }) =>
      withService(global(), io, async (s) => {
        const list = await listCases(s.orm.em.fork(), s.orgs, { ...(o.org ? { org: o.org } : {}), ...(o.status ? { status: o.status } : {}) });
        if (o.json) return io.out(JSON.stringify(list, null, 2));
        if (list.length === 0) return io.out('no cases');
        for (const c of list)
          io.out(`${c.ref}  ${c.status.padEnd(10)} ${c.ladder.padEnd(24)} ${(c.rung ?? '–').padEnd(24)} ${c.nextActionAt ?? '–'}  ${c.subject}`);
      }),
    );

  cases
    .command('show <ref>')
    .description('one case: participants, timetable, events and messages')
    .option('--json', 'JSON output')
    .action((ref: string, o: { json?: boolean }) =>
      withService(global(), io, async (s) => {
        const view = await showCase(s.orm.em.fork(), s.orgs, ref, s.clock.now(), s.logger);
        if (!view) throw new CliError(`no case ${ref}`);
        io.out(o.json ? JSON.stringify(view, null, 2) : formatView(view));
      }),
    );

  const act = (name: string, description: string, command: (o: Record<string, string>) => CaseCommand, extra?: (c: Command) => Command) => {
    let c = cases.command(`${name} <ref>`).description(description);
    if (extra) c = extra(c);
    c.action((ref: string, o: Record<string, string>) =>
      withService(global(), io, async (s) => {
        const result = await runCaseCommand(s.deps, ref, command(o), actor());
        for (const m of result.messages) (result.ok ? io.out : io.err)(`${ref}: ${m}`);
        if (!result.ok) throw new CliError(`${ref}: nothing changed`);
      }),
    );
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
    (o) => {
      const d = DateTime.fromISO(o.until ?? '');
      if (!d.isValid) throw new CliError('--until must be a date, e.g. 2026-12-04');
      return { kind: 'pause', until: d.toISODate()! };
    },
    (c) => c.requiredOption('--until <date>', 'YYYY-MM-DD'),
  );
}
