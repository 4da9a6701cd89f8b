import type { EntityManager } from '@mikro-orm/postgresql';

/** One notice folded into a summary instead of going on its own (loop protection, stranger notices). */
export interface FoldedNotice {
  orgId: string;
  caseId: string;
  summaryKey: string;
  sender: string;
  kind: string;
  messageKey: string;
  safeguarding: boolean;
  at: Date;
}

/** The notices a summary lists (table folded_notice). */
export class FoldedNoticeRepository {
  constructor(private readonly em: EntityManager) {}

  /** Adds a notice to its summary; the same notice twice (a replayed decision) is listed once. */
  async add(n: FoldedNotice): Promise<void> {
    await this.em.execute(
      `insert into folded_notice (organisation_id, case_id, summary_key, sender, kind, message_key, safeguarding, at) values (?, ?, ?, ?, ?, ?, ?, ?)
       on conflict (summary_key, message_key) do nothing`,
      [n.orgId, n.caseId, n.summaryKey, n.sender, n.kind, n.messageKey, n.safeguarding, n.at],
    );
  }

  /** A summary's notices in the order they came, with the reference of each one's case. */
  async ofSummary(summaryKey: string): Promise<Array<{ kind: string; sender: string; safeguarding: boolean; at: Date; ref: string | null }>> {
    const rows = await this.em.execute<Array<{ kind: string; sender: string; safeguarding: boolean; at: Date; ref: string | null }>>(
      `select f.kind, f.sender, f.safeguarding, f.at, c.ref from folded_notice f left join escalation_case c on c.id = f.case_id
        where f.summary_key = ? order by f.at, f.id`,
      [summaryKey],
    );
    return rows.map((r) => ({ ...r, at: new Date(r.at) }));
  }
}
