import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from '../../support/free-port.js';
import { waitFor } from '../../support/wait.js';

/**
 * A redis-server of the fault suite's own, on a free port, keeping nothing on disk: it can be
 * killed and started empty (the "Redis restarted with its data gone" fault) without touching the
 * machine's shared Redis that other test runs use.
 */
export class PrivateRedis {
  private child: ChildProcess | undefined;

  private constructor(readonly port: number) {}

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort());
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--loglevel', 'warning'],
      {
        stdio: 'ignore',
      },
    );
    const child = this.child;
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`redis-server on ${this.port} exited with ${child.exitCode}`);
        const client = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
        client.on('error', () => undefined);
        try {
          await client.connect();
          // ping() answers PONG or rejects; reaching the next line is the answer.
          await client.ping();
          return true;
        } catch {
          return false;
        } finally {
          client.disconnect();
        }
      },
      { timeout: 10_000, interval: 50, what: `redis-server on port ${this.port}` },
    );
  }

  /** kill -9: everything in it is gone, as after a crash of a Redis that keeps nothing on disk. */
  async kill(): Promise<void> {
    const child = this.child;
    if (child?.exitCode !== null) return;
    const exited = new Promise<void>((resolve) =>
      child.once('exit', () => {
        resolve();
      }),
    );
    child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    await this.kill();
  }
}
