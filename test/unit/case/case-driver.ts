/**
 * Drives the pure case state machine by hand: a ladder, a calendar, a `now` the test moves, and
 * every decision kept so a test can look at the mails and events it produced. After every
 * decision the driver checks the invariant the design promises: nothing is ever due outside the
 * send window (09:00–17:00 on a working day), but a rung the ladder lets go at any hour.
 */
import type { PanelDirective } from '../../../src/domain/case/panel-form.js';
import { expect } from 'vitest';
import { readLadderDir } from '../../../src/config/load-ladders.js';
import type { Nation } from '../../../src/domain/calendar/nation.js';
import { WorkCalendar } from '../../../src/domain/calendar/work-calendar.js';
import { advanceCase } from '../../../src/domain/case/advance.js';
import { applyCommands } from '../../../src/domain/case/apply-commands.js';
import { applyBounce, applyRecipientReply, type RecipientReplyInput, type ReplyClass } from '../../../src/domain/case/apply-reply.js';
import type { CaseContext } from '../../../src/domain/case/case-context.js';
import type { CaseState, Contact, Participant, Step } from '../../../src/domain/case/case-state.js';
import type { Decision, MailIntent } from '../../../src/domain/case/decision.js';
import { openCase } from '../../../src/domain/case/open-case.js';
import type { Command } from '../../../src/domain/commands/command.js';
import { EMPTY_DIRECTORY, type Directory } from '../../../src/domain/directory.js';
import type { CaseFlag, LadderDefinition, VariantName } from '../../../src/domain/ladder/ladder-schema.js';

const loaded = readLadderDir('config/ladders');
if (loaded.problems.length > 0) throw new Error(`ladders are not valid:\n${loaded.problems.join('\n')}`);

export function ladder(id: string): LadderDefinition {
  const def = loaded.ladders.get(id);
  if (!def) throw new Error(`no ladder ${id}`);
  return def;
}

/**
 * Reg 5 as an organisation's own ladder file may still have it: `Child protection: yes` on the
 * standard weeks (the LSCP rung at 8 weeks). The shipped ladder puts such a case on the
 * safeguarding timescales (issue 15.4); the standard ladder's LSCP rung still has to work.
 */
export function reg5ChildProtectionOnWeeks(): LadderDefinition {
  const def = ladder('childrens-home-reg5');
  const urgent = def.variants.urgent;
  if (!urgent) throw new Error('reg 5 has no urgent variant');
  return { ...def, variants: { ...def.variants, urgent: { ...urgent, chosenBy: [] } } };
}

export function calendar(nation: Nation = 'england-and-wales'): WorkCalendar {
  return new WorkCalendar({ nation, timezone: 'Europe/London', window: { start: '09:00', end: '17:00' } });
}

export const RM: Contact = { email: 'rm@home.example.org', name: 'Registered Manager' };
export const ORIGINATOR: Contact = { email: 'raiser@home.example.org', name: 'Case Raiser' };

/** The address the tests give a role: `<role>@la.example.gov.uk`. */
export function addr(role: string): string {
  return `${role}@la.example.gov.uk`;
}

export function people(...roles: string[]): Participant[] {
  return roles.map((role) => ({ role, email: addr(role), source: 'directive' as const }));
}

export function emails(contacts: Contact[]): string[] {
  return contacts.map((c) => c.email).sort();
}

export class CaseDriver {
  state!: CaseState;
  now = new Date(0);
  readonly decisions: Decision[] = [];
  private messages = 0;

  constructor(
    readonly def: LadderDefinition,
    readonly cal: WorkCalendar = calendar(),
    readonly directory: Directory = EMPTY_DIRECTORY,
    /** The organisation's own domains (none by default: everyone is outside it). */
    readonly domains?: string[],
  ) {}

  ctx(): CaseContext {
    return {
      now: this.now,
      ladder: this.def,
      calendar: this.cal,
      org: { id: 'org-1', name: 'Example Home', manager: RM, ...(this.domains ? { domains: this.domains } : {}) },
      directory: this.directory,
    };
  }

  at(iso: string): this {
    this.now = new Date(iso);
    return this;
  }

  /** Records a decision made outside the helpers below (and checks the state it leaves). */
  take(d: Decision): Decision {
    this.state = d.state;
    this.decisions.push(d);
    this.checkWindow();
    return d;
  }

  /** Every planned due moment, and the next action, sits inside the send window (but a rung that may go at any hour). */
  checkWindow(): void {
    for (const step of this.state.steps) {
      if (step.status !== 'planned' || !step.dueAt || step.anyHour) continue;
      expect(this.cal.isOpen(new Date(step.dueAt)), `step ${step.rungId} due ${this.cal.iso(new Date(step.dueAt))}`).toBe(true);
    }
    if (this.state.nextActionAt && !this.state.steps.some((s) => s.anyHour && s.dueAt === this.state.nextActionAt)) {
      expect(this.cal.isOpen(new Date(this.state.nextActionAt)), `next action ${this.state.nextActionAt}`).toBe(true);
    }
  }

