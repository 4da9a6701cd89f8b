import { domainOfAddress, withinDomain } from '../address.js';
import type { Country } from '../calendar/nation.js';
import type { WorkCalendar } from '../calendar/work-calendar.js';
import type { Directory } from '../directory.js';
import type { LadderDefinition } from '../ladder/ladder-schema.js';
import type { Contact } from './case-state.js';

/** Everything a pure case decision may consult. `now` is always given, never read. */
export interface CaseContext {
  now: Date;
  ladder: LadderDefinition;
  calendar: WorkCalendar;
  /** `domains`: the organisation's own (staff) domains, IDNA-normalised; only addresses there may hold a staff role. */
  org: {
    id: string;
    name: string;
    manager: Contact;
    domains?: string[];
    /** The manager's role as the chasers sign it ("Registered Manager"), when configured. */
    managerRole?: string;
    /** The organisation's telephone number, for the chasers' signature, when configured. */
    phone?: string;
    /** Whose regulator the chasers name (default: the calendar's nation's; England for England and Wales). */
    country?: Country;
  };
  directory: Directory;
  /** A promise never holds the ladder more than this many months ahead without the RM's say-so (default 6). */
  promiseHorizonMonths?: number;
  /** The organisation's `attachments.forwardMaxBytes`: which of a reply's files the confirmers are sent (default 20 MB). */
  forwardMaxBytes?: number;
}

/** Roles that run a case rather than answer it: a directive may give them only to the organisation's own addresses. */
export function isStaffRole(role: string, ladder: Pick<LadderDefinition, 'confirmers'>): boolean {
  return role === 'rm' || role === 'originator' || ladder.confirmers.includes(role);
}

/** Is the address at one of the organisation's own domains (never true when the context names none)? */
export function insideOrganisation(email: string, ctx: Pick<CaseContext, 'org'>): boolean {
  const domain = domainOfAddress(email);
  return !!domain && (ctx.org.domains ?? []).some((d) => withinDomain(domain, d));
}
