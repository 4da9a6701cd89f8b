/**
 * A realistic, entirely fictional case for one rung of one ladder, built by running the real
 * (pure) case machine: the request is opened, every earlier rung falls due and is sent (approved
 * where the rung needs it), and the chosen rung fires. `escalator templates preview` prints what
 * it renders, and the template tests render every template from it. No database, no mail.
 */
import type { Country } from '../../domain/calendar/nation.js';
import { WorkCalendar } from '../../domain/calendar/work-calendar.js';
import { advanceCase, ladderFor } from '../../domain/case/advance.js';
import { applyCommands } from '../../domain/case/apply-commands.js';
import { applyBounce, applyRecipientReply } from '../../domain/case/apply-reply.js';
import type { CaseContext } from '../../domain/case/case-context.js';
import type { CaseState, Contact, Participant, Step } from '../../domain/case/case-state.js';
import type { Decision } from '../../domain/case/decision.js';
import type { MailData, MailIntent, MailKind } from '../../domain/case/mail-intents.js';
import { openCase } from '../../domain/case/open-case.js';
import { dedupe } from '../../domain/case/role-resolution.js';
import { staffRecipients } from '../../domain/case/staff-recipients.js';
import { currentStep, rungOf } from '../../domain/case/timetable.js';
import type { Command } from '../../domain/commands/command.js';
import { EMPTY_DIRECTORY, type Directory } from '../../domain/directory.js';
import { must } from '../../lib/must.js';
import { effectiveLadder, rolesOf } from '../../domain/ladder/effective-ladder.js';
import type { CaseFlag, LadderDefinition, VariantName } from '../../domain/ladder/ladder-schema.js';
import { roleLabel } from '../../domain/roles.js';
import { buildMailContext, type MailContext } from './mail-context.js';
import { renderMail, templateNameFor, type RenderedMail } from './render-mail.js';
import type { TemplateStore } from '../../lib/template-store.js';

import { MAIL_KINDS } from './sample-kinds.js';

export { MAIL_KINDS };

/** Sample facts for kinds the switch in `sampleMail` does not build from the case machine. */
const FOLD_SUMMARY: MailData<'fold-summary'> = {
  sender: 'replies@northshire.example',
  count: 2,
  safeguarding: 1,
  items: [
    { kind: 'reply-notice', at: '2026-12-07T10:05:00Z', safeguarding: false },
    { kind: 'reply-notice', at: '2026-12-07T10:06:00Z', safeguarding: true },
  ],
};

const DELIVERY_FAILURE: MailData<'delivery-failure'> = {
  failedKind: 'chaser',
  failedTo: ['sam.patel@northshire.example'],
  reason: '550 5.1.1 <sam.patel@northshire.example>: Recipient address rejected: User unknown',
};

const SENDER_CONFIRM: MailData<'sender-confirm'> = { token: 'ABCDEFGHJKMNPQRSTVWX', commands: ['CLOSE'], until: '2026-11-04T10:00:00.000Z', opening: false };

export interface SampleOrg {
  id: string;
  name: string;
  manager: Contact;
  mailbox: string;
  /** The display name mail goes out under ("Sunrise escalations"). */
  mailboxName: string;
  /** How the chasers sign the manager's role, and the telephone number under it (config). */
  managerRole?: string;
  phone?: string;
  /** Whose regulator the mails name (config `country`). */
  country?: Country;
}

export interface SampleOptions {
  ladder: LadderDefinition;
  /** A rung id of the ladder (after the variant is applied), or `repeat`. */
  rung: string;
  variant?: VariantName;
  calendar?: WorkCalendar;
  org?: SampleOrg;
  directory?: Directory;
  /** When the request was made; defaults to Monday 2 November 2026, 10:00 London time. */
  start?: Date;
  /** Replaces the fictional texts, e.g. to check that templates escape what came from an email. */
  text?: {
    subject?: string;
    childRef?: string;
    category?: string;
    replyText?: string;
    /** Names by role, as a directive would have given them ("Team manager: Jo Bennett <…>"). */
    names?: Record<string, string>;
  };
}