  open(opts: {
    participants: Participant[];
    flags?: Partial<Record<CaseFlag, boolean>>;
    variant?: VariantName;
    originator?: Contact;
    senderConfirmation?: { token: string; until: Date; reason: string };
    /** A `Due:` date (YYYY-MM-DD). */
    requestedBy?: string;
    /** The fostering panel form's lines of the request. */
    panelLines?: PanelDirective[];
  }): Decision {
    return this.take(
      openCase(
        {
          id: 'case-1',
          ref: 'ESC-2026-0001',
          token: 'tok',
          orgId: 'org-1',
          ladderId: this.def.id,
          variant: opts.variant ?? 'standard',
          openedAt: this.now,
          subject: 'LAC review minutes',
          requestMessageId: '<req@home.example.org>',
          threadIds: ['<req@home.example.org>'],
          originator: opts.originator ?? ORIGINATOR,
          participants: opts.participants,
          flags: opts.flags ?? {},
          warnings: [],
          messageRef: 'msg-0',
          ...(opts.senderConfirmation ? { senderConfirmation: opts.senderConfirmation } : {}),
          ...(opts.requestedBy ? { requestedBy: opts.requestedBy } : {}),
          ...(opts.panelLines ? { panelLines: opts.panelLines } : {}),
        },
        this.ctx(),
      ),
    );
  }

  advance(): Decision {
    return this.take(advanceCase(this.state, this.ctx()));
  }

  command(command: Command, from: Contact = RM): Decision {
    return this.commands([command], from);
  }

  commands(commands: Command[], from: Contact = RM): Decision {
    const key = `c${++this.messages}`;
    return this.take(
      applyCommands(
        this.state,
        { from, lines: commands.map((command) => ({ line: command.kind.toUpperCase(), command })), errors: [], messageKey: key },
        this.ctx(),
      ),
    );
  }

  reply(role: string, cls: ReplyClass, promiseDate?: string): Decision {
    const key = `r${++this.messages}`;
    return this.take(
      applyRecipientReply(
        this.state,
        {
          from: { email: addr(role) },
          role,
          classification: { class: cls, ...(promiseDate ? { promiseDate } : {}) },
          messageKey: key,
          newText: 'reply text',
        },
        this.ctx(),
      ),
    );
  }

  /** A chased recipient's reply with a classification given in full (a meeting date, evidence). */
  replyAs(role: string, classification: RecipientReplyInput['classification'], newText = 'reply text'): Decision {
    const key = `r${++this.messages}`;
    return this.take(applyRecipientReply(this.state, { from: { email: addr(role) }, role, classification, messageKey: key, newText }, this.ctx()));
  }

  /** A chased recipient's reply that came with files (names, types, sizes). */
  replyWithFiles(role: string, cls: ReplyClass, attachments: { filename?: string; contentType: string; size: number }[], newText = 'reply text'): Decision {
    const key = `r${++this.messages}`;
    return this.take(
      applyRecipientReply(this.state, { from: { email: addr(role) }, role, classification: { class: cls }, messageKey: key, newText, attachments }, this.ctx()),
    );
  }

  bounce(...addresses: string[]): Decision {
    const key = `b${++this.messages}`;
    return this.take(
      applyBounce(this.state, { recipients: addresses.map((address) => ({ address, status: '5.1.1', action: 'failed' })), messageKey: key }, this.ctx()),
    );
  }

  step(rungId: string): Step {
    const found = [...this.state.steps].reverse().find((s) => s.rungId === rungId);
    if (!found) throw new Error(`no step for ${rungId}`);
    return found;
  }

  /** Local ISO (with offset) of a step's due moment. */
  due(rungId: string): string | null {
    const at = this.step(rungId).dueAt;
    return at ? this.cal.iso(new Date(at)) : null;
  }

  /** Every step's rung, status and due moment (local ISO), in order. */
  plan(): [string, string, string | null][] {
    return this.state.steps.map((s) => [s.rungId, s.status, s.dueAt ? this.cal.iso(new Date(s.dueAt)) : null]);
  }

  last(): Decision {
    return this.decisions[this.decisions.length - 1]!;
  }
}

export function mailsOf<K extends MailIntent['kind']>(d: Decision, kind: K): Extract<MailIntent, { kind: K }>[] {
  return d.mails.filter((m): m is Extract<MailIntent, { kind: K }> => m.kind === kind);
}
