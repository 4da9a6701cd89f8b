import { defineEntity, p } from '@mikro-orm/core';
import { Case } from './case.entity.js';

/** The audit trail: one immutable row per thing that happened (a trigger forbids UPDATE and DELETE). */
export const CaseEvent = defineEntity({
  name: 'CaseEvent',
  tableName: 'case_event',
  indexes: [{ properties: ['case', 'at'] }],
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    case: () => p.manyToOne(Case).mapToPk().fieldName('case_id'),
    at: p.datetime(),
    type: p.string(),
    /** An email address, `system`, or `cli:<user>`. */
    actor: p.string(),
    /** What caused it: a message id, a job, a CLI command. */
    cause: p.string().nullable(),
    /** As written (see case-events.ts); read it back with readCaseEvent, which checks it against its kind. */
    detail: p.json<unknown>(),
    recordedAt: p.datetime().defaultRaw('now()'),
  },
});
