import type { EntityManager } from '@mikro-orm/postgresql';

/** The web view's sign-in sessions (Migration20261206110000): opaque data under a random id, until it expires. */
export class WebSessionRepository {
  constructor(private readonly em: EntityManager) {}

  async find(sid: string, now: Date): Promise<Record<string, unknown> | null> {
    const rows = await this.em.execute<{ data: Record<string, unknown> }[]>(`select data from web_session where sid = ? and expires_at > ?`, [sid, now]);
    return rows[0]?.data ?? null;
  }

  async save(sid: string, data: Record<string, unknown>, expiresAt: Date): Promise<void> {
    await this.em.execute(
      `insert into web_session (sid, data, expires_at, updated_at) values (?, ?::jsonb, ?, now())
       on conflict (sid) do update set data = excluded.data, expires_at = excluded.expires_at, updated_at = now()`,
      [sid, JSON.stringify(data), expiresAt],
    );
  }

  async destroy(sid: string): Promise<void> {
    await this.em.execute(`delete from web_session where sid = ?`, [sid]);
  }

  /** Removes expired sessions; returns how many. */
  async purgeExpired(now: Date): Promise<number> {
    const rows = await this.em.execute<{ sid: string }[]>(`delete from web_session where expires_at <= ? returning sid`, [now]);
    return rows.length;
  }
}
