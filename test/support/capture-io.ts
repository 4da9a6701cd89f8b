import type { CliIo } from '../../src/cli/cli-io.js';
import { REPO_ROOT } from './repo-root.js';

/** A CliIo that keeps what a command printed, for asserting what a user would see. */
export function captureIo(env: NodeJS.ProcessEnv = {}, cwd = REPO_ROOT): CliIo & { stdout: () => string; stderr: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out: (t) => out.push(t.endsWith('\n') ? t : `${t}\n`),
    err: (t) => err.push(t.endsWith('\n') ? t : `${t}\n`),
    env: { PATH: process.env.PATH, ...env },
    cwd,
    stdout: () => out.join(''),
    stderr: () => err.join(''),
  };
}
