import { defineEntity, p } from '@mikro-orm/core';
import type { CaseState, CaseStatus, NextAction } from '../../domain/case/case-state.js';
import { Organisation } from './organisation.entity.js';

/**
 * One escalation. `state` is the pure domain's whole state; the other columns are copies of it
 * kept for queries (what is due, what is open) and are written together with it.
 */
export const Case = defineEntity({
  name: 'Case',
  tableName: 'escalation_case',
  properties: {
    id: p.uuid().primary(),
    ref: p.string().unique(),
    organisation: () => p.manyToOne(Organisation).mapToPk().fieldName('organisation_id'),
    ladderId: p.string(),
    variant: p.string(),
    status: p.string().$type<CaseStatus>().index(),
    token: p.string().unique(),
    subject: p.text(),
    childRef: p.string().nullable(),
    category: p.string().nullable(),
    openedAt: p.datetime(),
    resolvedAt: p.datetime().nullable(),
    nextActionAt: p.datetime().nullable().index(),
    nextAction: p.string().$type<NextAction>().nullable(),
    /** Highest rung sent so far (0 before the first chaser). */
    highestStep: p.integer().default(0),
    state: p.json<CaseState>(),
    version: p.integer().version(),
    createdAt: p.datetime().defaultRaw('now()'),
    updatedAt: p.datetime().defaultRaw('now()'),
  },
});
