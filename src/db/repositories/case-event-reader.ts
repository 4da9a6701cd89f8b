import type { EntityManager } from '@mikro-orm/postgresql';
import { readCaseEvent, type RecordedEvent } from '../../domain/case/case-events.js';
import { CaseEvent } from '../entities/index.js';
import type { CaseEventRow } from '../entities/types.js';

/** Where a reader reports a row it cannot read (the service's logger). */
export interface EventReadWarnings {
  warn(fields: Record<string, unknown>, message: string): void;
}

/**
 * One stored event, read through its kind's schema. A row this version cannot read (an unknown
 * type, fields that do not match) comes back as `unreadable` for the reader to show as such, and
 * a warning names the row, its type and the fields at fault, never its content.
 */
export function readEventRow(row: CaseEventRow, logger: EventReadWarnings): RecordedEvent {
  const body = readCaseEvent(row.type, row.detail);
  if (body.type === 'unreadable') logger.warn({ event: row.id, case: row.case, type: row.type, problem: body.problem }, 'stored event does not match its kind');
  return { id: row.id, at: row.at, actor: row.actor, cause: row.cause ?? null, ...body };
}

/** A case's audit trail, oldest first (events of one instant in the order they were written). */
export async function loadCaseEvents(em: EntityManager, caseId: string, logger: EventReadWarnings): Promise<RecordedEvent[]> {
  const rows = await em.find(CaseEvent, { case: caseId }, { orderBy: { at: 'asc', id: 'asc' } });
  return rows.map((row) => readEventRow(row, logger));
}
