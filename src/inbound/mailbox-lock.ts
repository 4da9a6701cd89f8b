import pg from 'pg';

/**
 * One watcher per mailbox across every process: a Postgres session-level advisory lock held on
 * a dedicated connection for as long as the watcher runs. If that connection dies the lock goes
 * with it, and `lost` tells the watcher to stop.
 */
export class MailboxLock {
  private client: pg.Client | undefined;
  lost = false;

  get held(): boolean {
    return !!this.client && !this.lost;
  }

  constructor(
    private readonly databaseUrl: string,
    private readonly key: string,
  ) {}

  async tryAcquire(): Promise<boolean> {
    const client = new pg.Client({ connectionString: this.databaseUrl });
    client.on('error', () => {
      this.lost = true;
    });
    await client.connect();
    const res = await client.query<{ ok: boolean }>('select pg_try_advisory_lock(hashtextextended($1, 0)) as ok', [`mailbox:${this.key}`]);
    if (!res.rows[0]?.ok) {
      await client.end().catch(() => undefined);
      return false;
    }
    this.client = client;
    this.lost = false;
    client.on('end', () => {
      this.lost = true;
    });
    return true;
  }

  async release(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    await client.query('select pg_advisory_unlock_all()').catch(() => undefined);
    await client.end().catch(() => undefined);
  }
}
