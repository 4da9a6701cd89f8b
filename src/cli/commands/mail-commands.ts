import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import nodemailer from 'nodemailer';
import { resolveFrom } from '../../config/load-config.js';
import { LadderRegistry } from '../../config/load-ladders.js';
import { WorkCalendar } from '../../domain/calendar/work-calendar.js';
import { rolesOf } from '../../domain/ladder/effective-ladder.js';
import { formatInspectReport, inspectMessage } from '../../inbound/inspect-message.js';
import { topReceivedDate } from '../../inbound/parse-message.js';
import { CliError, type CliIo } from '../cli-io.js';
import { load, type GlobalOptions } from '../load.js';
import { trustSetting } from '../../runtime/organisations.js';

export function registerMailCommands(program: Command, io: CliIo): void {
  const mail = program.command('mail').description('look at messages the way the service reads them');
  mail
    .command('inspect <file>')
    .description('what the service makes of one .eml file (automatic? bounce? new text, classification, command, directives, case tag); changes nothing')
    .option('--org <id>', 'read it as this organisation’s inbox (default: the first)')
    .option('--received <iso>', 'when it was received (default: the top Received line, else now)', '')
    .option('--json', 'JSON output')
    .action(async (file: string, o: { org?: string; received: string; json?: boolean }) => {
      const path = resolve(io.cwd, file);
      if (!existsSync(path)) throw new CliError(`no such file: ${file}`);
      const loaded = load(program.opts<GlobalOptions>(), io);
      const cfg = loaded.config;
      const org = o.org ? cfg.organisations.find((x) => x.id === o.org) : cfg.organisations[0];
      if (!org) throw new CliError(`no organisation "${o.org}" in the config`);
      const ladders = LadderRegistry.load(resolveFrom(loaded.baseDir, cfg.laddersDir), {
        [org.id]: org.laddersDir ? resolveFrom(loaded.baseDir, org.laddersDir) : undefined,
      });
      const raw = readFileSync(path);
      // Without --received, our own server's Received line says when it arrived.
      const receivedAt = o.received ? new Date(o.received) : (topReceivedDate(raw) ?? new Date());
      if (Number.isNaN(receivedAt.getTime())) throw new CliError(`--received: "${o.received}" is not a date-time`);
      const report = await inspectMessage(raw, {
        inboxAddress: org.mailbox.address,
        timezone: org.timezone,
        roles: new Set(ladders.all(org.id).flatMap((l) => [...rolesOf(l)])),
        ladderIds: ladders.ids(org.id),
        trustedAuthservIds: cfg.trust.authservIds,
        trust: trustSetting(org, cfg.trust.authservIds),
        workingDays: new WorkCalendar({ nation: org.nation, timezone: org.timezone, window: org.sendWindow }),
        receivedAt,
        maxHtmlLength: cfg.limits.maxHtmlLength,
      });
      io.out(o.json ? JSON.stringify(report, null, 2) : formatInspectReport(report));
    });

  program
    .command('demo')
    .description('send a sample tagged request to the local inbound SMTP listener (local defaults)')
    .option('--to <address>', 'the professional to address it to', 'sam.patel@northshire.example')
    .action(async (o: { to: string }) => {
      const loaded = load(program.opts<GlobalOptions>(), io);
      const org = loaded.config.organisations[0]!;
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
    });
}
