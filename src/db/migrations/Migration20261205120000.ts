import { Migration } from '@mikro-orm/migrations';

/**
 * One-time confirmations (README, Trust): a state-changing command, or an opening request, from a
 * sender the organisation's trust source could not verify waits here until the claimed sender
 * answers `CONFIRM <token>` from their own mailbox. The token is stored only as its SHA-256; the
 * row binds it to the case, the address and the exact commands, and is used once.
 *
 * The closed lists of Migration20261205110000 grow by what this brings: a case whose opening waits
 * for its sender (`next_action` `confirmation-expires`), and the routes of a message from an
 * unverified sender (`confirm-commands`), of the `CONFIRM` answer (`confirm-token`) and of a reply
 * read and passed to the RM that changed nothing (`reply-notice`).
 */
export class Migration20261205120000 extends Migration {
  override up(): void {
    this.addSql(`create table "sender_confirmation" (
      "id" uuid not null,
      "case_id" uuid not null,
      "token_sha256" varchar(64) not null,
      "address" text not null,
      "kind" varchar(16) not null,
      "commands" jsonb not null default '[]',
      "allowed" jsonb null,
      "message_id" uuid null,
      "created_at" timestamptz not null,
      "expires_at" timestamptz not null,
      "used_at" timestamptz null,
      constraint "sender_confirmation_pkey" primary key ("id"),
      constraint "sender_confirmation_kind_check" check ("kind" in ('opening', 'commands'))
    );`);
    this.addSql(`create unique index "sender_confirmation_token_unique" on "sender_confirmation" ("token_sha256");`);
    this.addSql(`create index "sender_confirmation_case_id_index" on "sender_confirmation" ("case_id");`);
    this.addSql(
      `alter table "sender_confirmation" add constraint "sender_confirmation_case_id_foreign" foreign key ("case_id") references "escalation_case" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(`alter table "escalation_case" drop constraint "escalation_case_next_action_check";`);
    this.addSql(
      `alter table "escalation_case" add constraint "escalation_case_next_action_check" check ("next_action" is null or "next_action" in ('step', 'resume', 'approval-reminder', 'hold-ends', 'confirmation-expires'));`,
    );
    this.addSql(`alter table "message" drop constraint "message_route_check";`);
    this.addSql(
      `alter table "message" add constraint "message_route_check" check ("route" is null or "route" in ('new-case', 'reply', 'command', 'staff-message', 'automatic', 'bounce', 'ignored', 'quarantined', 'flagged', 'rejected', 'confirm-commands', 'confirm-token', 'reply-notice'));`,
    );
  }

  override down(): void {
    this.addSql(`update "message" set "route" = 'flagged' where "route" in ('confirm-commands', 'confirm-token', 'reply-notice');`);
    this.addSql(`update "escalation_case" set "next_action" = null where "next_action" = 'confirmation-expires';`);
    this.addSql(`alter table "message" drop constraint "message_route_check";`);
    this.addSql(
      `alter table "message" add constraint "message_route_check" check ("route" is null or "route" in ('new-case', 'reply', 'command', 'staff-message', 'automatic', 'bounce', 'ignored', 'quarantined', 'flagged', 'rejected'));`,
    );
    this.addSql(`alter table "escalation_case" drop constraint "escalation_case_next_action_check";`);
    this.addSql(
      `alter table "escalation_case" add constraint "escalation_case_next_action_check" check ("next_action" is null or "next_action" in ('step', 'resume', 'approval-reminder', 'hold-ends'));`,
    );
    this.addSql(`drop table if exists "sender_confirmation" cascade;`);
  }
}
