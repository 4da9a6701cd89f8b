import { Migration } from '@mikro-orm/migrations';

/**
 * Retention: the raw source of old messages may be purged (cases closed long ago) while the
 * events, hashes and metadata stay. Outbound rows may now lose their raw copy too; their SHA-256
 * is kept first, and both tables say when the raw copy was purged.
 */
export class Migration20261201000000 extends Migration {
  override up(): void {
    this.addSql(`alter table "outbox_mail" alter column "raw" drop not null;`);
    this.addSql(`alter table "outbox_mail" add column "sha256" varchar(255) null, add column "raw_purged_at" timestamptz null;`);
    this.addSql(`alter table "message" add column "raw_purged_at" timestamptz null;`);
  }

  override down(): void {
    this.addSql(`alter table "message" drop column "raw_purged_at";`);
    this.addSql(`alter table "outbox_mail" drop column "raw_purged_at", drop column "sha256";`);
    this.addSql(`alter table "outbox_mail" alter column "raw" set not null;`);
  }
}
