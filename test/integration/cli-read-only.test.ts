// Commands that only read (`cases list`, `cases show`) neither migrate the database nor connect to
// Redis: on a database not migrated yet they say so and change nothing; on a migrated one they work
// with Redis unreachable, and write nothing (not even the organisation rows the service keeps).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { captureIo } from '../support/capture-io.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { freePort } from '../support/free-port.js';
import { REPO_ROOT } from '../support/repo-root.js';
import { ifStarted } from '../support/if-started.js';

describe('read-only commands', () => {
  let db: TestDatabase;
  let config: string;

  beforeAll(async () => {
    db = await createTestDatabase('escalator_cli_read_only');
    // Nothing listens on this port: a command that connected to Redis would fail or hang.
    const deadRedis = `redis://127.0.0.1:${await freePort()}`;
    const base = parse(readFileSync(resolve(REPO_ROOT, 'config/escalator.local.yaml'), 'utf8')) as Record<string, unknown>;
    config = join(mkdtempSync(join(tmpdir(), 'escalator-cli-ro-')), 'escalator.yaml');
    writeFileSync(
      config,
      stringify({
        ...base,
        database: { url: db.url },
        redis: { url: deadRedis, prefix: 'cli-read-only' },
        logging: { level: 'silent' },
        laddersDir: resolve(REPO_ROOT, 'config/ladders'),
        directory: resolve(REPO_ROOT, 'config/directory.yaml'),
      }),
    );
  });
  afterAll(async () => {
    await ifStarted(db, (x) => x.drop());
  });

  const cli = async (...args: string[]) => {
    const io = captureIo({ ESCALATOR_LOG_LEVEL: 'silent' });
    const code = await runCli(['--config', config, ...args], io);
    return { code, out: io.stdout(), err: io.stderr() };
  };
  const tables = async (): Promise<string[]> => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const r = await client.query<{ table_name: string }>(
        `select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
      );
      return r.rows.map((x) => x.table_name);
    } finally {
      await client.end();
    }
  };
  const count = async (table: string): Promise<number> => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      return Number((await client.query<{ n: string }>(`select count(*) as n from ${table}`)).rows[0]!.n);
    } finally {
      await client.end();
    }
  };

  it('on a database not migrated yet: a clear error, and the database is left as it was', async () => {
    const list = await cli('cases', 'list');
    expect(list.code).toBe(1);
    expect(list.err).toContain('run `escalator migrate` first');
    const show = await cli('cases', 'show', 'ESC-2026-0001');
    expect(show.code).toBe(1);
    expect(show.err).toContain('run `escalator migrate` first');
    expect(await tables()).toEqual([]);
  });

  it('once migrated: they answer with Redis unreachable and write nothing', async () => {
    const migrate = await cli('migrate');
    expect(migrate.code).toBe(0);
    expect(await tables()).toContain('escalation_case');
    const list = await cli('cases', 'list', '--json');
    expect(list.err).toBe('');
    expect(list.code).toBe(0);
    expect(JSON.parse(list.out)).toEqual([]);
    const show = await cli('cases', 'show', 'ESC-2026-0001');
    expect(show.code).toBe(1);
    expect(show.err).toContain('no case ESC-2026-0001');
    // The service mirrors the config's organisations into this table when it starts; a reader does not.
    expect(await count('organisation')).toBe(0);
  });
});
