import { partnerRoles } from '../ladder/partner-ladder.js';
import { ladderFor } from './advance.js';
import type { CaseContext } from './case-context.js';
import type { CaseState } from './case-state.js';
import { casePartner } from './role-resolution.js';
import { rungOf } from './timetable.js';

/** Whom a step writes to, by a partner agency's own title: the designated nurse at Northshire NHS Foundation Trust. */
export interface PartnerRecipient {
  title: string;
  agency: string;
}

/**
 * The partner agency's role a step of the case writes to, for mail that speaks for several
 * chasers at once (a combined chaser): undefined on a council's case, and on a step to someone
 * outside the agency (the home's Ofsted inspector, the LSCP), who must not be greeted as the
 * agency's.
 */
export function partnerRecipient(state: CaseState, ctx: Pick<CaseContext, 'ladder' | 'directory'>, stepN: number): PartnerRecipient | undefined {
  const agency = casePartner(state, ctx);
  const step = state.steps.find((s) => s.n === stepN);
  if (!agency || !step) return undefined;
  const roles = partnerRoles(ctx.ladder, agency);
  const titles = new Set(rungOf(ladderFor(state, ctx), step).to.map((role) => roles?.get(role)?.title));
  const [title] = [...titles];
  return titles.size === 1 && title ? { title, agency: agency.name } : undefined;
}
