import { execFile } from 'node:child_process';
import os from 'node:os';
import { promisify } from 'node:util';
import pg from 'pg';
import { adminPgUrl } from '../test/support/database.js';
import type { RedisServer } from './rig.js';

const run = promisify(execFile);

export interface MachineInfo {
  date: string;
  cpu: string;
  cores: number;
  memoryGb: number;
  kernel: string;
  node: string;
  postgres: string;
  redis: string;
  dovecot: string;
  loadAverage: number[];
}

async function version(cmd: string, args: string[]): Promise<string> {
  return run(cmd, args).then(
    (r) => (r.stdout || r.stderr).trim().split('\n')[0] ?? '?',
    () => '?',
  );
}

export async function machineInfo(redis: RedisServer): Promise<MachineInfo> {
  const client = new pg.Client({ connectionString: adminPgUrl() });
  await client.connect();
  const pgVersion = (await client.query<{ server_version: string }>('show server_version')).rows[0]?.server_version ?? '?';
  await client.end();
  return {
    date: new Date().toISOString(),
    cpu: os.cpus()[0]?.model ?? '?',
    cores: os.cpus().length,
    memoryGb: Math.round(os.totalmem() / 1024 ** 3),
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    postgres: pgVersion,
    redis: await redis.version(),
    dovecot: await version(process.env.DOVECOT_BIN ?? '/usr/sbin/dovecot', ['--version']),
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

export function describeMachine(m: MachineInfo): string {
  return [
    `date      ${m.date}`,
    `cpu       ${m.cpu} × ${m.cores} cores, ${m.memoryGb} GB`,
    `system    ${m.kernel}`,
    `software  Node ${m.node}, PostgreSQL ${m.postgres}, Redis ${m.redis} (private, no persistence), Dovecot ${m.dovecot}`,
    `load avg  ${m.loadAverage.join(' ')} (1, 5, 15 min) at start`,
  ].join('\n');
}
