import { Migration } from '@mikro-orm/migrations';

/**
 * Statuses are closed lists: the database holds each status column to the values the code knows
 * (case-state.ts, mail-intents.ts, route-name.ts), so a misspelt status from a raw query fails
 * where it is written rather than leaving a row no query finds. Every value any version has
 * written is in these lists (the lists have not changed since the first schema), so existing rows
 * pass; the constraints are checked against them as they are added.
 *
 * Each step's status lives inside the case's JSON state; a function checks them all.
 *
 * A new status is one more value here, in a new migration: this one is never edited.
 */
export class Migration20261205110000 extends Migration {
  override up(): void {
    this.addSql(
      `alter table "escalation_case" add constraint "escalation_case_status_check" check ("status" in ('open', 'paused', 'awaiting-confirmation', 'resolved', 'closed'));`,
    );
    this.addSql(
      `alter table "escalation_case" add constraint "escalation_case_next_action_check" check ("next_action" is null or "next_action" in ('step', 'resume', 'approval-reminder', 'hold-ends'));`,
    );
    this.addSql(`create function escalation_case_step_statuses_ok(state jsonb) returns boolean language sql immutable as $$
  select case when jsonb_typeof(state->'steps') = 'array' then not exists (
    select 1 from jsonb_array_elements(state->'steps') as step
     where step->>'status' is null
        or step->>'status' not in ('planned', 'held', 'awaiting-approval', 'sent', 'skipped', 'not-applicable'))
  else false end
$$;`);
    this.addSql(`alter table "escalation_case" add constraint "escalation_case_step_status_check" check (escalation_case_step_statuses_ok("state"));`);
    this.addSql(`alter table "message" add constraint "message_status_check" check ("status" in ('pending', 'processed', 'rejected'));`);
    this.addSql(
      `alter table "message" add constraint "message_route_check" check ("route" is null or "route" in ('new-case', 'reply', 'command', 'staff-message', 'automatic', 'bounce', 'ignored', 'quarantined', 'flagged', 'rejected'));`,
    );
    this.addSql(
      `alter table "outbox_mail" add constraint "outbox_mail_status_check" check ("status" in ('held', 'pending', 'sending', 'sent', 'failed', 'cancelled'));`,
    );
  }

  override down(): void {
    this.addSql(`alter table "outbox_mail" drop constraint "outbox_mail_status_check";`);
    this.addSql(`alter table "message" drop constraint "message_route_check", drop constraint "message_status_check";`);
    this.addSql(
      `alter table "escalation_case" drop constraint "escalation_case_step_status_check", drop constraint "escalation_case_next_action_check", drop constraint "escalation_case_status_check";`,
    );
    this.addSql(`drop function escalation_case_step_statuses_ok(jsonb);`);
  }
}
