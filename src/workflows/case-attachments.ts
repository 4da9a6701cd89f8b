import type { EntityManager } from '@mikro-orm/postgresql';
import { Case } from '../db/entities/index.js';
import { MessageRepository } from '../db/repositories/message-repository.js';
import { attachmentsOf, type MailAttachment } from '../outbound/compose/forward-attachments.js';

export interface CaseMessageAttachments {
  /** The short key notices name the message by. */
  key: string;
  receivedAt: Date;
  from: string | null;
  /** Null: the message's bytes are gone (purged, or only its headers were kept over the size limit). */
  files: (MailAttachment & { size: number })[] | null;
}

/**
 * The attachments of the messages filed with a case (or of one of them, by the key a notice gave),
 * decoded from the stored bytes: what `escalator mail attachments` writes out when a notice could
 * only name them. Undefined: no such case.
 */
export async function caseAttachments(em: EntityManager, ref: string, messageKey?: string): Promise<CaseMessageAttachments[] | undefined> {
  const row = await em.findOne(Case, { ref: ref.toUpperCase() }, { fields: ['id'] });
  if (!row) return undefined;
  const messages = new MessageRepository(em);
  const wanted = (await messages.withAttachmentsOfCase(row.id)).filter((m) => !messageKey || m.key === messageKey.toLowerCase().replace(/-/g, ''));
  const out: CaseMessageAttachments[] = [];
  for (const m of wanted) {
    const raw = m.hasRaw ? await messages.rawOf(m.id) : null;
    out.push({ key: m.key, receivedAt: m.receivedAt, from: m.fromAddress, files: raw ? await attachmentsOf(Buffer.from(raw)) : null });
  }
  return out;
}
