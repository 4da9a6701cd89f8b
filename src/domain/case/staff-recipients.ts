import type { CaseContext } from './case-context.js';
import type { CaseState, Contact } from './case-state.js';
import { dedupe } from './role-resolution.js';

/** Who hears about the case on the organisation's side: the person who raised it and the RM. */
export function staffRecipients(state: CaseState, ctx: Pick<CaseContext, 'org'>): { to: Contact[]; cc: Contact[] } {
  const to = [state.originator];
  const cc = dedupe([ctx.org.manager], to);
  return { to, cc };
}
