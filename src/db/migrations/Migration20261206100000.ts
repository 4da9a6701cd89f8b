import { Migration } from '@mikro-orm/migrations';

/**
 * Where the Microsoft Graph reader of each mailbox folder got to: the link Graph gave last, an
 * `@odata.nextLink` (a round of pages under way) or an `@odata.deltaLink` (the round is over; it
 * asks for what changed since). Written in the same transaction as the messages of its page, so a
 * restart neither misses nor repeats mail.
 */
export class Migration20261206100000 extends Migration {
  override up(): void {
    this.addSql(`create table "graph_delta_state" (
  "folder_key" text not null primary key,
  "link" text not null,
  "link_kind" text not null check ("link_kind" in ('next', 'delta')),
  "updated_at" timestamptz not null default now()
);`);
  }

  override down(): void {
    this.addSql(`drop table if exists "graph_delta_state";`);
  }
}
