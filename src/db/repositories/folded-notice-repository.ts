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
  /** What the summary says of this notice (hourly step notices: the step, taken when it was folded). */
  detail?: Record<string, unknown>;
}

/** The notices a summary lists (table folded_notice). */
export class FoldedNoticeRepository {
  constructor(private readonly em: EntityManager) {}

  /** Adds a notice to its summary; the same notice twice (a replayed decision) is listed once. */
  async add(n: FoldedNotice): Promise<void> {
    await this.em.execute(
      `insert into folded_notice (organisation_id, case_id, summary_key, sender, kind, message_key, safeguarding, at, detail) values (?, ?, ?, ?, ?, ?, ?, ?, ?)
       on conflict (summary_key, message_key) do nothing`,
      [n.orgId, n.caseId, n.summaryKey, n.sender, n.kind, n.messageKey, n.safeguarding, n.at, n.detail === undefined ? null : JSON.stringify(n.detail)],
    );
  }

  /** A summary's notices in the order they came, with the reference of each one's case. */
  async ofSummary(summaryKey: string): Promise<{ kind: string; sender: string; safeguarding: boolean; at: Date; ref: string | null }[]> {
    const rows = await this.em.execute<{ kind: string; sender: string; safeguarding: boolean; at: Date; ref: string | null }[]>(
      `select f.kind, f.sender, f.safeguarding, f.at, c.ref from folded_notice f left join escalation_case c on c.id = f.case_id
        where f.summary_key = ? order by f.at, f.id`,
      [summaryKey],
    );
    return rows.map((r) => ({ ...r, at: new Date(r.at) }));
  }

  /** The details of a summary's notices in the order they came (hourly step notices). */
  async detailsOf(summaryKey: string): Promise<Record<string, unknown>[]> {
    const rows = await this.em.execute<{ detail: Record<string, unknown> | null }[]>(`select detail from folded_notice where summary_key = ? order by at, id`, [
      summaryKey,
    ]);
    return rows.flatMap((r) => (r.detail ? [r.detail] : []));
  }

  /** Which of these recipients already have this case's notice folded into a summary (a replayed decision folds nothing twice). */
  async foldedFor(caseId: string, messageKey: string, recipients: string[]): Promise<Set<string>> {
    if (recipients.length === 0) return new Set();
    const rows = await this.em.execute<{ sender: string }[]>(
      `select sender from folded_notice where case_id = ? and message_key = ? and sender in (select jsonb_array_elements_text(?::jsonb))`,
      [caseId, messageKey, JSON.stringify(recipients)],
    );
    return new Set(rows.map((r) => r.sender));
  }

  /**
   * When the next hourly notice to this staff address may go, with the address's row locked to
   * the end of the transaction (two workers folding notices for one person take turns). Never
   * written to before: the distant past.
   */
  async lockNoticeSlot(orgId: string, recipient: string): Promise<Date> {
    await this.em.execute(
      `insert into notice_throttle (organisation_id, recipient, next_free_at) values (?, ?, '-infinity') on conflict (organisation_id, recipient) do nothing`,
      [orgId, recipient],
    );
    const rows = await this.em.execute<{ next_free_at: Date | string }[]>(
      `select next_free_at from notice_throttle where organisation_id = ? and recipient = ? for update`,
      [orgId, recipient],
    );
    const at = rows[0]?.next_free_at;
    return at === undefined || at === '-infinity' ? new Date(0) : new Date(at);
  }

  /** The next hourly notice to this address may go at `at` (its row locked by lockNoticeSlot). */
  async setNoticeSlot(orgId: string, recipient: string, at: Date): Promise<void> {
    await this.em.execute(`update notice_throttle set next_free_at = ? where organisation_id = ? and recipient = ?`, [at, orgId, recipient]);
  }
}
