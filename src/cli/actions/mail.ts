import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import nodemailer from 'nodemailer';
import { rolesOf } from '../../domain/ladder/effective-ladder.js';
import { formatInspectReport, inspectMessage } from '../../inbound/inspect-message.js';
import { topReceivedDate } from '../../inbound/parse-message.js';
import { calendarOf } from '../../runtime/org-calendar.js';
import { loadLadders } from '../../runtime/org-ladders.js';
import { trustSetting } from '../../runtime/organisations.js';
import { CliError, type CliIo } from '../cli-io.js';
import { clockFor, load, withReadOnly, type GlobalOptions } from '../load.js';

/**
 * What the service makes of each file, read as the organisation's inbox would read it; changes
 * nothing. Text: one report per file (with a `==> file <==` line before each when there are
 * several). `--json`: one JSON object per line, with the file it came from, for batch use. A file
 * that cannot be read is named on standard error, the rest are still read, and the exit code is 1.
 */
export async function inspect(global: GlobalOptions, io: CliIo, files: string[], o: { org?: string; received: string; json?: boolean }): Promise<void> {
  const loaded = await load(global, io);
  const cfg = loaded.config;
  const org = o.org ? cfg.organisations.find((x) => x.id === o.org) : cfg.organisations[0];
  if (!org) throw new CliError(`no organisation "${o.org}" in the config`);
  const received = o.received ? new Date(o.received) : undefined;
  if (received && Number.isNaN(received.getTime())) throw new CliError(`--received: "${o.received}" is not a date-time`);
  const ladders = loadLadders(loaded);
  const options = {
    inboxAddress: org.mailbox.address,
    timezone: org.timezone,
    roles: new Set(ladders.all(org.id).flatMap((l) => [...rolesOf(l)])),
    ladderIds: ladders.ids(org.id),
    trustedAuthservIds: cfg.trust.authservIds,
    trust: trustSetting(org, cfg.trust.authservIds),
    workingDays: calendarOf(org),
    maxHtmlLength: cfg.limits.maxHtmlLength,
  };
  const clock = clockFor(io.env);
  const missing: string[] = [];
  for (const file of files) {
    const path = resolve(io.cwd, file);
    if (!existsSync(path)) {
      missing.push(file);
      io.err(`escalator: no such file: ${file}`);
      continue;
    }
    const raw = readFileSync(path);
    // Without --received, our own server's Received line says when it arrived.
    const receivedAt = received ?? topReceivedDate(raw) ?? clock.now();
    const report = await inspectMessage(raw, { ...options, receivedAt });
    if (o.json) io.out(JSON.stringify({ file, ...report }));
    else io.out(files.length > 1 ? `==> ${file} <==\n${formatInspectReport(report)}\n` : formatInspectReport(report));
  }
  if (missing.length > 0) throw new CliError(`${missing.length} of ${files.length} file(s) could not be read`);
}

export async function demo(global: GlobalOptions, io: CliIo, o: { to: string }): Promise<void> {
  const loaded = await load(global, io);
  const org = loaded.config.organisations[0];
  if (!org) throw new CliError(`no organisation in ${loaded.path}`);
  const inbound = org.mailbox.inbound;
  if (inbound.type !== 'smtp-listener') throw new CliError('demo needs an organisation with an inbound SMTP listener (the local defaults have one)');
  const transport = nodemailer.createTransport({ host: inbound.host, port: inbound.port, secure: false, ignoreTLS: true });
  const info = await transport.sendMail({
    from: { name: org.manager.name ?? 'Registered Manager', address: org.manager.email },
    to: o.to,
    cc: org.mailbox.address,
    subject: 'LAC review minutes for AB-1234 [escalate]',
    text: readFileSync(new URL('../../../config/demo-request.txt', import.meta.url), 'utf8'),
  });
  transport.close();
  io.out(
    `sent ${info.messageId} to ${inbound.host}:${inbound.port}; watch the confirmation arrive in ${org.mailbox.outbound.type === 'file' ? org.mailbox.outbound.dir : 'the outbound mailbox'}, then run: npx escalator cases list`,
  );
}

/**
 * The files people attached to their replies on a case, written to a directory as
 * `<message key>/<file name>`; a name already there is not overwritten (a number is added). Prints
 * one line per file. Read-only on the database.
 */
export function attachments(global: GlobalOptions, io: CliIo, ref: string, o: { out: string; message?: string }): Promise<void> {
  return withReadOnly(global, io, async (s) => {
    const { caseAttachments } = await import('../../workflows/case-attachments.js');
    const found = await caseAttachments(s.orm.em.fork(), ref, o.message);
    if (!found) throw new CliError(`no case ${ref}`);
    if (found.length === 0)
      throw new CliError(o.message ? `${ref}: no message ${o.message} with attachments` : `${ref}: no message on the case came with attachments`);
    const out = resolve(io.cwd, o.out);
    for (const m of found) {
      if (!m.files) {
        io.err(`${ref}: message ${m.key} (${m.from ?? 'unknown sender'}): its content is no longer stored, only its headers`);
        continue;
      }
      const dir = join(out, m.key);
      mkdirSync(dir, { recursive: true });
      for (const f of m.files) {
        const path = freeName(dir, f.filename);
        writeFileSync(path, f.content, { flag: 'wx' });
        io.out(`${path}  ${f.size} bytes  (${m.from ?? 'unknown sender'}, ${m.receivedAt.toISOString()})`);
      }
    }
  });
}

/** `minutes.pdf`, then `minutes (2).pdf`, … : never over a file already there. */
function freeName(dir: string, name: string): string {
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  for (let i = 1; ; i++) {
    const path = join(dir, i === 1 ? name : `${stem} (${i})${ext}`);
    if (!existsSync(path)) return path;
  }
}
