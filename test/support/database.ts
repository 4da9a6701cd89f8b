import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface TestDatabase {
  /** Connection URL of the new database, same credentials as the admin URL. */
  url: string;
  name: string;
  /** Terminates remaining connections (a leaked pool must not block cleanup) and drops it. */
  drop(): Promise<void>;
}

/** Admin connection used to create and drop test databases; TEST_PG_URL overrides it. */
export function adminPgUrl(): string {
  return process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

// "being accessed by other users": CREATE DATABASE copies template1 and fails while anyone else
// is connected to it; DROP fails if a pool reconnected between terminate and drop.
const OBJECT_IN_USE = '55006';

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminPgUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function retryInUse<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if ((error as { code?: string }).code !== OBJECT_IN_USE || attempt >= 10) throw error;
      await new Promise<void>((resolve) => setTimeout(resolve, 100 * (attempt + 1)));
    }
  }
}

/**
 * Creates an empty, uniquely named database so test files can run in parallel without sharing
 * rows. The name carries the pid and a random suffix; a crashed run leaves it behind, but it can
 * never collide with a later one.
 */
export async function createTestDatabase(prefix = 'escalator_test'): Promise<TestDatabase> {
  const safePrefix = prefix
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 40);
  const name = `${safePrefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const quoted = `"${name}"`; // safe: the name is [a-z0-9_] only

  await withAdmin((client) => retryInUse(() => client.query(`CREATE DATABASE ${quoted}`)));

  const url = new URL(adminPgUrl());
  url.pathname = `/${name}`;
  let dropped = false;

  return {
    url: url.toString(),
    name,
    async drop() {
      if (dropped) return;
      await withAdmin(async (client) => {
        await retryInUse(async () => {
          await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
          await client.query(`DROP DATABASE IF EXISTS ${quoted}`);
        });
      });
      dropped = true;
    },
  };
}
