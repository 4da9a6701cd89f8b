import { Migration } from '@mikro-orm/migrations';

/**
 * A case awaiting confirmation now has a next action: the reminder at the end of the first hold,
 * and the outcome at the end of the second (`confirmation-hold`, README: Replies).
 */
export class Migration20261206140000 extends Migration {
  override up(): void {
    this.addSql(`alter table "escalation_case" drop constraint "escalation_case_next_action_check";`);
    this.addSql(
      `alter table "escalation_case" add constraint "escalation_case_next_action_check" check ("next_action" is null or "next_action" in ('step', 'resume', 'approval-reminder', 'hold-ends', 'confirmation-expires', 'confirmation-hold'));`,
    );
  }

  override down(): void {
    this.addSql(`update "escalation_case" set "next_action" = null where "next_action" = 'confirmation-hold';`);
    this.addSql(`alter table "escalation_case" drop constraint "escalation_case_next_action_check";`);
    this.addSql(
      `alter table "escalation_case" add constraint "escalation_case_next_action_check" check ("next_action" is null or "next_action" in ('step', 'resume', 'approval-reminder', 'hold-ends', 'confirmation-expires'));`,
    );
  }
}
