import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/interpolate.js';
import { CliError, processIo, type CliIo } from './cli-io.js';
import { registerCaseCommands } from './commands/case-commands.js';
import { registerDoctorCommands } from './commands/doctor-commands.js';
import { registerLadderCommands } from './commands/ladder-commands.js';
import { registerMailCommands } from './commands/mail-commands.js';
import { registerOpsCommands } from './commands/ops-commands.js';
import { registerReportCommands } from './commands/report-commands.js';
import { registerRunCommands } from './commands/run-commands.js';
import { registerTemplateCommands } from './commands/template-commands.js';

export function buildProgram(io: CliIo): Command {
  const program = new Command('escalator')
    .description('An email escalation inbox for children’s social care')
    .option('-c, --config <file>', 'config file (default: $ESCALATOR_CONFIG, config/escalator.yaml, else local defaults)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => {
        io.out(s);
      },
      writeErr: (s) => {
        io.err(s);
      },
    });
  registerRunCommands(program, io);
  registerLadderCommands(program, io);
  registerCaseCommands(program, io);
  registerMailCommands(program, io);
  registerOpsCommands(program, io);
  registerDoctorCommands(program, io);
  registerReportCommands(program, io);
  registerTemplateCommands(program, io);
  return program;
}

/** Runs one command line; returns the exit code (0 ok, 1 failure, 2 usage). */
export async function runCli(argv: string[], io: CliIo = processIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof CliError) {
      io.err(`escalator: ${error.message}`);
      return error.exitCode;
    }
    if (error instanceof ConfigError) {
      io.err(`escalator: ${error.message}`);
      return 1;
    }
    io.err(`escalator: ${(error as Error).message}`);
    return 1;
  }
}
