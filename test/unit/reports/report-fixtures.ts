/**
 * Cases for the report builders, made by the real pure state machine (CaseDriver): each is
 * opened, escalated, replied to or commanded exactly as the service would do it.
 */
import type { Directory } from '../../../src/domain/directory.js';
import type { CaseState } from '../../../src/domain/case/case-state.js';
import { caseFacts, type CaseFacts } from '../../../src/reports/case-facts.js';
import { CaseDriver, calendar, ladder, people } from '../case/case-driver.js';

export const DIRECTORY: Directory = {
  authorities: [{ id: 'northshire', name: 'Northshire County Council', domains: ['la.example.gov.uk'], contacts: {} }],
  organisations: {},
};

export const CAL = calendar();

/** A reg 5 case with its own reference, opened at `openedAt` (UTC ISO). */
export function reg5(ref: string, openedAt: string, opts: { roles?: string[]; childRef?: string; category?: string; professional?: string } = {}): CaseDriver {
  const d = new CaseDriver(ladder('childrens-home-reg5'), CAL, DIRECTORY).at(openedAt);
  const participants = people(...(opts.roles ?? ['professional', 'team-manager', 'assistant-director', 'dcs', 'iro', 'ofsted-inspector', 'lscp']));
  if (opts.professional) participants[0] = { role: 'professional', email: opts.professional, source: 'request' };
  d.open({ participants });
  rename(d.state, ref, opts);
  return d;
}

export function fosteringPanel(ref: string, openedAt: string, opts: { childRef?: string; category?: string } = {}): CaseDriver {
  const d = new CaseDriver(ladder('fostering-panel'), CAL, DIRECTORY).at(openedAt);
  d.open({ participants: people('responsible-manager', 'panel-adviser', 'senior-manager', 'adm', 'panel-chair') });
  rename(d.state, ref, opts);
  return d;
}

function rename(state: CaseState, ref: string, opts: { childRef?: string; category?: string }): void {
  state.ref = ref;
  state.id = `id-${ref}`;
  if (opts.childRef) state.childRef = opts.childRef;
  if (opts.category) state.category = opts.category;
}

export function factsOf(d: CaseDriver, now: string): CaseFacts {
  return caseFacts(d.state, { ...d.ctx(), now: new Date(now) });
}
