import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../support/repo-root.js';

export type ProcessKind = 'worker' | 'watch';

/** Postgres sees the service's connections under this name, so a fault can cut exactly those. */
export const CHILD_APPLICATION_NAME = 'escalator-fault-child';

/**
 * One `escalator worker` or `escalator watch` as a real child process (run from the TypeScript
 * sources through tsx, as `npm run dev` does), so it can be killed with SIGKILL mid-job. Its
 * stdout (the JSON log) and stderr go to a file per process, for the log scan and for failures.
 */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  private log: WriteStream | undefined;
  readonly logPath: string;
  starts = 0;
  /** Exits nobody asked for (a crash at start while the database was cut, say); restarted like a supervisor would. */
  unexpectedExits = 0;
  private expectingExit = false;
  /** Whether the process running now has logged that it started (its start() returned: schedulers upserted, workers on). */
  booted = false;

  constructor(
    readonly kind: ProcessKind,
    readonly name: string,
    private readonly o: { configPath: string; clockFile: string; logDir: string },
  ) {
    this.logPath = join(o.logDir, `${name}.log`);
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    if (this.running) return;
    this.starts++;
    this.log ??= createWriteStream(this.logPath, { flags: 'a' });
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', '--config', this.o.configPath, this.kind, '--no-migrate'], {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        ESCALATOR_CLOCK_FILE: this.o.clockFile,
        PGAPPNAME: CHILD_APPLICATION_NAME,
        NODE_NO_WARNINGS: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pipe(this.log, { end: false });
    this.booted = false;
    let tail = '';
    child.stdout.on('data', (chunk: Buffer) => {
      if (this.child !== child || this.booted) return;
      const text = tail + chunk.toString();
      if (text.includes('"msg":"escalator started"')) this.booted = true;
      tail = text.slice(-64);
    });
    child.stderr.on('data', (chunk: Buffer) => this.log?.write(`[stderr] ${chunk.toString()}`));
    child.once('exit', (code, signal) => {
      if (this.expectingExit || this.child !== child) return;
      this.unexpectedExits++;
      this.log?.write(`[supervisor] exited by itself (code ${code}, signal ${signal}); starting again\n`);
      setTimeout(() => {
        if (!this.expectingExit && this.child === child) this.start();
      }, 1_000);
    });
    this.expectingExit = false;
    this.child = child;
  }

  /** kill -9, and wait until it is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (child?.exitCode !== null || child.signalCode !== null) return;
    this.expectingExit = true;
    const exited = new Promise<void>((resolve) =>
      child.once('exit', () => {
        resolve();
      }),
    );
    child.kill(signal);
    await exited;
  }

  /** SIGTERM, which the service answers with a graceful shutdown; the exit code it ended with. */
  async terminate(timeoutMs = 40_000): Promise<number | null> {
    const child = this.child;
    if (child?.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
    this.expectingExit = true;
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => {
        resolve(code);
      }),
    );
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const code = await exited;
    clearTimeout(timer);
    return code;
  }

  logText(): string {
    try {
      return readFileSync(this.logPath, 'utf8');
    } catch {
      return '';
    }
  }

  closeLog(): void {
    this.log?.end();
  }
}
