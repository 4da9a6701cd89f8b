import { Migration } from '@mikro-orm/migrations';

/** The first schema: organisations, cases, messages, the audit trail, the outbox, mailbox sync state. */
export class Migration20261123000000 extends Migration {
  override up(): void {
    this.addSql(`create table "case_ref_counter" ("year" int not null, "last" int not null, constraint "case_ref_counter_pkey" primary key ("year"));`);
    this.addSql(
      `create table "mailbox_state" ("mailbox" varchar(255) not null, "uid_validity" bigint not null, "last_uid" bigint not null, "updated_at" timestamptz not null default now(), constraint "mailbox_state_pkey" primary key ("mailbox"));`,
    );
    this.addSql(
      `create table "organisation" ("id" varchar(255) not null, "name" varchar(255) not null, "mailbox" varchar(255) not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint "organisation_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create table "escalation_case" ("id" uuid not null, "ref" varchar(255) not null, "organisation_id" varchar(255) not null, "ladder_id" varchar(255) not null, "variant" varchar(255) not null, "status" varchar(255) not null, "token" varchar(255) not null, "subject" text not null, "child_ref" varchar(255) null, "category" varchar(255) null, "opened_at" timestamptz not null, "resolved_at" timestamptz null, "next_action_at" timestamptz null, "next_action" varchar(255) null, "highest_step" int not null default 0, "state" jsonb not null, "version" int not null default 1, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint "escalation_case_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "escalation_case" add constraint "escalation_case_ref_unique" unique ("ref");`);
    this.addSql(`create index "escalation_case_status_index" on "escalation_case" ("status");`);
    this.addSql(`alter table "escalation_case" add constraint "escalation_case_token_unique" unique ("token");`);
    this.addSql(`create index "escalation_case_next_action_at_index" on "escalation_case" ("next_action_at");`);
    this.addSql(
      `create table "message" ("id" uuid not null, "mailbox" varchar(255) not null, "message_id" text not null, "case_id" uuid null, "source" varchar(255) not null, "uid_validity" bigint null, "uid" bigint null, "received_at" timestamptz not null, "internal_date" timestamptz null, "sent_at" timestamptz null, "from_address" varchar(255) null, "subject" text null, "to" jsonb not null default '[]', "cc" jsonb not null default '[]', "envelope_to" jsonb null, "in_reply_to" text null, "references" jsonb not null default '[]', "size" int not null, "sha256" varchar(255) not null, "raw" bytea null, "status" varchar(255) not null, "route" varchar(255) null, "reason" text null, "new_text" text null, "analysis" jsonb null, "processed_at" timestamptz null, "created_at" timestamptz not null default now(), constraint "message_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "message_case_id_index" on "message" ("case_id");`);
    this.addSql(`create index "message_status_index" on "message" ("status");`);
    this.addSql(`alter table "message" add constraint "message_mailbox_message_id_unique" unique ("mailbox", "message_id");`);
    this.addSql(
      `create table "case_event" ("id" bigserial primary key, "case_id" uuid not null, "at" timestamptz not null, "type" varchar(255) not null, "actor" varchar(255) not null, "cause" varchar(255) null, "detail" jsonb not null, "recorded_at" timestamptz not null default now());`,
    );
    this.addSql(`create index "case_event_case_id_at_index" on "case_event" ("case_id", "at");`);
    this.addSql(
      `create table "outbox_mail" ("id" uuid not null, "organisation_id" varchar(255) not null, "case_id" uuid null, "kind" varchar(255) not null, "dedupe_key" varchar(255) not null, "message_id" varchar(255) not null, "step" int null, "envelope_from" varchar(255) not null, "envelope_to" jsonb not null, "to" jsonb not null, "cc" jsonb not null, "subject" text not null, "raw" bytea not null, "status" varchar(255) not null, "not_before" timestamptz not null, "attempts" int not null default 0, "last_error" text null, "smtp_response" text null, "claimed_at" timestamptz null, "sent_at" timestamptz null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint "outbox_mail_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "outbox_mail_case_id_index" on "outbox_mail" ("case_id");`);
    this.addSql(`alter table "outbox_mail" add constraint "outbox_mail_dedupe_key_unique" unique ("dedupe_key");`);
    this.addSql(`alter table "outbox_mail" add constraint "outbox_mail_message_id_unique" unique ("message_id");`);
    this.addSql(`create index "outbox_mail_status_not_before_index" on "outbox_mail" ("status", "not_before");`);
    this.addSql(
      `alter table "escalation_case" add constraint "escalation_case_organisation_id_foreign" foreign key ("organisation_id") references "organisation" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "message" add constraint "message_case_id_foreign" foreign key ("case_id") references "escalation_case" ("id") on update cascade on delete set null;`,
    );
    this.addSql(
      `alter table "case_event" add constraint "case_event_case_id_foreign" foreign key ("case_id") references "escalation_case" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "outbox_mail" add constraint "outbox_mail_case_id_foreign" foreign key ("case_id") references "escalation_case" ("id") on update cascade on delete set null;`,
    );

    // The audit trail is append-only: an inspector must be able to trust it was never edited.
    this.addSql(`create function case_event_is_immutable() returns trigger language plpgsql as $$
begin
  raise exception 'case_event rows are immutable (% refused)', tg_op;
end $$;`);
    this.addSql(`create trigger case_event_no_update before update or delete on "case_event" for each row execute function case_event_is_immutable();`);
  }

  override down(): void {
    this.addSql(`drop table if exists "outbox_mail", "case_event", "message", "escalation_case", "organisation", "mailbox_state", "case_ref_counter" cascade;`);
    this.addSql(`drop function if exists case_event_is_immutable();`);
  }
}
