import { defineEntity, p } from '@mikro-orm/core';
import type { OutboxKind, OutboxStatus } from '../../domain/case/mail-intents.js';
import { Case } from './case.entity.js';

/**
 * A mail the service will send, written in the same transaction as the change that caused it.
 * The raw message is built once and stored, so a retry sends exactly the same bytes.
 */
export const OutboxMail = defineEntity({
  name: 'OutboxMail',
  tableName: 'outbox_mail',
  indexes: [{ properties: ['status', 'notBefore'] }],
  properties: {
    id: p.uuid().primary(),
    organisationId: p.string(),
    case: () => p.manyToOne(Case).mapToPk().nullable().fieldName('case_id').index(),
    kind: p.string().$type<OutboxKind>(),
    /** Unique per case (or organisation): a decision replayed writes nothing new. */
    dedupeKey: p.string().unique(),
    /**
     * Unique among first submissions; a follow-up to recipients the server turned away for a while
     * (`resendOf`) carries the same Message-ID (partial unique index, see Migration20261204000000).
     */
    messageId: p.string().index(),
    step: p.integer().nullable(),
    envelopeFrom: p.string(),
    envelopeTo: p.json<string[]>(),
    to: p.json<string[]>(),
    cc: p.json<string[]>(),
    subject: p.text(),
    /** Null once purged under the retention policy (`sha256` and `rawPurgedAt` then say what it was and when). */
    raw: p.blob().nullable(),
    sha256: p.string().nullable(),
    rawPurgedAt: p.datetime().nullable(),
    /** See OUTBOX_STATUSES; a check constraint holds the column to them. */
    status: p.string().$type<OutboxStatus>(),
    notBefore: p.datetime(),
    /**
     * Chasers and notices to people outside the organisation: never sent outside the organisation's
     * send window on a working day, first try, retry or deferral alike (the intent's `timing`).
     */
    waitsForWindow: p.boolean().default(false),
    /**
     * A follow-up: the row whose submission the server accepted for some recipients and turned
     * away with a 4xx for these (`envelopeTo`; `to`/`cc` are those of them in the headers). The
     * same stored bytes, the same Message-ID, sent to those recipients only.
     */
    resendOf: p.uuid().nullable(),
    /** The sender of the inbound message this mail answers or reports (loop protection counts per sender and case). */
    causeSender: p.text().nullable(),
    /** `stranger`: a notice about someone not on the case quoting its reference (counted per organisation). */
    causeKind: p.text().nullable(),
    attempts: p.integer().default(0),
    lastError: p.text().nullable(),
    smtpResponse: p.text().nullable(),
    claimedAt: p.datetime().nullable(),
    /** Set when the reconciler took the row back from a worker that died mid-send (outcome unknown). */
    abandonedAt: p.datetime().nullable(),
    sentAt: p.datetime().nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
    updatedAt: p.datetime().defaultRaw('now()'),
  },
});
