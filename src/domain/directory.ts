import { domainOfAddress, normaliseDomain, withinDomain } from './address.js';
import type { Contact } from './case/case-state.js';

/**
 * The partner agencies the reg 5 template policy names ("health and education services, …, the
 * police and youth offending teams"), and the council a placing authority is. Council is the default.
 */
export const AGENCY_KINDS = ['council', 'health', 'education', 'police', 'youth-offending'] as const;
export type AgencyKind = (typeof AGENCY_KINDS)[number];

/** How a chaser names an agency of each kind when it speaks of the body rather than the people. */
export const AGENCY_KIND_TEXT: Record<AgencyKind, string> = {
  council: 'local authority',
  health: 'health service',
  education: 'education service',
  police: 'police service',
  'youth-offending': 'youth offending service',
};

/** One role of an agency's own ladder: its title ("designated nurse") and who holds it. */
export interface AgencyRole {
  title: string;
  /** Optional on the first role (the professional, whoever the request was addressed to). */
  contact?: Contact;
}

/** A local authority (or other agency) we chase, found by the professional's email domain. */
export interface Authority {
  id: string;
  name: string;
  /** Absent: a council. */
  kind?: AgencyKind;
  domains: string[];
  contacts: Record<string, Contact>;
  /**
   * The agency's own roles, lowest first, the professional's own role first ("named nurse",
   * "designated nurse", "head of service"): on a ladder with `partnerAgencies` they stand in for
   * the council's roles the ladder names (reg 5: team manager, Assistant Director, DCS).
   */
  ladder?: AgencyRole[];
}

/** `config/directory.yaml`, already parsed: who holds a role when the case does not say. */
export interface Directory {
  authorities: Authority[];
  /** Per organisation: its own roles (Ofsted inspector, PSW, operational lead, …). */
  organisations: Record<string, Record<string, Contact>>;
}

export const EMPTY_DIRECTORY: Directory = { authorities: [], organisations: {} };

export function domainOf(email: string): string {
  return domainOfAddress(email);
}

/**
 * The authority whose domains include the address's domain or a parent of it; the most specific
 * domain wins, so a trust at nhs.northshire.example is not taken for the council at northshire.example.
 */
export function authorityForAddress(directory: Directory, email: string): Authority | undefined {
  const domain = domainOf(email);
  let best: { authority: Authority; length: number } | undefined;
  for (const authority of directory.authorities) {
    for (const d of authority.domains.map(normaliseDomain)) {
      if (withinDomain(domain, d) && (!best || d.length > best.length)) best = { authority, length: d.length };
    }
  }
  return best?.authority;
}
