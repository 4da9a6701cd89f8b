import { defineEntity, p } from '@mikro-orm/core';
import type { MessageStatus, RouteName } from '../../domain/inbound/route-name.js';
import { Case } from './case.entity.js';

/**
 * Every inbound message, raw source kept (nothing is lost), unique per mailbox and Message-ID so
 * the same message delivered twice is stored and acted on once.
 */
export const Message = defineEntity({
  name: 'Message',
  tableName: 'message',
  uniques: [{ properties: ['mailbox', 'messageId'] }],
  properties: {
    id: p.uuid().primary(),
    mailbox: p.string(),
    messageId: p.text(),
    case: () => p.manyToOne(Case).mapToPk().nullable().fieldName('case_id').index(),
    /** imap | smtp-listener | cli */
    source: p.string(),
    uidValidity: p.bigint('number').nullable(),
    uid: p.bigint('number').nullable(),
    /** When the service stored it (the injected clock). */
    receivedAt: p.datetime(),
    /** The IMAP server's INTERNALDATE: the fallback when the Date header is missing or invalid. */
    internalDate: p.datetime().nullable(),
    /** The Date header, or the IMAP internal date when the header is missing or invalid. */
    sentAt: p.datetime().nullable(),
    fromAddress: p.string().nullable(),
    subject: p.text().nullable(),
    to: p.json<string[]>().default('[]'),
    cc: p.json<string[]>().default('[]'),
    /** SMTP envelope recipients (listener only): how Bcc'd copies reach the inbox. */
    envelopeTo: p.json<string[]>().nullable(),
    inReplyTo: p.text().nullable(),
    references: p.json<string[]>().default('[]'),
    size: p.integer(),
    sha256: p.string(),
    /** Null when the message was over the size limit: only a reference and the reason are kept. */
    raw: p.blob().nullable(),
    /** The header section of a message that was not read (over the size limit, or too costly to parse). */
    headers: p.text().nullable(),
    /** Set when `raw` (and `newText`) were purged under the retention policy; `sha256` stays. */
    rawPurgedAt: p.datetime().nullable(),
    /** pending → processed | rejected (MESSAGE_STATUSES; a check constraint holds the column to them). */
    status: p.string().$type<MessageStatus>().index(),
    /** What it was taken for (ROUTE_NAMES; a check constraint holds the column to them); null while pending. */
    route: p.string().$type<RouteName>().nullable(),
    reason: p.text().nullable(),
    newText: p.text().nullable(),
    analysis: p.json<Record<string, unknown>>().nullable(),
    processedAt: p.datetime().nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
  },
});
