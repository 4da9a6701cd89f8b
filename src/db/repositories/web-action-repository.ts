import type { EntityManager } from '@mikro-orm/postgresql';

export interface WebActionRecord {
  key: string;
  caseId: string;
  actor: string;
  action: string;
  ok: boolean;
  messages: string[];
}

/**
 * Actions taken in the web view, one row per confirmation form (Migration20261206110000). The row
 * is written in the same transaction as the case's change, so a form posted twice finds it and
 * acts once.
 */
export class WebActionRepository {
  constructor(private readonly em: EntityManager) {}

  async find(key: string): Promise<WebActionRecord | null> {
    const rows = await this.em.execute<{ key: string; case_id: string; actor: string; action: string; ok: boolean; messages: string[] }[]>(
      `select key, case_id, actor, action, ok, messages from web_action where key = ?`,
      [key],
    );
    const r = rows[0];
    return r ? { key: r.key, caseId: r.case_id, actor: r.actor, action: r.action, ok: r.ok, messages: r.messages } : null;
  }

  /** Records the action; false when that key was recorded already (the caller's transaction must then undo its change). */
  async record(a: WebActionRecord): Promise<boolean> {
    const rows = await this.em.execute<{ key: string }[]>(
      `insert into web_action (key, case_id, actor, action, ok, messages) values (?, ?, ?, ?, ?, ?::jsonb) on conflict (key) do nothing returning key`,
      [a.key, a.caseId, a.actor, a.action, a.ok, JSON.stringify(a.messages)],
    );
    return rows.length === 1;
  }
}
