import type { EntityManager } from '@mikro-orm/postgresql';

export interface DeltaPosition {
  link: string;
  /** `next`: a round of pages under way; `delta`: the round is over. */
  kind: 'next' | 'delta';
}

/** Where the Graph reader of each mailbox folder got to (Migration20261206100000). */
export class GraphDeltaRepository {
  constructor(private readonly em: EntityManager) {}

  async find(folderKey: string): Promise<DeltaPosition | null> {
    const rows = await this.em.execute<{ link: string; link_kind: 'next' | 'delta' }[]>(`select link, link_kind from graph_delta_state where folder_key = ?`, [
      folderKey,
    ]);
    return rows[0] ? { link: rows[0].link, kind: rows[0].link_kind } : null;
  }

  async save(folderKey: string, position: DeltaPosition): Promise<void> {
    await this.em.execute(
      `insert into graph_delta_state (folder_key, link, link_kind, updated_at) values (?, ?, ?, now())
       on conflict (folder_key) do update set link = excluded.link, link_kind = excluded.link_kind, updated_at = now()`,
      [folderKey, position.link, position.kind],
    );
  }

  /** Forgets the position: the next poll starts a full round (after a 410 Gone). */
  async forget(folderKey: string): Promise<void> {
    await this.em.execute(`delete from graph_delta_state where folder_key = ?`, [folderKey]);
  }

  /** Which of these Message-IDs are stored for the mailbox already (read before fetching a message again). */
  async storedMessageIds(mailbox: string, messageIds: string[]): Promise<Set<string>> {
    if (messageIds.length === 0) return new Set();
    const rows = await this.em.execute<{ message_id: string }[]>(`select message_id from message where mailbox = ? and message_id in (?)`, [
      mailbox,
      messageIds,
    ]);
    return new Set(rows.map((r) => r.message_id));
  }
}
