import { Migration } from '@mikro-orm/migrations';

/**
 * A mail whose worker died mid-send has an unknown outcome: the server may have accepted it.
 * `abandoned_at` marks it when the reconciler takes it back, so the next attempt first asks the
 * server's Sent folder (where there is one) instead of sending it a second time.
 */
export class Migration20261202000000 extends Migration {
  override up(): void {
    this.addSql(`alter table "outbox_mail" add column "abandoned_at" timestamptz null;`);
  }

  override down(): void {
    this.addSql(`alter table "outbox_mail" drop column "abandoned_at";`);
  }
}
