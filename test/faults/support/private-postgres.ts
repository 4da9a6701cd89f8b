import { spawn, spawnSync, type SpawnOptions } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '../../support/free-port.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The highest PostgreSQL major version installed the Debian way (/usr/lib/postgresql/<n>/bin). */
function postgresBinDir(): string {
  if (process.env.FAULT_PG_BIN) return process.env.FAULT_PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl'))) : [];
  versions.sort((a, b) => Number(a) - Number(b));
  const latest = versions.at(-1);
  if (!latest) throw new Error(`no PostgreSQL server binaries under ${root} (install postgresql, or set FAULT_PG_BIN)`);
  return join(root, latest, 'bin');
}

/** initdb and postgres refuse to run as root: as root, they run as the `postgres` system user. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => {
    const out = spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
    if (out.status !== 0) throw new Error('running as root, but there is no `postgres` system user to run the private PostgreSQL as');
    return Number(out.stdout.trim());
  };
  return { uid: id('-u'), gid: id('-g') };
}

/** Clusters still running when the test process exits (a failure before close): stopped at once, their files removed. */
const live = new Set<PrivatePostgres>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const cluster of live) cluster.destroySync();
  });
}

/**
 * A PostgreSQL cluster of the fault suite's own (initdb in a temp dir, trust auth, a free loopback
 * port), so the suite can take the database away for real — `pg_ctl stop -m immediate`, connections
 * refused until it is started again — without touching the machine's PostgreSQL that other test
 * runs use. close() stops it and removes its files; a test process that dies first does the same
 * on exit.
 */
export class PrivatePostgres {
  private readonly bin = postgresBinDir();
  private readonly user = serverUser();
  private readonly data: string;
  private readonly sockets: string;
  private readonly logFile: string;
  private closed = false;
  /** Outages taken (stop -m immediate … start). */
  outages = 0;

  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {
    this.data = join(dir, 'data');
    this.sockets = join(dir, 'run');
    this.logFile = join(dir, 'postgres.log');
  }

  static async start(): Promise<PrivatePostgres> {
    const dir = mkdtempSync(join(tmpdir(), 'escalator-faults-pg-'));
    const cluster = new PrivatePostgres(dir, await freePort());
    live.add(cluster);
    installExitHook();
    try {
      mkdirSync(cluster.sockets);
      if (cluster.user) {
        for (const path of [dir, cluster.sockets]) chownSync(path, cluster.user.uid, cluster.user.gid);
        chmodSync(dir, 0o700);
      }
      await cluster.run('initdb', ['-D', cluster.data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions']);
      await cluster.startServer();
      return cluster;
    } catch (error) {
      await cluster.close().catch(() => undefined);
      throw error;
    }
  }

  /** The admin URL (database `postgres`); `urlFor(name)` for another database. */
  get url(): string {
    return this.urlFor('postgres');
  }

  urlFor(database: string): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async createDatabase(name: string): Promise<string> {
    if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`database name ${name}: use [a-z0-9_]`);
    const client = new pg.Client({ connectionString: this.url });
    await client.connect();
    try {
      await client.query(`create database "${name}"`);
    } finally {
      await client.end();
    }
    return this.urlFor(name);
  }

  /** Starts the server and waits until it accepts connections (pg_ctl -w). */
  async startServer(): Promise<void> {
    const options = [
      `-p ${this.port}`,
      `-k ${this.sockets}`,
      '-c listen_addresses=127.0.0.1',
      '-c max_connections=200',
      // A test cluster: an immediate stop is a crash the server recovers from by replaying its WAL;
      // no machine crash is simulated, so nothing needs to reach the disk.
      '-c fsync=off',
      '-c full_page_writes=off',
    ].join(' ');
    await this.run('pg_ctl', ['-D', this.data, '-l', this.logFile, '-o', options, '-w', '-t', '60', 'start']);
  }

  /** `pg_ctl stop -m immediate`: every backend dies at once, as in a crash; connections are refused from then on. */
  async stopImmediate(): Promise<void> {
    await this.run('pg_ctl', ['-D', this.data, '-m', 'immediate', '-w', '-t', '60', 'stop']);
  }

  /** A real outage: stopped with -m immediate, down for `downMs` (connections refused), started again. */
  async outage(downMs: number): Promise<void> {
    await this.stopImmediate();
    this.outages++;
    await sleep(downMs);
    await this.startServer();
  }

  log(): string {
    try {
      return readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  private run(tool: string, args: string[]): Promise<void> {
    const opts: SpawnOptions = {
      cwd: this.dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH, LANG: 'C', LC_ALL: 'C', HOME: this.dir },
      ...(this.user ? { uid: this.user.uid, gid: this.user.gid } : {}),
    };
    return new Promise<void>((resolve, reject) => {
      const child = spawn(join(this.bin, tool), args, opts);
      let output = '';
      child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
      child.once('error', reject);
      child.once('exit', (code) => {
        if (code === 0) resolve();
        else reject(new Error(`${tool} ${args.at(-1)} exited with ${code}: ${output.trim().slice(-2000)}\n${this.log().slice(-2000)}`));
      });
    });
  }

  /** Stops the server at once (-m immediate: nothing in it is kept) and removes its files. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    live.delete(this);
    if (existsSync(join(this.data, 'postmaster.pid')))
      await this.stopImmediate().catch(() => {
        this.killPostmaster();
      });
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** close() for the process's exit hook, where nothing asynchronous runs any more. */
  destroySync(): void {
    if (this.closed) return;
    this.closed = true;
    live.delete(this);
    this.killPostmaster();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** SIGQUIT to the postmaster (what -m immediate sends), read from its pid file. */
  private killPostmaster(): void {
    let pid = 0;
    try {
      pid = Number(readFileSync(join(this.data, 'postmaster.pid'), 'utf8').split('\n')[0]);
      if (pid > 0) process.kill(pid, 'SIGQUIT');
    } catch {
      return; // Not running.
    }
    // Wait (synchronously: this also runs in the exit hook) up to 5 s for it to be gone.
    const until = Date.now() + 5_000;
    while (Date.now() < until) {
      try {
        process.kill(pid, 0);
      } catch {
        return;
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    }
  }
}
