import type { OrganisationConfig } from '../config/config-schema.js';
import type { LadderRegistry } from '../config/load-ladders.js';
import { WorkCalendar } from '../domain/calendar/work-calendar.js';
import type { CaseContext } from '../domain/case/case-context.js';
import type { Contact } from '../domain/case/case-state.js';
import type { Directory } from '../domain/directory.js';
import { domainOf } from '../domain/directory.js';
import { TemplateStore, DEFAULT_TEMPLATE_DIR } from '../lib/template-store.js';

/** One organisation as the running service sees it: its calendar, staff rule, ladders, templates. */
export class OrgRuntime {
  readonly id: string;
  readonly name: string;
  readonly calendar: WorkCalendar;
  readonly manager: Contact;
  readonly mailbox: string;
  readonly templates: TemplateStore;
  private readonly staffDomains: string[];
  private readonly staffAddresses: Set<string>;

  constructor(
    readonly config: OrganisationConfig,
    readonly ladders: LadderRegistry,
    readonly directory: Directory,
    templateOverrideDir?: string,
  ) {
    this.id = config.id;
    this.name = config.name;
    this.calendar = new WorkCalendar({ nation: config.nation, timezone: config.timezone, window: config.sendWindow });
    this.manager = { email: config.manager.email.toLowerCase(), ...(config.manager.name ? { name: config.manager.name } : {}) };
    this.mailbox = config.mailbox.address.toLowerCase();
    this.templates = new TemplateStore(templateOverrideDir ? [DEFAULT_TEMPLATE_DIR, templateOverrideDir] : [DEFAULT_TEMPLATE_DIR]);
    this.staffDomains = config.staff.domains.map((d) => d.toLowerCase());
    this.staffAddresses = new Set([...config.staff.addresses.map((a) => a.toLowerCase()), this.manager.email]);
  }

  /** Staff may open cases and give commands: listed addresses, or any address at a staff domain. */
  isStaff(email: string | undefined): boolean {
    if (!email) return false;
    const e = email.toLowerCase();
    if (e === this.mailbox || e.startsWith(`${this.mailbox.split('@')[0]}+`)) return false;
    if (this.staffAddresses.has(e)) return true;
    const domain = domainOf(e);
    return this.staffDomains.some((d) => domain === d || domain.endsWith(`.${d}`));
  }

  /** Is this address the inbox itself (with or without a plus detail)? */
  isInbox(email: string): boolean {
    const [local, domain] = email.toLowerCase().split('@');
    const [inboxLocal, inboxDomain] = this.mailbox.split('@');
    return domain === inboxDomain && (local === inboxLocal || local!.startsWith(`${inboxLocal}+`));
  }

  caseContext(ladderId: string, now: Date): CaseContext {
    return {
      now,
      ladder: this.ladders.require(this.id, ladderId),
      calendar: this.calendar,
      org: { id: this.id, name: this.name, manager: this.manager },
      directory: this.directory,
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
    return this.byMailbox.get(mailbox.toLowerCase());
  }

  all(): OrgRuntime[] {
    return [...this.byId.values()];
  }
}