/** A case standing at the chosen rung, with every decision that led there. */
export interface SampleCase {
  def: LadderDefinition;
  calendar: WorkCalendar;
  org: SampleOrg;
  directory: Directory;
  opening: Decision;
  /** The decision in which the chosen rung fired (its chaser is sent, or drafted for approval). */
  fired: Decision;
  /** When it fired. */
  firedAt: Date;
  step: Step;
  context(now: Date): CaseContext;
}

export interface SampleMail {
  kind: MailKind;
  intent: MailIntent;
  state: CaseState;
  ctx: CaseContext;
  mailbox: string;
  names: { subject: string; body: string };
  context: MailContext;
}

export const DEFAULT_SAMPLE_START = new Date('2026-11-02T10:00:00Z');

export function sampleCalendar(): WorkCalendar {
  return new WorkCalendar({ nation: 'england-and-wales', timezone: 'Europe/London', window: { start: '09:00', end: '17:00' } });
}

/** Fictional people by role. Addresses are on reserved `.example` domains. */
const PEOPLE: Record<string, { name: string; email: string }> = {
  professional: { name: 'Sam Patel', email: 'sam.patel@northshire.example' },
  'team-manager': { name: 'Jo Bennett', email: 'jo.bennett@northshire.example' },
  'assistant-director': { name: 'Pat Reid', email: 'pat.reid@northshire.example' },
  dcs: { name: 'Morgan Hale', email: 'morgan.hale@northshire.example' },
  iro: { name: 'Chris Lowe', email: 'chris.lowe@northshire.example' },
  lscp: { name: 'Northshire Safeguarding Children Partnership', email: 'lscp@northshire.example' },
  'ofsted-inspector': { name: 'Dana Whitfield', email: 'dana.whitfield@ofsted.example' },
  psw: { name: 'Ruth Okafor', email: 'ruth.okafor@northshire.example' },
  ssw: { name: 'Priya Shah', email: 'priya.shah@northshire.example' },
  'ssw-manager': { name: 'Tom Fairley', email: 'tom.fairley@northshire.example' },
  'team-member': { name: 'Lee Harper', email: 'lee.harper@northshire.example' },
  'team-member-manager': { name: 'Kim Adeyemi', email: 'kim.adeyemi@northshire.example' },
  'operational-lead': { name: 'Nadia Brook', email: 'nadia.brook@northshire.example' },
  'strategic-lead': { name: 'Owen Price', email: 'owen.price@northshire.example' },
  'foster-carer': { name: 'Jamie Collins', email: 'jamie.collins@mail.example' },
  'responsible-manager': { name: 'Helen Ward', email: 'helen.ward@northshire.example' },
  'panel-adviser': { name: 'Mark Ellis', email: 'mark.ellis@northshire.example' },
  'senior-manager': { name: 'Grace Osei', email: 'grace.osei@northshire.example' },
  adm: { name: 'Dr Alan Frost', email: 'alan.frost@northshire.example' },
  'panel-chair': { name: 'Liz Carter', email: 'liz.carter@panel.example' },
  'service-manager': { name: 'Ben Taylor', email: 'ben.taylor@northshire.example' },
  'head-of-service': { name: 'Sarah Lund', email: 'sarah.lund@northshire.example' },
  'deputy-director': { name: 'Imran Qureshi', email: 'imran.qureshi@northshire.example' },
  director: { name: 'Claire Dunn', email: 'claire.dunn@northshire.example' },
  'fostering-service-manager': { name: 'Paul Grant', email: 'paul.grant@northshire.example' },
  'ssw-team-manager': { name: 'Anna Lewis', email: 'anna.lewis@northshire.example' },
  'firo-team-manager': { name: 'Rob Evans', email: 'rob.evans@northshire.example' },
};

function personFor(role: string): { name: string; email: string } {
  return PEOPLE[role] ?? { name: `Sample ${roleLabel(role)}`.replace(/’/g, ''), email: `${role}@northshire.example` };
}

function contactFor(role: string, names: Record<string, string> = {}): Contact {
  const p = personFor(role);
  return { email: p.email, name: names[role] ?? p.name };
}

