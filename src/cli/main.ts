#!/usr/bin/env node
import { runCli } from './program.js';

const code = await runCli(process.argv.slice(2));
// Long-running commands (start, worker, watch) resolve only after a graceful shutdown.
process.exit(code);
