import { addressKey } from '../domain/address.js';
import type { WorkCalendar } from '../domain/calendar/work-calendar.js';
import type { CaseContext } from '../domain/case/case-context.js';
import type { CaseState } from '../domain/case/case-state.js';
import { authorityForAddress } from '../domain/directory.js';
import { roleLabel } from '../domain/roles.js';

/**
 * An inspector reads "Mon 7 Dec 2026, 11:00 GMT", never an ISO stamp or a UTC `…Z`: the
 * organisation's own time with its zone named, so a date near the clocks changing is not misread.
 */
export function localStamp(cal: WorkCalendar, at: Date): string {
  return cal.local(at).setLocale('en-GB').toFormat('ccc d LLL yyyy, HH:mm ZZZZ');
}

/** "Mon 7 Dec 2026": a deadline or a day, without a time. */
export function localDay(cal: WorkCalendar, at: Date): string {
  return cal.local(at).setLocale('en-GB').toFormat('ccc d LLL yyyy');
}

/** For `<time datetime>`: machine-readable, in local time with its offset (never a bare `…Z`). */
export function localIso(cal: WorkCalendar, at: Date): string {
  return cal.local(at).toISO({ suppressMilliseconds: true }) ?? at.toISOString();
}

const ucfirst = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
/** "the Registered Manager" reads as a role after a name without its article. */
const bareRole = (role: string, label: (role: string) => string = roleLabel) => ucfirst(label(role).replace(/^the /, ''));

/**
 * Who is who on a case, by address: name and role from the case's participants, the person who
 * raised it, the organisation's manager and the directory. The pack names people as
 * "Jo Bennett (Team manager)", never by a bare address or an internal actor string.
 */
export class People {
  private readonly byAddress = new Map<string, { name?: string; roles: string[] }>();

  constructor(
    state: CaseState,
    ctx: Pick<CaseContext, 'org' | 'directory'>,
    private readonly mailbox: string,
    /** A role's label where the organisation is ("Care Inspectorate Wales inspector"). */
    label: (role: string) => string = roleLabel,
  ) {
    const add = (email: string, name: string | undefined, role: string | undefined) => {
      const key = addressKey(email);
      const entry = this.byAddress.get(key) ?? { roles: [] };
      if (name && !entry.name) entry.name = name;
      if (role && !entry.roles.includes(role)) entry.roles.push(role);
      this.byAddress.set(key, entry);
    };
    for (const p of state.participants) add(p.email, p.name, bareRole(p.role, label));
    add(ctx.org.manager.email, ctx.org.manager.name, ctx.org.managerRole ?? 'Registered Manager');
    add(state.originator.email, state.originator.name, 'who raised the request');
    for (const [role, c] of Object.entries(ctx.directory.organisations[ctx.org.id] ?? {})) add(c.email, c.name, bareRole(role, label));
    for (const p of state.participants) {
      const authority = authorityForAddress(ctx.directory, p.email);
      if (!authority) continue;
      for (const [role, c] of Object.entries(authority.contacts)) add(c.email, c.name, `${bareRole(role, label)}, ${authority.name}`);
    }
  }

  /** "Jo Bennett (Team manager)"; a stranger by the name their mail gave, and their address. */
  of(address: string, nameGiven?: string): string {
    const { email, name: parsedName } = parseAddress(address);
    if (addressKey(email) === addressKey(this.mailbox)) return 'the escalation inbox';
    const known = this.byAddress.get(addressKey(email));
    const role = known?.roles.join(', ');
    // A display name that only repeats the role ("Registered Manager") says nothing more.
    const name = [known?.name, nameGiven, parsedName].find((n) => n && !known?.roles.some((r) => r.toLowerCase() === n.toLowerCase()));
    if (name && role) return `${name} (${role})`;
    if (role) return `${email} (${role})`;
    return name ? `${name} <${email}>` : email;
  }

  list(addresses: readonly string[]): string {
    return addresses.map((a) => this.of(a)).join('; ');
  }

  /** "Jo Bennett (Team manager) <jo.bennett@…>": a message's header, where the address itself is evidence. */
  withAddress(address: string): string {
    const { email } = parseAddress(address);
    const who = this.of(address);
    return who.includes(email) || who === 'the escalation inbox'
      ? who === 'the escalation inbox'
        ? `the escalation inbox <${email}>`
        : who
      : `${who} <${email}>`;
  }

  addresses(list: readonly string[]): string {
    return list.map((a) => this.withAddress(a)).join('; ');
  }

  /**
   * Who did something, as the events record it: a person's address, `system`, `mailer-daemon`, or
   * an operator at the command line (`cli:<user>`) or in the web view (`web:<user>`).
   */
  actor(actor: string): string {
    if (actor === 'system') return 'the escalation service';
    if (actor === 'mailer-daemon') return 'the mail server';
    if (actor === 'unknown' || !actor) return 'an unknown sender';
    const operator = /^(cli|web):(.+)$/.exec(actor);
    if (operator) return `operator ${operator[2]} (${operator[1] === 'cli' ? 'at the command line' : 'in the web view'})`;
    return this.of(actor);
  }
}

/** "Name <a@b>" or a bare address. */
function parseAddress(text: string): { email: string; name?: string } {
  const [, name, email] = /^\s*"?([^"<]*?)"?\s*<([^>]+)>\s*$/.exec(text) ?? [];
  if (email !== undefined) return name ? { email: email.trim(), name: name.trim() } : { email: email.trim() };
  return { email: text.trim() };
}
