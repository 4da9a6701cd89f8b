import type { WebConfig, WebRole } from '../config/config-schema.js';

/** Who is signed in, as the identity provider said at sign-in (kept in the session). */
export interface WebUser {
  sub: string;
  email: string;
  name: string;
  groups: string[];
  /** The provider said the email address is the user's (`email_verified`): only then does an `email` grant apply. */
  emailVerified?: boolean;
  /** Google Workspace's hosted domain (`hd`): set by Google for Workspace accounts only, never for a consumer account. */
  hostedDomain?: string;
}

export interface Grant {
  role: WebRole;
  organisations: string[];
}

/** Does this grant name the user: one of their groups, their verified address, or their Workspace domain? */
function names(grant: WebConfig['access'][number], user: Pick<WebUser, 'groups' | 'email' | 'emailVerified' | 'hostedDomain'>): boolean {
  if (grant.group !== undefined) return user.groups.includes(grant.group);
  // An unverified address proves nothing: some providers let a person type any address into their profile.
  if (grant.email !== undefined) return user.emailVerified === true && user.email.toLowerCase() === grant.email.toLowerCase();
  // The hd claim, never the address's suffix: a consumer Google account may carry any address.
  if (grant.domain !== undefined) return user.hostedDomain?.toLowerCase() === grant.domain.toLowerCase();
  return false;
}

/** The grants that name the user, read from the config at each request (a config change applies at once). */
export function grantsFor(user: Pick<WebUser, 'groups' | 'email' | 'emailVerified' | 'hostedDomain'>, access: WebConfig['access']): Grant[] {
  return access.filter((a) => names(a, user)).map((a) => ({ role: a.role, organisations: a.organisations }));
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
