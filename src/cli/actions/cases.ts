import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command as CaseCommand } from '../../domain/commands/command.js';
import { roleLabel } from '../../domain/roles.js';
import { Repositories } from '../../db/repositories/index.js';
import { runCaseCommand } from '../../workflows/case-actions.js';
import { exportCase } from '../../workflows/case-export.js';
import { listCases, showCase, type CaseView } from '../../workflows/case-queries.js';
import { CliError, type CliIo } from '../cli-io.js';
import { withReadOnly, withService, type GlobalOptions } from '../load.js';

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
    ...v.events.map((e) => `  ${e.at}  ${e.type.padEnd(22)} ${e.actor}`),
    '',
    'Messages:',
    ...v.messages.map((m) => `  ${m.at}  ${m.direction === 'in' ? '←' : '→'} ${(m.kind ?? m.route ?? '').padEnd(16)} ${m.subject ?? ''} (${m.status})`),
  ];
  return lines.join('\n');
}

export function list(global: GlobalOptions, io: CliIo, o: { org?: string; status?: string; json?: boolean }): Promise<void> {
  return withReadOnly(global, io, async (s) => {
    const list = await listCases(s.orm.em.fork(), s.orgs, { ...(o.org ? { org: o.org } : {}), ...(o.status ? { status: o.status } : {}) });
    if (o.json) return io.out(JSON.stringify(list, null, 2));
    if (list.length === 0) return io.out('no cases');
    for (const c of list)
      io.out(`${c.ref}  ${c.status.padEnd(10)} ${c.ladder.padEnd(24)} ${(c.rung ?? '–').padEnd(24)} ${c.nextActionAt ?? '–'}  ${c.subject}`);
  });
}

export function show(global: GlobalOptions, io: CliIo, ref: string, o: { json?: boolean }): Promise<void> {
  return withReadOnly(global, io, async (s) => {
    const view = await showCase(s.orm.em.fork(), s.orgs, ref, s.clock.now(), s.logger);
    if (!view) throw new CliError(`no case ${ref}`);
    io.out(o.json ? JSON.stringify(view, null, 2) : formatView(view));
  });
}

/** An operator's command on one case: the same rules as an emailed command, with the operator as actor. */
export function act(global: GlobalOptions, io: CliIo, ref: string, command: CaseCommand, actor: string): Promise<void> {
  return withService(global, io, async (s) => {
    const result = await runCaseCommand(s.deps, ref, command, actor);
    for (const m of result.messages) (result.ok ? io.out : io.err)(`${ref}: ${m}`);
    if (!result.ok) throw new CliError(`${ref}: nothing changed`);
  });
}

export function exportOne(global: GlobalOptions, io: CliIo, ref: string, o: { raw: boolean; out?: string }): Promise<void> {
  return withReadOnly(global, io, async (s) => {
    const data = await exportCase(Repositories.open(s.orm).cases, ref, { raw: o.raw }, s.clock.now());
    if (!data) throw new CliError(`no case ${ref}`);
    const json = JSON.stringify(data, null, 2);
    if (!o.out) return io.out(json);
    const path = resolve(io.cwd, o.out);
    writeFileSync(path, json, { encoding: 'utf8', mode: 0o600 });
    io.out(`wrote ${path}`);
  });
}
