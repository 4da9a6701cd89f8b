import type { EntityManager } from '@mikro-orm/postgresql';

/** Organisation rows mirror the config (cases reference them). */
export class OrganisationRepository {
  constructor(private readonly em: EntityManager) {}

  async upsert(org: { id: string; name: string; mailbox: string }): Promise<void> {
    await this.em.execute(
      `insert into organisation (id, name, mailbox) values (?, ?, ?)
       on conflict (id) do update set name = excluded.name, mailbox = excluded.mailbox, updated_at = now()`,
      [org.id, org.name, org.mailbox],
    );
  }
}
