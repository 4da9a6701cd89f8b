import { Migration } from '@mikro-orm/migrations';

/**
 * Fair limits (issue 13). Each outbox row written because of an inbound message names that
 * message's sender (`cause_sender`), so loop protection counts per sender and per case: what one
 * sender provokes cannot spend another's budget. `cause_kind = 'stranger'` marks the notices about
 * strangers quoting a case reference, counted per organisation per hour.
 *
 * A notice the RM must see that is over its budget is folded, never dropped: `folded_notice`
 * lists what each summary mail stands for (one row per folded mail, unique per summary).
 *
 * `message.route` may be `not-read`: a message over a limit, recorded and answered.
 * `message.headers` keeps the header section of a message that was not read (over the size limit,
 * or too costly to parse): with its size and SHA-256, what the evidence keeps of it.
 */
export class Migration20261205130000 extends Migration {
  override up(): void {
    this.addSql(`alter table "outbox_mail" add column "cause_sender" text null, add column "cause_kind" text null;`);
    this.addSql(`create index "outbox_mail_case_cause_index" on "outbox_mail" ("case_id", "cause_sender", "created_at");`);
    this.addSql(`create index "outbox_mail_org_cause_kind_index" on "outbox_mail" ("organisation_id", "cause_kind", "created_at");`);
    this.addSql(
      `create table "folded_notice" (
        "id" bigserial primary key,
        "organisation_id" text not null,
        "case_id" uuid null references "escalation_case" ("id") on update cascade on delete set null,
        "summary_key" text not null,
        "sender" text not null,
        "kind" text not null,
        "message_key" text not null,
        "safeguarding" boolean not null default false,
        "at" timestamptz not null,
        constraint "folded_notice_summary_message_unique" unique ("summary_key", "message_key")
      );`,
    );
    this.addSql(`alter table "message" add column "headers" text null;`);
    // A message over a limit is recorded and answered: route `not-read` (route-name.ts).
    this.addSql(`alter table "message" drop constraint "message_route_check";`);
    this.addSql(
      `alter table "message" add constraint "message_route_check" check ("route" is null or "route" in ('new-case', 'reply', 'command', 'staff-message', 'automatic', 'bounce', 'ignored', 'quarantined', 'flagged', 'rejected', 'confirm-commands', 'confirm-token', 'reply-notice', 'not-read'));`,
    );
  }

  override down(): void {
    this.addSql(`update "message" set "route" = 'rejected' where "route" = 'not-read';`);
    this.addSql(`alter table "message" drop constraint "message_route_check";`);
    this.addSql(
      `alter table "message" add constraint "message_route_check" check ("route" is null or "route" in ('new-case', 'reply', 'command', 'staff-message', 'automatic', 'bounce', 'ignored', 'quarantined', 'flagged', 'rejected', 'confirm-commands', 'confirm-token', 'reply-notice'));`,
    );
    this.addSql(`alter table "message" drop column "headers";`);
    this.addSql(`drop table "folded_notice";`);
    this.addSql(`drop index "outbox_mail_org_cause_kind_index";`);
    this.addSql(`drop index "outbox_mail_case_cause_index";`);
    this.addSql(`alter table "outbox_mail" drop column "cause_sender", drop column "cause_kind";`);
  }
}
