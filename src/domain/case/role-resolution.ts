import { addressKey } from '../address.js';
import { authorityForAddress, type Authority } from '../directory.js';
import { rolesOf } from '../ladder/effective-ladder.js';
import type { LadderDefinition } from '../ladder/ladder-schema.js';
import { partnerRoles, titleRole } from '../ladder/partner-ladder.js';
import type { CaseContext } from './case-context.js';
import type { CaseState, Contact } from './case-state.js';

export interface ResolvedContact extends Contact {
  role: string;
  source: 'case' | 'directory' | 'config';
}

/**
 * The authority the case is with, for directory look-ups: that of the people the request was
 * addressed to (the professional, or whoever the ladder calls them), else of anyone named.
 */
export function caseAuthority(state: CaseState, ctx: Pick<CaseContext, 'directory'>): Authority | undefined {
  const ordered = [...state.participants.filter((p) => p.role === 'professional' || p.source === 'request'), ...state.participants];
  for (const p of ordered) {
    const a = authorityForAddress(ctx.directory, p.email);
    if (a) return a;
  }
  return undefined;
}

/** What role resolution reads: the directory, the organisation, and the ladder when there is one (its partner agencies). */
type ResolveContext = Pick<CaseContext, 'directory' | 'org'> & { ladder?: Pick<LadderDefinition, 'partnerAgencies' | 'professionalRole'> };

/**
 * The partner agency the case is with (reg 5: an NHS trust, a school), when the ladder takes
 * partner agencies and the agency's directory entry gives its own ladder of roles.
 */
export function casePartner(state: CaseState, ctx: Pick<CaseContext, 'directory' | 'ladder'>): Authority | undefined {
  if (!ctx.ladder.partnerAgencies) return undefined;
  const authority = caseAuthority(state, ctx);
  return partnerRoles(ctx.ladder, authority) ? authority : undefined;
}

/**
 * Deliverable addresses for a role on this case: what the case was told (directives, the
 * request's recipients, learned replies) first, then the directory (the professional's
 * authority, where a partner agency's own role stands in for the council's, then the
 * organisation's own entries).
 */
export function resolveRole(state: CaseState, role: string, ctx: ResolveContext): ResolvedContact[] {
  const undeliverable = new Set(state.participants.filter((p) => p.undeliverable).map((p) => addressKey(p.email)));
  const usable = (c: Contact) => !undeliverable.has(addressKey(c.email));
  if (role === 'originator') return usable(state.originator) ? [{ ...state.originator, role, source: 'case' }] : [];
  if (role === 'rm') return usable(ctx.org.manager) ? [{ ...ctx.org.manager, role, source: 'config' }] : [];
  const own = state.participants.filter((p) => p.role === role && !p.undeliverable);
  if (own.length) return own.map((p) => ({ email: p.email, ...(p.name ? { name: p.name } : {}), role, source: 'case' }));
  const authority = caseAuthority(state, ctx);
  const standIn = ctx.ladder ? partnerRoles(ctx.ladder, authority)?.get(role) : undefined;
  if (standIn && role !== ctx.ladder?.professionalRole) {
    // Named by the agency's own title on the case ("Designated nurse: …"), else the directory's.
    const named = state.participants.filter((p) => p.role === titleRole(standIn.title) && !p.undeliverable);
    if (named.length) return named.map((p) => ({ email: p.email, ...(p.name ? { name: p.name } : {}), role, source: 'case' }));
    if (standIn.contact) return usable(standIn.contact) ? [{ ...standIn.contact, role, source: 'directory' }] : [];
  }
  const fromAuthority = authority?.contacts[role];
  if (fromAuthority && usable(fromAuthority)) return [{ ...fromAuthority, role, source: 'directory' }];
  const fromOrg = ctx.directory.organisations[state.orgId]?.[role];
  if (fromOrg && usable(fromOrg)) return [{ ...fromOrg, role, source: 'directory' }];
  return [];
}

export function resolveRoles(state: CaseState, roles: string[], ctx: ResolveContext): { contacts: ResolvedContact[]; missing: string[] } {
  const contacts: ResolvedContact[] = [];
  const missing: string[] = [];
  for (const role of roles) {
    const found = resolveRole(state, role, ctx);
    if (found.length === 0) missing.push(role);
    contacts.push(...found);
  }
  return { contacts: dedupe(contacts), missing };
}

export function dedupe<T extends Contact>(contacts: T[], exclude: Contact[] = []): T[] {
  const seen = new Set(exclude.map((c) => addressKey(c.email)));
  const out: T[] = [];
  for (const c of contacts) {
    const key = addressKey(c.email);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(c);
  }
  return out;
}

/**
 * The role an address holds on this case (originator, rm, a participant's role, or a role the
 * directory gives it for this case's ladder), or undefined for a stranger.
 */
export function roleOfAddress(state: CaseState, email: string, ctx: Pick<CaseContext, 'directory' | 'org' | 'ladder'>): string | undefined {
  const e = addressKey(email);
  if (addressKey(state.originator.email) === e) return 'originator';
  if (addressKey(ctx.org.manager.email) === e) return 'rm';
  const p = state.participants.find((x) => addressKey(x.email) === e);
  if (p) return p.role;
  for (const role of rolesOf(ctx.ladder)) {
    if (role === 'originator' || role === 'rm') continue;
    if (resolveRole(state, role, ctx).some((c) => addressKey(c.email) === e)) return role;
  }
  return undefined;
}
