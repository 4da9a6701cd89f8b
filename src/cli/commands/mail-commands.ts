import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import nodemailer from 'nodemailer';
import { CliError, type CliIo } from '../cli-io.js';
import { load, type GlobalOptions } from '../load.js';

export function registerMailCommands(program: Command, io: CliIo): void {
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
      io.out(`sent ${info.messageId} to ${inbound.host}:${inbound.port}; watch the confirmation arrive in ${org.mailbox.outbound.type === 'file' ? org.mailbox.outbound.dir : 'the outbound mailbox'}, then run: npx escalator cases list`);
    });
}