/** What each shipped ladder's request is typically about, and who raises it. */
const SCENARIOS: Record<string, { subject: string; childRef: string; category: string; originatorRole?: string; originator?: Contact }> = {
  'childrens-home-reg5': { subject: 'LAC review minutes for AB-1234', childRef: 'AB-1234', category: 'LAC review minutes' },
  'foster-carer-concern': {
    subject: 'Respite referral for CD-5678 not yet made',
    childRef: 'CD-5678',
    category: 'Respite referral',
    originatorRole: 'ssw',
  },
  'fostering-panel': {
    subject: 'Panel escalation: references missing from a connected-persons assessment',
    childRef: 'GH-3456',
    category: 'Checks and references',
    originatorRole: 'panel-adviser',
  },
  'practice-disagreement': {
    subject: 'Case direction for EF-9012: proposed step-down to early help',
    childRef: 'EF-9012',
    category: 'Case direction',
    originator: { name: 'Dev Mistry', email: 'dev.mistry@northshire.example' },
  },
  'firo-dispute-resolution': {
    subject: 'Foster carer review recommendations not actioned (household HH-3345)',
    childRef: 'JK-7788',
    category: 'Review recommendations',
    originator: { name: 'Hannah Moss', email: 'hannah.moss@northshire.example' },
  },
};

const HOME_ORG: SampleOrg = {
  id: 'sunrise',
  name: 'Sunrise Children’s Homes',
  manager: { name: 'Alex Morgan', email: 'alex.morgan@sunrise-homes.example' },
  mailbox: 'escalations@sunrise-homes.example',
  mailboxName: 'Sunrise escalations',
  managerRole: 'Registered Manager',
  // A number Ofcom keeps for drama: never anyone's.
  phone: '0113 496 0000',
};

const LA_ORG: SampleOrg = {
  id: 'northshire',
  name: 'Northshire Children’s Services',
  manager: { name: 'Rachel Stone', email: 'rachel.stone@northshire.example' },
  mailbox: 'escalations@northshire.example',
  mailboxName: 'Northshire escalations',
  managerRole: 'Service Manager, Children’s Social Care',
  phone: '0113 496 0999',
};

/** The organisation a ladder is usually run by: a children's home for reg 5, the council otherwise. */
export function sampleOrgFor(ladderId: string): SampleOrg {
  return ladderId === 'childrens-home-reg5' ? HOME_ORG : LA_ORG;
}

function withoutChosenVariants(def: LadderDefinition): LadderDefinition {
  const entries = Object.entries(def.variants) as [keyof LadderDefinition['variants'], NonNullable<LadderDefinition['variants']['urgent']>][];
  if (!entries.some(([, v]) => v.chosenBy.length > 0)) return def;
  return { ...def, variants: Object.fromEntries(entries.map(([name, v]) => [name, { ...v, chosenBy: [] }])) };
}

