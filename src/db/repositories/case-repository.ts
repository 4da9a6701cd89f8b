import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { CaseState } from '../../domain/case/case-state.js';
import type { EventDraft } from '../../domain/case/decision.js';
import { Case, CaseEvent } from '../entities/index.js';
import type { CaseRow } from '../entities/types.js';

/** Takes the next ESC-YYYY-NNNN atomically (concurrent openings never share a number). */
export async function allocateRef(em: EntityManager, year: number): Promise<string> {
  const rows = await em.execute<Array<{ last: number }>>(
    `insert into case_ref_counter (year, last) values (?, 1)
     on conflict (year) do update set last = case_ref_counter.last + 1 returning last`,
    [year],
  );
  return `ESC-${year}-${String(rows[0]!.last).padStart(4, '0')}`;
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
  } as Partial<CaseRow>;
}

export function createCaseRow(em: EntityManager, state: CaseState, now: Date): CaseRow {
  return em.create(Case, {
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
export function updateCaseRow(row: CaseRow, state: CaseState, now: Date): void {
  Object.assign(row, columnsOf(state), { updatedAt: now });
}

/** The case row locked for this transaction: two workers never decide on one case at once. */
export async function lockCase(em: EntityManager, id: string): Promise<CaseRow | null> {
  return em.findOne(Case, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
}

export async function findCaseByRef(em: EntityManager, ref: string): Promise<CaseRow | null> {
  return em.findOne(Case, { ref: ref.toUpperCase() });
}

export async function findCaseByToken(em: EntityManager, token: string): Promise<CaseRow | null> {
  return em.findOne(Case, { token: token.toLowerCase() });
}

/** The case that has sent or received any of these Message-IDs (most recent ids first). */
export async function findCaseIdByMessageIds(em: EntityManager, mailbox: string, ids: string[]): Promise<string | null> {
  if (ids.length === 0) return null;
  // Arrays go in as JSON: the query builder would otherwise expand them into a list of values.
  const rows = await em.execute<Array<{ case_id: string }>>(
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

export function addEvents(em: EntityManager, caseId: string, events: EventDraft[], cause: string | null): void {
  for (const e of events) {
    em.create(CaseEvent, { case: caseId, at: new Date(e.at), type: e.type, actor: e.actor, cause, detail: e.detail });
  }
}
