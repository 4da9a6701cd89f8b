import type { Command } from 'commander';
import type { CliIo } from '../cli-io.js';
import type { GlobalOptions } from '../load.js';
import type { DoctorOptions } from '../actions/doctor.js';

const actions = () => import('../actions/doctor.js');

export function registerDoctorCommands(program: Command, io: CliIo): void {
  const global = () => program.opts<GlobalOptions>();
  program
    .command('doctor')
    .description('check a Microsoft Graph mailbox: credential, token, reading the mailbox, a test mail to the RM, and that the app cannot read another mailbox')
    .option('--org <id>', 'only this organisation')
    .option('--other-mailbox <address>', 'a mailbox the app must not be able to read (default: the RM’s)')
    .option('--no-send', 'do not send the test mail to the RM')
    .option('--json', 'JSON output')
    .action(async (o: DoctorOptions) => (await actions()).doctor(global(), io, o));
}
