import { defineEntity, p } from '@mikro-orm/core';

/** How far the watcher has read a mailbox folder; updated in the same transaction as the messages. */
export const MailboxState = defineEntity({
  name: 'MailboxState',
  tableName: 'mailbox_state',
  properties: {
    mailbox: p.string().primary(),
    uidValidity: p.bigint('number'),
    lastUid: p.bigint('number'),
    updatedAt: p.datetime().defaultRaw('now()'),
  },
});
