import type { EntityManager } from '@mikro-orm/postgresql';
import { MailboxState } from '../entities/index.js';
import type { MailboxStateRow } from '../entities/types.js';

/** Where the watcher of each mailbox folder got to: its UIDVALIDITY and the last UID stored. */
export class MailboxStateRepository {
  constructor(private readonly em: EntityManager) {}

  find(key: string): Promise<MailboxStateRow | null> {
    return this.em.findOne(MailboxState, { mailbox: key });
  }

  async save(key: string, uidValidity: number, lastUid: number): Promise<void> {
    await this.em.execute(
      `insert into mailbox_state (mailbox, uid_validity, last_uid, updated_at) values (?, ?, ?, now())
       on conflict (mailbox) do update set uid_validity = excluded.uid_validity, last_uid = excluded.last_uid, updated_at = now()`,
      [key, uidValidity, lastUid],
    );
  }
}
