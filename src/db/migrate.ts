import pg from 'pg';
import type { Orm } from './orm.js';

/** Creates the database named in the URL when it does not exist (a fresh machine, a new test). */
export async function ensureDatabase(url: string): Promise<boolean> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!name) throw new Error('the database URL names no database');
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount) return false;
    await client.query(`create database "${name.replace(/"/g, '""')}"`);
    return true;
  } catch (error) {
    // Another process created it between our check and our create.
    if ((error as { code?: string }).code === '42P04') return false;
    throw error;
  } finally {
    await client.end();
  }
}

const MIGRATION_LOCK = 7_356_120_001;

/**
 * The part of knex's connection pool the lock needs. Knex types its client as `any`; an advisory
 * lock is held by one session, so it takes a connection of its own rather than the pool's next.
 */
interface LockPool {
  acquireConnection(): Promise<LockSession>;
  releaseConnection(session: LockSession): Promise<void>;
}
interface LockSession {
  query(sql: string, params: unknown[]): Promise<unknown>;
}

/** Runs pending migrations, one process at a time (several workers may start together). */
export async function migrate(orm: Orm): Promise<string[]> {
  const conn = orm.em.getConnection();
  const pool = conn.getKnex().client as LockPool;
  const lockConn = await pool.acquireConnection();
  try {
    await lockConn.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const done = await orm.migrator.up();
    return done.map((m) => m.name);
  } finally {
    await lockConn.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await pool.releaseConnection(lockConn);
  }
}