/** Opens the fictional case and climbs the real ladder until the chosen rung fires. */
export function sampleCase(opts: SampleOptions): SampleCase {
  const variant = opts.variant ?? 'standard';
  // A standard rung that only goes with a flag which would move the case to shorter timescales
  // (reg 5's LSCP: child protection runs on the safeguarding ones) is shown as a ladder that
  // keeps it on the standard ones would send it.
  const def = variant === 'standard' ? withoutChosenVariants(opts.ladder) : opts.ladder;
  const cal = opts.calendar ?? sampleCalendar();
  const org = opts.org ?? sampleOrgFor(def.id);
  const directory = opts.directory ?? EMPTY_DIRECTORY;
  const ladder = effectiveLadder(def, variant);
  const target = opts.rung === 'repeat' ? ladder.repeat : ladder.rungs.find((r) => r.id === opts.rung);
  if (!target) {
    const ids = [...ladder.rungs.map((r) => r.id), ...(ladder.repeat ? ['repeat'] : [])];
    throw new Error(`ladder ${def.id}${variant === 'standard' ? '' : ` (${variant})`} has no rung "${opts.rung}" (its rungs: ${ids.join(', ')})`);
  }
  const scenario = SCENARIOS[def.id] ?? { subject: `${def.title}: sample request`, childRef: 'AB-1234', category: 'Sample' };
  const names = opts.text?.names ?? {};
  const originator = scenario.originatorRole ? contactFor(scenario.originatorRole, names) : (scenario.originator ?? org.manager);
  const participants: Participant[] = [...rolesOf(def)]
    .filter((role) => role !== 'originator' && role !== 'rm' && role !== scenario.originatorRole)
    .map((role) => ({ role, ...contactFor(role, names), source: role === def.professionalRole ? ('request' as const) : ('directive' as const) }));
  if (scenario.originatorRole) participants.push({ role: scenario.originatorRole, ...originator, source: 'request' });

  const flags: Partial<Record<CaseFlag, boolean>> = {};
  if (target.when) flags[target.when] = true;
  for (const flag of Object.keys(target.ccWhen) as CaseFlag[]) flags[flag] = true;
  if (variant !== 'standard') for (const flag of def.variants[variant]?.setsFlags ?? []) flags[flag] = true;
  // A ladder that keeps the carer informed only where the case says so shows a case that does.
  if (def.keepInformedWhen) flags[def.keepInformedWhen] = true;
  const context = (now: Date): CaseContext => ({
    now,
    ladder: def,
    calendar: cal,
    org: {
      id: org.id,
      name: org.name,
      manager: org.manager,
      ...(org.managerRole ? { managerRole: org.managerRole } : {}),
      ...(org.phone ? { phone: org.phone } : {}),
      ...(org.country ? { country: org.country } : {}),
    },
    directory,
  });

  const start = opts.start ?? DEFAULT_SAMPLE_START;
  const subject = opts.text?.subject ?? scenario.subject;
  const opening = openCase(
    {
      id: 'sample-case',
      ref: 'ESC-2026-0042',
      token: 'samplesampletoken',
      orgId: org.id,
      ladderId: def.id,
      variant,
      openedAt: start,
      subject: `${subject} [escalate]`,
      requestMessageId: '<request@sample.example>',
      threadIds: ['<request@sample.example>'],
      originator,
      participants,
      childRef: opts.text?.childRef ?? scenario.childRef,
      category: opts.text?.category ?? scenario.category,
      // A ladder that keeps the fostering panel form: the panel's date and step 6's further form
      // are in, so its senior manager's step goes (it waits for the form otherwise).
      ...(def.panelForm
        ? {
            panelLines: [
              { kind: 'panel-date' as const, field: 'panel-date' as const, date: cal.localDate(new Date(start.getTime() - 7 * 24 * 3600 * 1000)) },
              {
                kind: 'remaining-concerns' as const,
                text: 'The statutory checks and references are still not complete, and the response gives no date for them.',
              },
            ],
          }
        : {}),
      flags,
      warnings: [],
      messageRef: 'sample-request',
    },
    context(start),
  );

  let state = opening.state;
  let now = start;
  let decision: Decision = opening;
  for (let guard = 0; guard < 60; guard++) {
    // The chosen rung fired in the last decision (a same-day rung fires with the opening itself).
    const fired = state.steps.find((s) => s.rungId === target.id && (s.status === 'sent' || s.status === 'awaiting-approval'));
    if (fired) return { def, calendar: cal, org, directory, opening, fired: decision, firedAt: now, step: fired, context };
    const step = currentStep(state);
    if (!step) throw new Error(`ladder ${def.id}: the case ended before rung "${opts.rung}"`);
    const rung = rungOf(ladderFor(state, context(now)), step);
    if (step.status === 'awaiting-approval') {
      state = command(state, { kind: 'approve' }, org, context(now)).state;
      continue;
    }
    if (step.status !== 'planned') throw new Error(`ladder ${def.id}: step ${step.n} is ${step.status}`);
    if (rung.trigger === 'command') {
      // Only ESCALATE sends a command-triggered rung: the RM asks for it the next working day.
      now = cal.nextDayOpening(now);
      decision = command(state, { kind: 'escalate' }, org, context(now));
    } else {
      now = new Date(must(step.dueAt, `the due time of planned step ${step.n}`));
      decision = advanceCase(state, context(now));
    }
    state = decision.state;
  }
  throw new Error(`ladder ${def.id}: rung "${opts.rung}" was not reached`);
}

