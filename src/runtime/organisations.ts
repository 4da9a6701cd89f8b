import type { OrganisationConfig } from '../config/config-schema.js';
import type { LadderRegistry } from '../config/load-ladders.js';
import type { WorkCalendar } from '../domain/calendar/work-calendar.js';
import { calendarOf } from './org-calendar.js';
import type { CaseContext } from '../domain/case/case-context.js';
import type { Contact } from '../domain/case/case-state.js';
import type { Directory } from '../domain/directory.js';
import { addressKey, domainOfAddress, normaliseDomain, sameAddress, withinDomain } from '../domain/address.js';
import type { TrustSetting } from '../domain/inbound/sender-verification.js';
import { TemplateStore, DEFAULT_TEMPLATE_DIR } from '../lib/template-store.js';

/** One organisation as the running service sees it: its calendar, staff rule, ladders, templates. */
export class OrgRuntime {
  readonly id: string;
  readonly name: string;
  readonly calendar: WorkCalendar;
  readonly manager: Contact;
  readonly mailbox: string;
  readonly templates: TemplateStore;
  /** How this organisation's senders are proven (README, Trust). */
  readonly trust: TrustSetting;
  readonly childReference: { pattern: RegExp; example: string };
  private readonly staffDomains: string[];
  private readonly staffAddresses: Set<string>;

  constructor(
    readonly config: OrganisationConfig,
    readonly ladders: LadderRegistry,
    readonly directory: Directory,
    templateOverrideDir?: string,
    /** The top-level `trust.authservIds`: the source of an organisation that names none of its own. */
    defaultAuthservIds: string[] = [],
    private readonly limits: { promiseHorizonMonths?: number } = {},
  ) {
    this.id = config.id;
    this.name = config.name;
    this.calendar = calendarOf(config);
    this.manager = { email: addressKey(config.manager.email), ...(config.manager.name ? { name: config.manager.name } : {}) };
    this.mailbox = addressKey(config.mailbox.address);
    this.templates = new TemplateStore(templateOverrideDir ? [DEFAULT_TEMPLATE_DIR, templateOverrideDir] : [DEFAULT_TEMPLATE_DIR]);
    this.staffDomains = config.staff.domains.map(normaliseDomain);
    this.staffAddresses = new Set([...config.staff.addresses.map(addressKey), this.manager.email]);
    this.trust = trustSetting(config, defaultAuthservIds);
    this.childReference = { pattern: new RegExp(config.childReference.pattern, 'iu'), example: config.childReference.example };
  }

  /** Staff may open cases and give commands: listed addresses, or any address at a staff domain. */
  isStaff(email: string | undefined): boolean {
    if (!email) return false;
    const e = addressKey(email);
    if (this.isInbox(e)) return false;
    if (this.staffAddresses.has(e)) return true;
    return this.isOwnDomain(e);
  }

  /** Is the address at one of the organisation's own (staff) domains? Listed staff addresses elsewhere are not. */
  isOwnDomain(email: string): boolean {
    const domain = domainOfAddress(email);
    return !!domain && this.staffDomains.some((d) => withinDomain(domain, d));
  }

  /** Is this address the inbox itself (with or without a plus detail)? */
  isInbox(email: string): boolean {
    const e = addressKey(email);
    if (sameAddress(e, this.mailbox)) return true;
    const at = e.lastIndexOf('@');
    const [inboxLocal, inboxDomain] = [this.mailbox.slice(0, this.mailbox.lastIndexOf('@')), this.mailbox.slice(this.mailbox.lastIndexOf('@') + 1)];
    return e.slice(at + 1) === inboxDomain && e.slice(0, at).startsWith(`${inboxLocal}+`);
  }

  caseContext(ladderId: string, now: Date): CaseContext {
    return {
      now,
      ladder: this.ladders.require(this.id, ladderId),
      calendar: this.calendar,
      org: {
        id: this.id,
        name: this.name,
        manager: this.manager,
        domains: this.staffDomains,
        ...(this.config.managerRole ? { managerRole: this.config.managerRole } : {}),
        ...(this.config.phone ? { phone: this.config.phone } : {}),
        ...(this.config.country ? { country: this.config.country } : {}),
      },
      directory: this.directory,
      ...(this.limits.promiseHorizonMonths ? { promiseHorizonMonths: this.limits.promiseHorizonMonths } : {}),
      forwardMaxBytes: this.config.attachments.forwardMaxBytes,
    };
  }
}

export function trustSetting(config: OrganisationConfig, defaultAuthservIds: string[]): TrustSetting {
  const t = config.trust;
  if (!t) return defaultAuthservIds.length ? { source: 'authserv-id', authservIds: defaultAuthservIds } : { source: 'none' };
  switch (t.source) {
    case 'none':
      return { source: 'none' };
    case 'google-workspace':
      return { source: 'google-workspace' };
    case 'authserv-id':
      return { source: 'authserv-id', authservIds: t.authservIds ?? [] };
    case 'exchange-online':
      return {
        source: 'exchange-online',
        // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the config schema refuses exchange-online without a tenantId
        tenantId: t.tenantId!,
        acceptedDomains: t.acceptedDomains?.length ? t.acceptedDomains : config.staff.domains,
        authservIds: t.authservIds ?? [],
      };
  }
}

export class Organisations {
  private readonly byId = new Map<string, OrgRuntime>();
  private readonly byMailbox = new Map<string, OrgRuntime>();

  constructor(orgs: OrgRuntime[]) {
    for (const org of orgs) {
      this.byId.set(org.id, org);
      this.byMailbox.set(org.mailbox, org);
    }
  }

  get(id: string): OrgRuntime {
    const org = this.byId.get(id);
    if (!org) throw new Error(`no organisation "${id}" in the config`);
    return org;
  }

  find(id: string): OrgRuntime | undefined {
    return this.byId.get(id);
  }

  forMailbox(mailbox: string): OrgRuntime | undefined {
    return this.byMailbox.get(addressKey(mailbox));
  }

  all(): OrgRuntime[] {
    return [...this.byId.values()];
  }
}
