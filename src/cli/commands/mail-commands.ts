import type { Command } from 'commander';
import type { CliIo } from '../cli-io.js';
import type { GlobalOptions } from '../load.js';

const actions = () => import('../actions/mail.js');

export function registerMailCommands(program: Command, io: CliIo): void {
  const mail = program.command('mail').description('look at messages the way the service reads them');
  mail
    .command('inspect <files...>')
    .description(
      'what the service makes of .eml files (automatic? bounce? new text, classification, command, directives, case tag); changes nothing. --json: one object per line',
    )
    .option('--org <id>', 'read them as this organisation’s inbox (default: the first)')
    .option('--received <iso>', 'when they were received (default: each one’s top Received line, else now)', '')
    .option('--json', 'JSON output, one object per file and line')
    .action(async (files: string[], o: { org?: string; received: string; json?: boolean }) =>
      (await actions()).inspect(program.opts<GlobalOptions>(), io, files, o),
    );

  mail
    .command('attachments <ref>')
    .description(
      'write the files people attached to their replies on a case to a directory (a notice names the ones too large to forward); --message <key>: only that message',
    )
    .requiredOption('--out <directory>', 'where to write them (created if missing; a file already there is not overwritten)')
    .option('--message <key>', 'the message key the notice gave')
    .action(async (ref: string, o: { out: string; message?: string }) => (await actions()).attachments(program.opts<GlobalOptions>(), io, ref, o));

  program
    .command('demo')
    .description('send a sample tagged request to the local inbound SMTP listener (local defaults)')
    .option('--to <address>', 'the professional to address it to', 'sam.patel@northshire.example')
    .action(async (o: { to: string }) => (await actions()).demo(program.opts<GlobalOptions>(), io, o));
}
