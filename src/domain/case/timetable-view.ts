import { describeDuration } from '../calendar/duration.js';
import { ladderRoleLabel } from '../ladder/local-ladder.js';
import { ladderFor } from './advance.js';
import type { CaseContext } from './case-context.js';
import type { CaseState, StepStatus } from './case-state.js';
import { ccRolesFor, waitsForPanelForm } from './fire-step.js';
import { AWAITS_FURTHER_FORM } from './panel-form.js';
import { outOfHoursAt, outOfHoursContacts } from './out-of-hours.js';
import { resolveRoles } from './role-resolution.js';
import { deadlineFor, rungOf } from './timetable.js';

export interface TimetableRow {
  n: number;
  rung: string;
  title: string;
  status: StepStatus;
  /** When it went (sent) or is due; null for command-only rungs. */
  at: string | null;
  atText: string;
  to: { role: string; label: string; emails: string[] }[];
  cc: { role: string; label: string; emails: string[] }[];
  missing: string[];
  approval: boolean;
  /** The policy's timescale for the rung ("1 week"), when it gives one. */
  deadline?: string;
  /**
   * The deadline the step gives (sent) or will give if it goes when due (planned): the close of the
   * last working day before the next step, as the chaser states it. ISO instant.
   */
  deadlineAt?: string;
  /** The same, as people read it: "the end of Friday 11 December 2026". */
  deadlineText?: string;
  when?: string;
  policyRef: string;
  repeat: boolean;
  /**
   * It goes (or went) while the send window is closed on a ladder with an out-of-hours address:
   * who is (or was) written to at once, and how (`emails` empty: no address known for the role).
   */
  outOfHours?: { role: string; label: string; mode: 'in-addition' | 'instead'; emails: string[] };
}

/** The case's timetable as people read it: confirmations, acknowledgements, `cases show`. */
export function timetableRows(state: CaseState, ctx: Pick<CaseContext, 'ladder' | 'calendar' | 'directory' | 'org' | 'now'>): TimetableRow[] {
  const ladder = ladderFor(state, ctx);
  const roleLabel = (role: string) => ladderRoleLabel(ladder.def, role);
  return state.steps.map((step, index) => {
    const rung = rungOf(ladder, step);
    // What the chaser says (sent), or will say if it goes when due: worked out by the same rule.
    const deadlineAt =
      step.status === 'sent'
        ? step.deadlineAt
        : step.status === 'planned' && step.dueAt
          ? deadlineFor(state, ladder, ctx.calendar, index, new Date(step.dueAt))?.toISOString()
          : undefined;
    const who = (roles: string[]) =>
      roles.map((role) => ({ role, label: roleLabel(role), emails: resolveRoles(state, [role], ctx).contacts.map((c) => c.email) }));
    const to = who(rung.to);
    const cc = who(ccRolesFor(ladder, step, state.flags));
    const at = step.sentAt ?? step.dueAt;
    let atText = at ? ctx.calendar.format(new Date(at)) : 'only if you reply ESCALATE';
    if (step.status === 'held') {
      atText = step.awaitingForm ? `on hold: it goes ${AWAITS_FURTHER_FORM}` : `on hold: no address for ${(step.missingRoles ?? []).map(roleLabel).join(', ')}`;
    }
    if (step.status === 'awaiting-approval') atText = 'drafted, waiting for your APPROVE or SKIP';
    if (step.status === 'skipped') atText = 'skipped';
    if (step.status === 'not-applicable') atText = `not needed (only ${rung.when?.replace(/-/g, ' ')} cases)`;
    // A conditional rung the case does not (yet) qualify for: say so, or the RM reads the LSCP as coming.
    else if (step.status === 'planned' && rung.when && !state.flags[rung.when]) atText += ` (only in ${rung.when.replace(/-/g, ' ')} cases)`;
    if (state.hold && step.status === 'planned' && step.dueAt && state.hold.until >= step.dueAt) {
      const meetingOn = state.hold.meetingOn ? ctx.calendar.openingOf(state.hold.meetingOn) : undefined;
      atText = `${ctx.calendar.format(new Date(state.hold.until))} (held for ${meetingOn ? `the meeting on ${ctx.calendar.formatDate(meetingOn)}` : 'a promise'})`;
    }
    // Fostering panel step 6: the date is the earliest it goes; it waits for the further form first.
    if (step.status === 'planned' && step.dueAt && waitsForPanelForm(state, ladder, step)) atText += `, ${AWAITS_FURTHER_FORM}`;
    const outOfHours = outOfHoursRow(step, ladder, state, ctx);
    if (outOfHours) atText += ` (${outOfHoursText(outOfHours)})`;
    return {
      n: step.n,
      rung: rung.id,
      title: rung.title,
      status: step.status,
      at,
      atText,
      to,
      cc,
      missing: [...to, ...cc].filter((r) => r.emails.length === 0).map((r) => r.role),
      approval: rung.approval,
      ...(rung.deadline ? { deadline: describeDuration(rung.deadline) } : {}),
      ...(deadlineAt ? { deadlineAt, deadlineText: `the end of ${ctx.calendar.formatDate(new Date(deadlineAt))}` } : {}),
      ...(rung.when ? { when: rung.when } : {}),
      policyRef: rung.policyRef,
      repeat: rung.repeat,
      ...(outOfHours ? { outOfHours } : {}),
    };
  });
}

/** A sent step that went out of hours, or a planned one due while the window is closed, on a ladder with an out-of-hours address. */
function outOfHoursRow(
  step: CaseState['steps'][number],
  ladder: ReturnType<typeof ladderFor>,
  state: CaseState,
  ctx: Pick<CaseContext, 'ladder' | 'calendar' | 'directory' | 'org'>,
): TimetableRow['outOfHours'] {
  const rule = ladder.outOfHours;
  if (!rule) return undefined;
  const row = (emails: string[]) => ({ role: rule.to, label: ladderRoleLabel(ladder.def, rule.to), mode: rule.mode, emails });
  // Written to already (the step sent at night, or ESCALATE at night ahead of a step that goes at the opening).
  if (step.outOfHoursTo) return row(step.outOfHoursTo);
  if (step.status === 'sent') return undefined;
  if (step.status !== 'planned' || !step.dueAt || !outOfHoursAt(ladder, ctx.calendar, new Date(step.dueAt))) return undefined;
  return row(outOfHoursContacts(state, rule, ctx).map((c) => c.email));
}

/** "out of hours: also to the Emergency Duty Team (edt@…)", as the timetable says it. */
export function outOfHoursText(o: NonNullable<TimetableRow['outOfHours']>): string {
  if (o.emails.length === 0) return `out of hours: no ${o.label} address known, so nobody else is written to at once`;
  const who = `the ${o.label}, ${o.emails.join(', ')},`;
  return o.mode === 'instead' ? `out of hours: to ${who} at once; the others when the working day starts` : `out of hours: also to ${who} at once`;
}
