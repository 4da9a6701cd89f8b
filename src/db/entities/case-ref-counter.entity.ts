import { defineEntity, p } from '@mikro-orm/core';

/** ESC-YYYY-NNNN: one sequence per year, taken with an atomic upsert. */
export const CaseRefCounter = defineEntity({
  name: 'CaseRefCounter',
  tableName: 'case_ref_counter',
  properties: {
    year: p.integer().primary().autoincrement(false),
    last: p.integer(),
  },
});
