import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DateTime } from 'luxon';
import { CASE_STATUSES } from '../../domain/case/case-state.js';
import { Repositories } from '../../db/repositories/index.js';
import { readOperatorCommand, runCaseCommand } from '../../workflows/case-actions.js';
import { exportCase } from '../../workflows/case-export.js';
import { listCases, showCase, type CaseView } from '../../workflows/case-queries.js';
import { CliError, type CliIo } from '../cli-io.js';
import { withReadOnly, withService, type GlobalOptions } from '../load.js';

function formatView(v: CaseView): string {
  const lines = [
    `${v.ref} — ${v.subject}`,
    `  status ${v.status} · ladder ${v.ladder}${v.variant !== 'standard' ? ` (${v.variant})` : ''} · rung ${v.rung ?? '–'} · next action ${v.nextActionAt ?? 'none'}`,
    `  child reference ${v.childRef ?? '–'} · opened ${v.openedAt}`,
    `  policy: ${v.policy}`,
    ...(v.partner ? [`  partner agency: ${v.partner}`] : []),
    '',
    'Participants:',
    ...v.participants.map((p) => `  ${p.label.padEnd(34)} ${p.name ? `${p.name} <${p.email}>` : p.email}${p.undeliverable ? ' (undeliverable)' : ''}`),
    '',
    'Timetable:',
    ...v.timetable.map(
      (r) => `  ${String(r.n).padStart(2)}. ${r.title} — ${r.atText} [${r.status}]${r.deadlineText ? `; reply asked for by ${r.deadlineText}` : ''}`,
    ),
    '',
    'Events:',
    ...v.events.map((e) => `  ${e.at}  ${e.type.padEnd(22)} ${e.actor}`),
    '',
    'Messages:',
    ...v.messages.map((m) => `  ${m.at}  ${m.direction === 'in' ? '←' : '→'} ${(m.kind ?? m.route ?? '').padEnd(16)} ${m.subject ?? ''} (${m.status})`),
  ];
  return lines.join('\n');
}

/** "Mon 7 Dec 2026 10:00 GMT": a moment in the organisation's own time, short enough for a table. */
function localShort(iso: string | null, timezone: string): string {
  if (!iso) return '–';
  return DateTime.fromISO(iso, { zone: timezone }).toFormat('ccc d LLL yyyy HH:mm ZZZZ', { locale: 'en-GB' });
}

export function list(global: GlobalOptions, io: CliIo, o: { org?: string; status?: string; json?: boolean }): Promise<void> {
  const status = o.status;
  if (status !== undefined && !(CASE_STATUSES as readonly string[]).includes(status)) {
    return Promise.reject(new CliError(`--status "${status}" is not a status; use one of ${CASE_STATUSES.join(', ')}`, 2));
  }
  return withReadOnly(global, io, async (s) => {
    const list = await listCases(s.orm.em.fork(), s.orgs, { ...(o.org ? { org: o.org } : {}), ...(status ? { status } : {}) });
    // JSON keeps UTC ISO instants: scripts read it.
    if (o.json) {
      io.out(JSON.stringify(list, null, 2));
      return;
    }
    if (list.length === 0) {
      io.out('no cases');
      return;
    }
    const rows = list.map((c) => {
      const timezone = s.orgs.get(c.organisation).calendar.timezone;
      return [c.ref, c.status, c.ladder, c.rung ?? '–', localShort(c.nextActionAt, timezone), c.subject];
    });
    const header = ['REFERENCE', 'STATUS', 'LADDER', 'NEXT STEP', 'NEXT ACTION', 'SUBJECT'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
    const line = (cells: string[]) =>
      cells
        .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd();
    io.out([line(header), ...rows.map(line)].join('\n'));
  });
}

export function show(global: GlobalOptions, io: CliIo, ref: string, o: { json?: boolean }): Promise<void> {
  return withReadOnly(global, io, async (s) => {
    const view = await showCase(s.orm.em.fork(), s.orgs, ref, s.clock.now(), s.logger);
    if (!view) throw new CliError(`no case ${ref}`);
    io.out(o.json ? JSON.stringify(view, null, 2) : formatView(view));
  });
}

/**
 * An operator's command on one case, written as the RM would write it by mail and read by the same
 * grammar and rules; recorded with who acted and why, and the RM is told by mail.
 */
export function act(global: GlobalOptions, io: CliIo, ref: string, line: string, who: { actor: string; by: string; reason: string }): Promise<void> {
  const reason = who.reason.trim();
  if (!reason) return Promise.reject(new CliError('--reason must say why (it is recorded on the case and sent to the RM)', 2));
  return withService(global, io, async (s) => {
    const read = await readOperatorCommand(s.deps, ref, line);
    if (!read) throw new CliError(`no case ${ref}`);
    if ('problems' in read) throw new CliError(read.problems.join('\n'), 2);
    const result = await runCaseCommand(s.deps, ref, read.command, who.actor, { operator: { by: who.by, reason } });
    for (const m of result.messages) {
      if (result.ok) io.out(`${ref}: ${m}`);
      else io.err(`${ref}: ${m}`);
    }
    if (!result.ok) throw new CliError(`${ref}: nothing changed`);
  });
}

export function exportOne(global: GlobalOptions, io: CliIo, ref: string, o: { raw: boolean; out?: string }): Promise<void> {
  return withReadOnly(global, io, async (s) => {
    const data = await exportCase(Repositories.open(s.orm).cases, ref, { raw: o.raw }, s.clock.now());
    if (!data) throw new CliError(`no case ${ref}`);
    const json = JSON.stringify(data, null, 2);
    if (!o.out) {
      io.out(json);
      return;
    }
    const path = resolve(io.cwd, o.out);
    writeFileSync(path, json, { encoding: 'utf8', mode: 0o600 });
    io.out(`wrote ${path}`);
  });
}
