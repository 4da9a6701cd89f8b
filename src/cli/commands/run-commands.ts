import type { Command } from 'commander';
import type { ServiceParts } from '../../app/service.js';
import type { CliIo } from '../cli-io.js';
import type { GlobalOptions } from '../load.js';

const actions = () => import('../actions/run.js');

export function registerRunCommands(program: Command, io: CliIo): void {
  const run = async (parts: ServiceParts, o: { migrate: boolean }) =>
    (await actions()).run(parts, { ...program.opts<GlobalOptions>(), migrate: o.migrate }, io);
  program
    .command('start')
    .description('run everything: mailbox watchers, workers, health and metrics, and the web view when configured')
    .option('--no-migrate', 'do not apply pending database migrations first')
    .action((o: { migrate: boolean }) => run({ watcher: true, worker: true, http: true, web: true }, o));
  program
    .command('worker')
    .description('run the job workers only (any number may run)')
    .option('--no-migrate', 'do not apply pending database migrations first')
    .action((o: { migrate: boolean }) => run({ watcher: false, worker: true, http: true }, o));
  program
    .command('watch')
    .description('run the mailbox watchers only (one per mailbox across all processes)')
    .option('--no-migrate', 'do not apply pending database migrations first')
    .action((o: { migrate: boolean }) => run({ watcher: true, worker: false, http: true }, o));
  program
    .command('web')
    .description('run the web case view alone (needs `web:` in the config)')
    .option('--no-migrate', 'do not apply pending database migrations first')
    .action((o: { migrate: boolean }) => run({ watcher: false, worker: false, http: false, web: true }, o));
  program
    .command('migrate')
    .description('create the database if needed and apply pending migrations')
    .action(async () => (await actions()).migrate(program.opts<GlobalOptions>(), io));
}
