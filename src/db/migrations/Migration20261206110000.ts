import { Migration } from '@mikro-orm/migrations';

/**
 * The web case view (issue 17): its sign-in sessions, kept in PostgreSQL so a restart or a second
 * process does not sign anyone out, and the actions taken through it, keyed by the one-time key
 * of the confirmation form, so an action posted twice (a double click, a resent form) acts once.
 */
export class Migration20261206110000 extends Migration {
  override up(): void {
    this.addSql(`create table "web_session" (
  "sid" text not null primary key,
  "data" jsonb not null,
  "expires_at" timestamptz not null,
  "updated_at" timestamptz not null default now()
);`);
    this.addSql(`create index "web_session_expires_at_index" on "web_session" ("expires_at");`);
    this.addSql(`create table "web_action" (
  "key" text not null primary key,
  "case_id" uuid not null,
  "actor" text not null,
  "action" text not null,
  "ok" boolean not null,
  "messages" jsonb not null,
  "created_at" timestamptz not null default now()
);`);
    this.addSql(`create index "web_action_case_id_index" on "web_action" ("case_id");`);
  }

  override down(): void {
    this.addSql(`drop table if exists "web_action";`);
    this.addSql(`drop table if exists "web_session";`);
  }
}
