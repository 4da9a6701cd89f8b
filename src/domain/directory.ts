import { domainOfAddress, normaliseDomain, withinDomain } from './address.js';
import type { Contact } from './case/case-state.js';

/** A local authority (or other agency) we chase, found by the professional's email domain. */
export interface Authority {
  id: string;
  name: string;
  domains: string[];
  contacts: Record<string, Contact>;
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

/** The authority whose domains include the address's domain or a parent of it. */
export function authorityForAddress(directory: Directory, email: string): Authority | undefined {
  const domain = domainOf(email);
  return directory.authorities.find((a) => a.domains.some((d) => withinDomain(domain, normaliseDomain(d))));
}
