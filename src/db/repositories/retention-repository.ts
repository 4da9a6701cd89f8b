import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * When a case stopped: the close for a closed case, the resolution for a resolved one (a case
 * reopened and closed again counts from the last time). Falls back to the row's last update.
 */
const CLOSED_AT_SQL = `case when c.status = 'closed' then coalesce((c.state->>'closedAt')::timestamptz, c.updated_at)
                            else coalesce(c.resolved_at, c.updated_at) end`;

/** Outbound rows in these states are finished with: their bytes may go. Pending, sending and held rows never are purged. */
const FINISHED_OUTBOX = `('sent', 'failed', 'cancelled')`;

/** Lines we could not read (unknown directives, command errors) are quoted text too. */
const PURGE_MESSAGE_SET = `raw = null, new_text = null, raw_purged_at = ?,
                analysis = case when analysis is null then null else analysis - 'commandErrors' - 'unknownDirectives' end`;

/** The raw copies the retention policy lets go: what there is to purge, and purging it. */
export class RetentionRepository {
  constructor(private readonly em: EntityManager) {}

  /** Resolved and closed cases that stopped before `before`, with what raw copies they still hold. */
  async closedCasesBefore(before: Date): Promise<{ ref: string; closedAt: Date; messages: number; outbox: number; bytes: number }[]> {
    const rows = await this.em.execute<{ ref: string; closed_at: Date; messages: string; outbox: string; bytes: string | null }[]>(
      `select c.ref, ${CLOSED_AT_SQL} as closed_at,
              (select count(*) from message m where m.case_id = c.id and m.raw is not null) as messages,
              (select count(*) from outbox_mail o where o.case_id = c.id and o.raw is not null and o.status in ${FINISHED_OUTBOX}) as outbox,
              coalesce((select sum(length(m.raw)) from message m where m.case_id = c.id and m.raw is not null), 0)
                + coalesce((select sum(length(o.raw)) from outbox_mail o where o.case_id = c.id and o.raw is not null and o.status in ${FINISHED_OUTBOX}), 0) as bytes
         from escalation_case c
        where c.status in ('resolved', 'closed') and ${CLOSED_AT_SQL} < ?
        order by closed_at, c.ref`,
      [before],
    );
    return rows.map((c) => ({
      ref: c.ref,
      closedAt: new Date(c.closed_at),
      messages: Number(c.messages),
      outbox: Number(c.outbox),
      bytes: Number(c.bytes ?? 0),
    }));
  }

  /** Messages outside any case, decided and received before `before`, that still hold their source. */
  async unmatchedBefore(before: Date): Promise<{ messages: number; bytes: number }> {
    const rows = await this.em.execute<{ messages: string; bytes: string | null }[]>(
      `select count(*) as messages, coalesce(sum(length(raw)), 0) as bytes from message
        where case_id is null and raw is not null and status <> 'pending' and received_at < ?`,
      [before],
    );
    return { messages: Number(rows[0]?.messages ?? 0), bytes: Number(rows[0]?.bytes ?? 0) };
  }

  /** The case's id, its row locked for this transaction (undefined: no such case). */
  async lockCaseByRef(ref: string): Promise<string | undefined> {
    return (await this.em.execute<{ id: string }[]>(`select id from escalation_case where ref = ? for update`, [ref]))[0]?.id;
  }

  /**
   * Drops a case's raw copies (outbound rows keep a SHA-256 of what was sent), the free text of its
   * views and notes, and its pending sender confirmations; says how many messages went.
   */
  async purgeCase(caseId: string, now: Date): Promise<{ messages: number; outbox: number }> {
    const messages = await this.em.execute<{ id: string }[]>(`update message set ${PURGE_MESSAGE_SET} where case_id = ? and raw is not null returning id`, [
      now,
      caseId,
    ]);
    // The young person's views and the RM's notes are the case's own free text: they go with
    // the raw copies (the events only ever recorded that they were written, not what).
    await this.em.execute(
      `update escalation_case set state = jsonb_set(jsonb_set(state,
                '{views}', coalesce((select jsonb_agg(v - 'text' || '{"text":"(purged)"}'::jsonb) from jsonb_array_elements(state->'views') v), '[]'::jsonb)),
                '{notes}', coalesce((select jsonb_agg(n - 'text' || '{"text":"(purged)"}'::jsonb) from jsonb_array_elements(state->'notes') n), '[]'::jsonb))
        where id = ?`,
      [caseId],
    );
    // Pending round trips hold the commands as written.
    await this.em.execute(`delete from sender_confirmation where case_id = ?`, [caseId]);
    const outbox = await this.em.execute<{ id: string }[]>(
      `update outbox_mail set sha256 = coalesce(sha256, encode(sha256(raw), 'hex')), raw = null, raw_purged_at = ?, updated_at = ?
        where case_id = ? and raw is not null and status in ${FINISHED_OUTBOX} returning id`,
      [now, now, caseId],
    );
    return { messages: messages.length, outbox: outbox.length };
  }

  async purgeUnmatched(before: Date, now: Date): Promise<void> {
    await this.em.execute(
      `update message set ${PURGE_MESSAGE_SET}
        where case_id is null and raw is not null and status <> 'pending' and received_at < ?`,
      [now, before],
    );
  }
}
