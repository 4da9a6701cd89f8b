import { IsolationLevel, LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { CaseState } from '../../domain/case/case-state.js';
import type { EventDraft } from '../../domain/case/decision.js';
import { Case, CaseEvent } from '../entities/index.js';
import type { CaseRow } from '../entities/types.js';

/** A row of any table as the database returns it (for the case export). */
export type PlainRow = Record<string, unknown>;

/** Which cases a report covers. */
export interface CaseFilter {
  org?: string;
  /** Only cases opened at or after `openedFrom` and before `openedTo`. */
  openedFrom?: Date;
  openedTo?: Date;
}

function columnsOf(state: CaseState): Partial<CaseRow> {
  const highest = Math.max(0, ...state.steps.filter((s) => s.status === 'sent').map((s) => s.n));
  return {
    ladderId: state.ladderId,
    variant: state.variant,
    status: state.status,
    subject: state.subject,
    childRef: state.childRef ?? null,
    category: state.category ?? null,
    openedAt: new Date(state.openedAt),
    resolvedAt: state.resolvedAt ? new Date(state.resolvedAt) : null,
    nextActionAt: state.nextActionAt ? new Date(state.nextActionAt) : null,
    nextAction: state.nextAction,
    highestStep: highest,
    state,
  };
}

/**
 * Cases and their immutable events. A case's state changes only through a decision of the domain,
 * stored with `create` / `update` inside a transaction that holds the row (`lock`); the query
 * columns are written from the state, never on their own.
 */
export class CaseRepository {
  constructor(private readonly em: EntityManager) {}

  /** Takes the next ESC-YYYY-NNNN atomically (concurrent openings never share a number). */
  async allocateRef(year: number): Promise<string> {
    const rows = await this.em.execute<{ last: number }[]>(
      `insert into case_ref_counter (year, last) values (?, 1)
       on conflict (year) do update set last = case_ref_counter.last + 1 returning last`,
      [year],
    );
    const [row] = rows;
    // An upsert with `returning` always gives its row; this only keeps a broken driver from
    // minting a reference out of undefined.
    if (!row) throw new Error('case_ref_counter returned no row');
    return `ESC-${year}-${String(row.last).padStart(4, '0')}`;
  }

  create(state: CaseState, now: Date): CaseRow {
    return this.em.create(Case, {
      id: state.id,
      ref: state.ref,
      organisation: state.orgId,
      token: state.token,
      ...columnsOf(state),
      createdAt: now,
      updatedAt: now,
    } as CaseRow);
  }

  /** Writes the new state and its query columns together; the version column guards against lost updates. */
  update(row: CaseRow, state: CaseState, now: Date): void {
    Object.assign(row, columnsOf(state), { updatedAt: now });
  }

  /** The case row locked for this transaction: two workers never decide on one case at once. */
  lock(id: string): Promise<CaseRow | null> {
    return this.em.findOne(Case, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
  }

  findById(id: string): Promise<CaseRow | null> {
    return this.em.findOne(Case, { id });
  }

  findByIds(ids: string[]): Promise<CaseRow[]> {
    return this.em.find(Case, { id: { $in: ids } });
  }

  findByRef(ref: string): Promise<CaseRow | null> {
    return this.em.findOne(Case, { ref: ref.toUpperCase() });
  }

  findByToken(token: string): Promise<CaseRow | null> {
    return this.em.findOne(Case, { token: token.toLowerCase() });
  }

  /** The case that has sent or received any of these Message-IDs (most recent ids first). */
  async findIdByMessageIds(mailbox: string, ids: string[]): Promise<string | null> {
    if (ids.length === 0) return null;
    // Arrays go in as JSON: the query builder would otherwise expand them into a list of values.
    const rows = await this.em.execute<{ case_id: string }[]>(
      `with wanted as (select value as id, ordinality as pos from jsonb_array_elements_text(?::jsonb) with ordinality)
       select found.case_id from wanted
       join lateral (
         select case_id from message where mailbox = ? and message_id = wanted.id and case_id is not null
         union all
         select case_id from outbox_mail where message_id = wanted.id and case_id is not null
       ) found on true
       order by wanted.pos limit 1`,
      [JSON.stringify(ids), mailbox],
    );
    return rows[0]?.case_id ?? null;
  }

  /** Appends events to the case's audit trail (flushed with the caller's unit of work). */
  addEvents(caseId: string, events: EventDraft[], cause: string | null): void {
    for (const e of events) {
      this.em.create(CaseEvent, { case: caseId, at: new Date(e.at), type: e.type, actor: e.actor, cause, detail: e.detail });
    }
  }

  /** The ladder and rung of a case's step `step` (null when the case or the step is not there). */
  async rungOfStep(caseId: string, step: number): Promise<{ ladder: string; rung: string | null } | null> {
    const rows = await this.em.execute<{ ladder_id: string; rung: string | null }[]>(
      `select ladder_id, (select s->>'rungId' from jsonb_array_elements(state->'steps') s where (s->>'n')::int = ? limit 1) as rung
       from escalation_case where id = ?`,
      [step, caseId],
    );
    return rows[0] ? { ladder: rows[0].ladder_id, rung: rows[0].rung } : null;
  }

  /** Open and paused cases with a next action, in id order after `afterId`: what the reconciler schedules. */
  pageScheduled(afterId: string | null, limit: number): Promise<{ id: string; next_action_at: Date }[]> {
    return this.em.execute(
      `select id, next_action_at from escalation_case where next_action_at is not null and status in ('open', 'paused')
       ${afterId === null ? '' : 'and id > ?'} order by id limit ?`,
      afterId === null ? [limit] : [afterId, limit],
    );
  }

  /** When the oldest open case's next action fell due, at or before `now` (null: nothing overdue). */
  async oldestOverdue(now: Date): Promise<Date | null> {
    const rows = await this.em.execute<{ at: Date | null }[]>(
      `select min(next_action_at) as at from escalation_case where status in ('open', 'paused') and next_action_at <= ?`,
      [now],
    );
    return rows[0]?.at ? new Date(rows[0].at) : null;
  }

  /**
   * The organisation, ladder and state of every case that matches, oldest first (plain SQL: read
   * only, so MikroORM's identity map and change-tracking snapshot of each state were pure cost — a
   * third of the digest of an organisation with 5,000 open cases).
   */
  states(filter: CaseFilter): Promise<{ id: string; ref: string; organisation_id: string; ladder_id: string; state: CaseState }[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.org) {
      where.push('organisation_id = ?');
      params.push(filter.org);
    }
    if (filter.openedFrom) {
      where.push('opened_at >= ?');
      params.push(filter.openedFrom);
    }
    if (filter.openedTo) {
      where.push('opened_at < ?');
      params.push(filter.openedTo);
    }
    return this.em
      .getConnection()
      .execute(
        `select id, ref, organisation_id, ladder_id, state from escalation_case${where.length ? ` where ${where.join(' and ')}` : ''} order by opened_at asc, ref asc`,
        params,
      );
  }

  /**
   * Every row held about one case, as stored: the case, its events, its inbound messages and its
   * outbound mail, read in one repeatable-read snapshot so the parts agree. Undefined: no such case.
   */
  exportSnapshot(ref: string): Promise<{ case: PlainRow; events: PlainRow[]; messages: PlainRow[]; outbox: PlainRow[] } | undefined> {
    return this.em.transactional(
      async (tx) => {
        const c = (await tx.execute<PlainRow[]>(`select * from escalation_case where ref = ?`, [ref.toUpperCase()]))[0];
        if (!c) return undefined;
        const id = c.id as string;
        return {
          case: c,
          events: await tx.execute<PlainRow[]>(`select * from case_event where case_id = ? order by at, id`, [id]),
          messages: await tx.execute<PlainRow[]>(`select * from message where case_id = ? order by received_at, created_at`, [id]),
          outbox: await tx.execute<PlainRow[]>(`select * from outbox_mail where case_id = ? order by created_at, id`, [id]),
        };
      },
      { isolationLevel: IsolationLevel.REPEATABLE_READ, readOnly: true },
    );
  }
}
