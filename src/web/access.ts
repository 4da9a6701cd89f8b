import type { WebConfig, WebRole } from '../config/config-schema.js';

/** Who is signed in, as the identity provider said at sign-in (kept in the session). */
export interface WebUser {
  sub: string;
  email: string;
  name: string;
  groups: string[];
}

export interface Grant {
  role: WebRole;
  organisations: string[];
}

/** The grants the user's groups carry, read from the config at each request (a config change applies at once). */
export function grantsFor(user: Pick<WebUser, 'groups'>, access: WebConfig['access']): Grant[] {
  const groups = new Set(user.groups);
  return access.filter((a) => groups.has(a.group)).map((a) => ({ role: a.role, organisations: a.organisations }));
}

/** What one signed-in user may do: read an organisation's cases (any role), act on them (rm, manager). */
export class Access {
  constructor(
    readonly user: WebUser,
    readonly grants: Grant[],
  ) {}

  static of(user: WebUser, access: WebConfig['access']): Access {
    return new Access(user, grantsFor(user, access));
  }

  get any(): boolean {
    return this.grants.length > 0;
  }

  /** The organisations whose cases the user sees, in the order the grants name them. */
  get organisations(): string[] {
    return [...new Set(this.grants.flatMap((g) => g.organisations))];
  }

  canRead(orgId: string): boolean {
    return this.grants.some((g) => g.organisations.includes(orgId));
  }

  canAct(orgId: string): boolean {
    return this.grants.some((g) => g.role !== 'auditor' && g.organisations.includes(orgId));
  }

  /** The roles as shown in the page header. */
  get roles(): WebRole[] {
    return [...new Set(this.grants.map((g) => g.role))];
  }
}
