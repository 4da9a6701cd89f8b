import { Migration } from '@mikro-orm/migrations';

/**
 * Step notices to the RM and the originator, at most one mail an hour per person (`notices:
 * hourly`, the default): `notice_throttle` says, per organisation and staff address, when the next
 * such mail may go; a notice due before then is folded into one summary (outbox kind
 * `notice-summary`) that goes at that moment. `folded_notice.detail` keeps what the summary says
 * of each step (the case, the step, who was written to, the deadline), taken when it was folded,
 * so the summary is composed once, when it goes, however many steps it lists. For these rows
 * `folded_notice.sender` holds the recipient whose summary it joined.
 */
export class Migration20261206130000 extends Migration {
  override up(): void {
    this.addSql(`create table "notice_throttle" (
  "organisation_id" text not null,
  "recipient" text not null,
  "next_free_at" timestamptz not null,
  primary key ("organisation_id", "recipient")
);`);
    this.addSql(`alter table "folded_notice" add column "detail" jsonb null;`);
    this.addSql(`create index "folded_notice_case_message_index" on "folded_notice" ("case_id", "message_key");`);
    this.addSql(
      `create index "outbox_mail_pending_notice_summary_index" on "outbox_mail" ("organisation_id", "cause_sender") where "kind" = 'notice-summary' and "status" = 'pending';`,
    );
  }

  override down(): void {
    this.addSql(`drop index if exists "outbox_mail_pending_notice_summary_index";`);
    this.addSql(`drop index if exists "folded_notice_case_message_index";`);
    this.addSql(`alter table "folded_notice" drop column if exists "detail";`);
    this.addSql(`drop table if exists "notice_throttle";`);
  }
}
