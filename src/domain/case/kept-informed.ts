import type { LadderDefinition } from '../ladder/ladder-schema.js';
import type { CaseContext } from './case-context.js';
import { isClosed, type CaseState } from './case-state.js';
import type { DecisionBuilder } from './decision.js';
import { resolveRoles, type ResolvedContact } from './role-resolution.js';

/**
 * Whether this case tells the ladder's `keepInformed` roles anything. A ladder with
 * `keepInformedWhen` tells them only when the case has that flag: the FIRO guide says "Where
 * appropriate the foster carer should be informed …", which is the FIRO's judgement on the case, so
 * nothing goes to the carer until the case says so (`Foster carer informed: yes`). Without it (the
 * foster carer's own concern, where the policy tells the carer at every stage) every case does.
 */
export function keepsInformed(state: Pick<CaseState, 'flags'>, def: Pick<LadderDefinition, 'keepInformed' | 'keepInformedWhen'>): boolean {
  if (def.keepInformed.length === 0) return false;
  return !def.keepInformedWhen || state.flags[def.keepInformedWhen];
}

/** The people kept informed on this case (none when the case says not to): never the staff, who have their own notices. */
export function keptInformedContacts(state: CaseState, ctx: Pick<CaseContext, 'ladder' | 'directory' | 'org'>): ResolvedContact[] {
  if (!keepsInformed(state, ctx.ladder)) return [];
  const roles = ctx.ladder.keepInformed.filter((r) => r !== 'originator' && r !== 'rm');
  return resolveRoles(state, roles, ctx).contacts;
}

/** What the people kept informed are to be told now about the case as a whole, if anything. */
export type KeptInformedMoment = { moment: 'opening' } | { moment: 'end'; outcome: 'resolved' | 'closed'; endedAt: string } | { moment: 'reopened' };

/**
 * The opening and end notes (`keepInformedAt`), decided from the state alone, so any path that
 * opens, ends or reopens a case (a command, a reply, the confirmers' silence) gets them the same:
 * - opening: once, when the case is live (not waiting for its sender to confirm it: nothing goes
 *   to anyone before) and they can be told; a case marked `Foster carer informed: yes` later, or
 *   given the carer's address later, tells them then.
 * - end: when the case is resolved or closed and they were told it opened (someone never told it
 *   began is not told it ended); each end once, so a case reopened and ended again says so again.
 * - reopened: when a case they were told had ended is open again (REOPEN), once per such end: the
 *   last thing they heard was that it was over. Nothing to someone never told it ended.
 */
export function keptInformedMoment(
  state: CaseState,
  def: Pick<LadderDefinition, 'keepInformed' | 'keepInformedWhen' | 'keepInformedAt'>,
): KeptInformedMoment | undefined {
  if (!keepsInformed(state, def) || state.senderConfirmation) return undefined;
  const told = state.keptInformed ?? {};
  if (isClosed(state)) {
    const endedAt = state.status === 'resolved' ? state.resolvedAt : state.closedAt;
    if (!def.keepInformedAt.includes('end') || !told.opening || !endedAt || (told.ends ?? []).includes(endedAt)) return undefined;
    return { moment: 'end', outcome: state.status === 'resolved' ? 'resolved' : 'closed', endedAt };
  }
  if (def.keepInformedAt.includes('opening') && !told.opening) return { moment: 'opening' };
  if ((told.ends ?? []).length > (told.reopens ?? []).length) return { moment: 'reopened' };
  return undefined;
}

/** Sends the opening or end note the state calls for (keptInformedMoment), to whoever holds the roles now. */
export function tellKeptInformed(b: DecisionBuilder, ctx: CaseContext): void {
  const state = b.state;
  const due = keptInformedMoment(state, ctx.ladder);
  if (!due) return;
  const to = keptInformedContacts(state, ctx);
  // No address yet: told once one is given (the RM was shown the role as not known yet).
  if (to.length === 0) return;
  const now = ctx.now.toISOString();
  const told = (state.keptInformed ??= {});
  if (due.moment === 'opening') {
    told.opening = now;
    b.mail({ kind: 'kept-informed-case', key: 'informed-opening', to, cc: [], timing: 'window', data: { moment: 'opening' } });
  } else if (due.moment === 'reopened') {
    told.reopens = [...(told.reopens ?? []), now];
    b.mail({ kind: 'kept-informed-case', key: `informed-reopen-${told.reopens.length}`, to, cc: [], timing: 'window', data: { moment: 'reopened' } });
  } else {
    told.ends = [...(told.ends ?? []), due.endedAt];
    b.mail({
      kind: 'kept-informed-case',
      key: `informed-end-${told.ends.length}`,
      to,
      cc: [],
      timing: 'window',
      data: { moment: 'end', outcome: due.outcome },
    });
  }
}
