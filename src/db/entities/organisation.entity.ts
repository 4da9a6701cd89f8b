import { defineEntity, p } from '@mikro-orm/core';

/** Organisations come from the config file; this row anchors their cases and digests. */
export const Organisation = defineEntity({
  name: 'Organisation',
  tableName: 'organisation',
  properties: {
    id: p.string().primary(),
    name: p.string(),
    mailbox: p.string(),
    createdAt: p.datetime().defaultRaw('now()'),
    updatedAt: p.datetime().defaultRaw('now()'),
  },
});
