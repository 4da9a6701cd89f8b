import type { WorkCalendar } from '../calendar/work-calendar.js';
import type { EffectiveLadder } from '../ladder/effective-ladder.js';
import type { OutOfHoursRule } from '../ladder/ladder-schema.js';
import type { CaseContext } from './case-context.js';
import type { CaseState, Contact } from './case-state.js';
import { dedupe, resolveRole, type ResolvedContact } from './role-resolution.js';

/**
 * What a rung going out now does about the hour (issue 15.3): on a ladder or variant with an
 * out-of-hours address ("immediately", "on the same day"), a rung that goes while the send window
 * is closed is written at once to that address (the Emergency Duty Team), who are there when the
 * daytime recipient is not. Undefined inside the window, or when the ladder names none.
 */
export interface OutOfHoursRoute {
  rule: OutOfHoursRule;
  /** Who is written to now; empty when the role has no address (directory or directive). */
  to: ResolvedContact[];
  /**
   * `instead`, with an address to write to: the rung's own recipients get it when the window next
   * opens, not now, even on a `sendWindow: always` rung.
   */
  holdsDaytime: boolean;
}

/** Is an instant outside the send window on a ladder that names an out-of-hours address? */
export function outOfHoursAt(ladder: Pick<EffectiveLadder, 'outOfHours'>, cal: Pick<WorkCalendar, 'isOpen'>, at: Date): boolean {
  return !!ladder.outOfHours && !cal.isOpen(at);
}

/**
 * The out-of-hours route for a rung going out now. `onMail`: who is on the rung's own mail; an
 * out-of-hours address already on it gets no second mail.
 */
export function outOfHoursRoute(
  state: CaseState,
  ladder: Pick<EffectiveLadder, 'outOfHours'>,
  ctx: Pick<CaseContext, 'now' | 'calendar' | 'directory' | 'org'>,
  onMail: readonly Contact[],
): OutOfHoursRoute | undefined {
  const rule = ladder.outOfHours;
  if (!rule || !outOfHoursAt(ladder, ctx.calendar, ctx.now)) return undefined;
  const to = dedupe(outOfHoursContacts(state, rule, ctx), [...onMail]);
  return { rule, to, holdsDaytime: rule.mode === 'instead' && to.length > 0 };
}

/**
 * Who holds the out-of-hours role on this case. `authorityOnly` (reg 5): the case's own (an `EDT:`
 * line) or its authority's from the directory, never the organisation's own entry, which is the
 * home's on-call service and not the placing authority's duty team.
 */
export function outOfHoursContacts(state: CaseState, rule: OutOfHoursRule, ctx: Pick<CaseContext, 'directory' | 'org'>): ResolvedContact[] {
  if (!rule.authorityOnly) return resolveRole(state, rule.to, ctx);
  const { [state.orgId]: own, ...others } = ctx.directory.organisations;
  const withoutOwn = own ? { ...others, [state.orgId]: Object.fromEntries(Object.entries(own).filter(([role]) => role !== rule.to)) } : others;
  return resolveRole(state, rule.to, { ...ctx, directory: { ...ctx.directory, organisations: withoutOwn } });
}
