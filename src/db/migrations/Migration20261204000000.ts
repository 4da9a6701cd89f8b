import { Migration } from '@mikro-orm/migrations';

/**
 * Outbox rows say whether they wait for the send window (`waits_for_window`, from the mail
 * intent's timing), so that every retry or deferral of such a mail, not only its first try, waits
 * for the organisation's window on a working day. Rows written before this are chasers, notices
 * to people outside the organisation and confirmation requests by kind.
 *
 * A recipient the server turned away with a 4xx while it accepted the others is sent the same
 * stored message again, alone: a follow-up row (`resend_of` the row that went) with the same
 * Message-ID and an envelope of that recipient only. The Message-ID is therefore unique among
 * first submissions only.
 */
export class Migration20261204000000 extends Migration {
  override up(): void {
    this.addSql(`alter table "outbox_mail" add column "waits_for_window" boolean not null default false, add column "resend_of" uuid null;`);
    this.addSql(`update "outbox_mail" set "waits_for_window" = true where "kind" in ('chaser', 'kept-informed', 'confirm-request', 'chaser-bundle');`);
    this.addSql(
      `alter table "outbox_mail" add constraint "outbox_mail_resend_of_foreign" foreign key ("resend_of") references "outbox_mail" ("id") on update cascade on delete set null;`,
    );
    this.addSql(`alter table "outbox_mail" drop constraint "outbox_mail_message_id_unique";`);
    this.addSql(`create unique index "outbox_mail_message_id_unique" on "outbox_mail" ("message_id") where "resend_of" is null;`);
    this.addSql(`create index "outbox_mail_message_id_index" on "outbox_mail" ("message_id");`);
    this.addSql(`create index "outbox_mail_resend_of_index" on "outbox_mail" ("resend_of");`);
  }

  override down(): void {
    this.addSql(`delete from "outbox_mail" where "resend_of" is not null;`);
    this.addSql(`drop index "outbox_mail_resend_of_index";`);
    this.addSql(`drop index "outbox_mail_message_id_index";`);
    this.addSql(`drop index "outbox_mail_message_id_unique";`);
    this.addSql(`alter table "outbox_mail" add constraint "outbox_mail_message_id_unique" unique ("message_id");`);
    this.addSql(`alter table "outbox_mail" drop constraint "outbox_mail_resend_of_foreign";`);
    this.addSql(`alter table "outbox_mail" drop column "resend_of", drop column "waits_for_window";`);
  }
}