function command(state: CaseState, cmd: Command, org: SampleOrg, ctx: CaseContext): Decision {
  return applyCommands(
    state,
    { from: org.manager, lines: [{ line: cmd.kind.toUpperCase(), command: cmd }], errors: [], messageKey: `sample-${cmd.kind}`, acknowledge: false },
    ctx,
  );
}

/**
 * The mail of one kind that the case would send around the chosen rung, with its template context.
 * Kinds the ladder would never send at this rung (an approval request for a rung that needs none,
 * a confirm request on a ladder whose recipients resolve it) are built by hand in the shape the
 * case machine gives them, so every template can be previewed on every rung.
 */
export function sampleMail(kind: MailKind, opts: SampleOptions, store?: TemplateStore): SampleMail {
  const sample = sampleCase(opts);
  const { def, calendar: cal, org } = sample;
  let state = sample.fired.state;
  let now = sample.firedAt;
  const step = sample.step;
  const pick = (d: Decision, k: MailKind) => d.mails.find((m) => m.kind === k);
  const staff = () => staffRecipients(state, sample.context(now));
  const rung = rungOf(ladderFor(state, sample.context(now)), step);
  const chaser = pick(sample.fired, 'chaser');
  const replyText = opts.text?.replyText ?? 'Thank you for the reminder. I am chasing this today and will send it to you by Friday.\n\nKind regards';
  const replier: Contact = chaser?.to[0] ?? { email: 'someone@northshire.example' };
  const replierRole = rung.to[0] ?? def.professionalRole;

  let intent: MailIntent | undefined;
  switch (kind) {
    case 'confirmation':
      state = sample.opening.state;
      now = new Date(state.openedAt);
      intent = pick(sample.opening, 'confirmation');
      break;
    case 'chaser':
      intent = chaser;
      break;
    case 'approval-request':
      intent = pick(sample.fired, 'approval-request') ?? {
        kind,
        key: `s${step.n}-approval`,
        ...staff(),
        timing: 'now',
        step: step.n,
        data: { draftKey: `s${step.n}-chaser`, rungId: rung.id },
      };
      break;
    case 'approval-reminder': {
      if (step.status === 'awaiting-approval') {
        now = cal.nextOpening(cal.addWorkingDays(now, 1));
        const d = advanceCase(state, sample.context(now));
        state = d.state;
        intent = pick(d, 'approval-reminder');
      }
      intent ??= {
        kind,
        key: `s${step.n}-approval-reminder-1`,
        ...staff(),
        timing: 'now',
        step: step.n,
        data: { draftKey: `s${step.n}-chaser`, reminder: 1, rungId: rung.id },
      };
      break;
    }
    case 'step-notice':
    case 'kept-informed': {
      let d = sample.fired;
      if (step.status === 'awaiting-approval') {
        d = command(state, { kind: 'approve' }, org, sample.context(now));
        state = d.state;
      }
      intent = pick(d, kind);
      if (!intent && kind === 'kept-informed') {
        const carer = personFor('foster-carer');
        intent = { kind, key: `s${step.n}-informed`, to: [carer], cc: [], timing: 'window', step: step.n, data: { rungId: rung.id } };
      }
      break;
    }
    case 'kept-informed-case': {
      // The opening note as the case sent it, else one built in its shape (a ladder with no `keepInformedAt`).
      intent = pick(sample.opening, kind);
      if (intent) {
        state = sample.opening.state;
        now = new Date(state.openedAt);
      }
      intent ??= { kind, key: 'informed-opening', to: [personFor('foster-carer')], cc: [], timing: 'window', data: { moment: 'opening' } };
      break;
    }
    case 'contact-request':
      intent = {
        kind,
        key: `s${step.n}-contact`,
        ...staff(),
        timing: 'now',
        step: step.n,
        data: { missingRoles: rung.to },
      };
      break;
    case 'command-ack': {
      now = cal.nextDayOpening(now);
      const cc = must(rung.cc[0] ?? rung.to[0], `a role rung ${rung.id} writes to`);
      const commands: Command[] = [
        { kind: 'note', text: 'Spoke to the team manager by phone; they will look into it.' },
        { kind: 'directive', directive: { kind: 'contact', role: cc, contact: contactFor(cc, opts.text?.names) } },
      ];
      if (def.duties['young-person']) commands.unshift({ kind: 'views', text: 'Wants to know when the minutes will arrive.' });
      const d = applyCommands(
        state,
        { from: org.manager, lines: commands.map((c) => ({ line: c.kind.toUpperCase(), command: c })), errors: [], messageKey: 'sample-ack' },
        sample.context(now),
      );
      state = d.state;
      intent = pick(d, 'command-ack');
      break;
    }
    case 'command-error': {
      now = cal.nextDayOpening(now);
      const d = applyCommands(
        state,
        {
          from: org.manager,
          lines: [],
          errors: ['PAUSE until Fryday: "Fryday" is not a date I can read (try 4 December 2026 or 2026-12-04)'],
          messageKey: 'sample-error',
        },
        sample.context(now),
      );
      intent = pick(d, 'command-error');
      break;
    }
    case 'reply-notice': {
      // The reply answers the letter that went: an approval-gated rung is approved first.
      if (currentStep(state)?.status === 'awaiting-approval') state = command(state, { kind: 'approve' }, org, sample.context(now)).state;
      now = cal.nextDayOpening(now);
      // A promise for a date after the next step, so the sample shows the ladder held for it.
      const next = currentStep(state)?.dueAt;
      const promised = cal.localDate(cal.addWorkingDays(next && new Date(next) > now ? new Date(next) : now, 2));
      const d = applyRecipientReply(
        state,
        {
          from: replier,
          role: replierRole,
          classification: { class: 'promise', evidence: 'by Friday', promiseDate: promised },
          messageKey: 'sample-reply',
          newText: replyText,
        },
        sample.context(now),
      );
      state = d.state;
      intent = pick(d, 'reply-notice');
      break;
    }
    case 'resolved-notice':
    case 'confirm-request': {
      now = cal.nextDayOpening(now);
      const d = applyRecipientReply(
        state,
        {
          from: replier,
          role: replierRole,
          classification: { class: 'resolved', evidence: 'attached' },
          messageKey: 'sample-done',
          newText: opts.text?.replyText ?? 'Please find it attached. Apologies for the delay.',
          attachments: [{ filename: 'Panel minutes.pdf', contentType: 'application/pdf', size: 184_320 }],
        },
        sample.context(now),
      );
      intent = pick(d, kind);
      if (intent) state = d.state;
      else if (kind === 'resolved-notice') {
        intent = {
          kind,
          key: 'mdone-resolved-notice',
          ...staff(),
          timing: 'now',
          data: {
            from: replier,
            role: replierRole,
            classification: { class: 'resolved', evidence: 'attached' },
            newText: 'Please find it attached. Apologies for the delay.',
          },
        };
      } else {
        const s = staff();
        intent = {
          kind,
          key: 'mdone-confirm',
          to: s.to,
          cc: s.cc,
          timing: 'window',
          data: { from: replier, role: replierRole, newText: opts.text?.replyText ?? 'Please find our response attached.', missingConfirmers: [] },
        };
      }
      break;
    }
    case 'confirmation-ended': {
      // A done reply in words alone, and nobody answered the confirm request: the reminders resume.
      now = cal.nextDayOpening(now);
      const d = applyRecipientReply(
        state,
        {
          from: replier,
          role: replierRole,
          classification: { class: 'resolved', evidence: 'sent' },
          messageKey: 'sample-done',
          newText: opts.text?.replyText ?? 'The minutes were sent to you last week.',
        },
        sample.context(now),
      );
      const until = d.state.confirmation?.until;
      if (until) {
        now = new Date(until);
        const ended = advanceCase(d.state, sample.context(now));
        intent = pick(ended, 'confirmation-ended');
        if (intent) state = ended.state;
      }
      intent ??= {
        kind,
        key: 'mdone-confirm-ended',
        ...staff(),
        timing: 'now',
        data: {
          from: { email: replier.email },
          role: replierRole,
          reason: 'done',
          outcome: 'resolved',
          askedAt: now.toISOString(),
          until: cal.addWorkingDays(now, 4).toISOString(),
          documents: ['Panel minutes.pdf'],
        },
      };
      break;
    }
    case 'bounce-notice': {
      now = cal.nextDayOpening(now);
      const address = (chaser?.cc.find((c) => c.email !== org.manager.email && c.email !== state.originator.email) ?? replier).email;
      const d = applyBounce(state, { recipients: [{ address, status: '5.1.1', action: 'failed' }], messageKey: 'sample-bounce' }, sample.context(now));
      state = d.state;
      intent = pick(d, 'bounce-notice');
      break;
    }
    case 'delivery-failure':
      intent = { kind, key: `sample-${kind}`, ...staff(), timing: 'now', step: step.n, data: DELIVERY_FAILURE };
      break;
    case 'sender-confirm':
      intent = { kind, key: `sample-${kind}`, to: [org.manager], cc: [], timing: 'now', data: SENDER_CONFIRM };
      break;
    case 'fold-summary':
      intent = { kind, key: `sample-${kind}`, ...staff(), timing: 'now', data: FOLD_SUMMARY };
      break;
    case 'out-of-hours': {
      // The rung went at night on a ladder with an out-of-hours address: its duty team is told at once.
      const edt: Contact = { name: 'Emergency Duty Team', email: 'edt@northshire.example' };
      const daytimeAt = step.sentAt ?? now.toISOString();
      intent = {
        kind,
        key: `s${step.n}-out-of-hours`,
        to: [edt],
        cc: [],
        timing: 'now',
        step: step.n,
        data: { rungId: rung.id, role: 'emergency-duty-team', mode: 'in-addition', daytimeAt },
      };
      break;
    }
    default: {
      const unknown: never = kind;
      throw new Error(`no sample for mail kind ${String(unknown)}`);
    }
  }
  if (!intent) throw new Error(`ladder ${def.id}, rung ${opts.rung}: no ${kind} mail`);
  const ctx = sample.context(now);
  const rungTemplate = intent.kind === 'chaser' ? rung.template : undefined;
  const context = buildMailContext(state, intent, ctx, org.mailbox);
  if ((kind === 'approval-request' || kind === 'approval-reminder' || kind === 'step-notice') && store && chaser) {
    // The outbox writer puts the rendered draft in front of the RM, and the chaser as sent in the
    // step notice (the staff's copy of it); do the same here.
    const draftContext = buildMailContext(sample.fired.state, chaser, sample.context(sample.firedAt), org.mailbox);
    const draft = renderMail(store, templateNameFor(chaser, rung.template), draftContext);
    const list = (cs: Contact[]) => cs.map((c) => (c.name ? `${c.name} <${c.email}>` : c.email)).join(', ');
    const quoted = { from: `${org.mailboxName} <${org.mailbox}>`, to: list(chaser.to), cc: list(chaser.cc), subject: draft.subject, text: draft.text };
    if (kind === 'step-notice') context.data.chaser = quoted;
    else context.data.draft = quoted;
  }
  return { kind, intent, state, ctx, mailbox: org.mailbox, names: templateNameFor(intent, rungTemplate), context };
}

/** Renders one sample mail with the given templates. */
export function renderSample(store: TemplateStore, kind: MailKind, opts: SampleOptions): RenderedMail & { sample: SampleMail } {
  const sample = sampleMail(kind, opts, store);
  return { ...renderMail(store, sample.names, sample.context), sample };
}

/** The addresses a sample mail goes to, as headers show them. */
export function recipientsOf(intent: MailIntent): { to: string; cc: string } {
  const list = (cs: Contact[]) =>
    dedupe(cs)
      .map((c) => (c.name ? `${c.name} <${c.email}>` : c.email))
      .join(', ');
  return { to: list(intent.to), cc: list(intent.cc) };
}
