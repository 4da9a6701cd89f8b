import { DateTime } from 'luxon';
import { describeDuration, parseDuration } from '../../domain/calendar/duration.js';
import type { WorkCalendar } from '../../domain/calendar/work-calendar.js';
import { ladderFor } from '../../domain/case/advance.js';
import type { CaseContext } from '../../domain/case/case-context.js';
import type { CaseState, Contact, Step } from '../../domain/case/case-state.js';
import type { MailData, MailIntent } from '../../domain/case/mail-intents.js';
import type { ReplyClass } from '../../domain/case/reply-class.js';
import { ccRolesFor } from '../../domain/case/fire-step.js';
import { keepsInformed } from '../../domain/case/kept-informed.js';
import { outOfHoursContacts } from '../../domain/case/out-of-hours.js';
import { timetableRows, type TimetableRow } from '../../domain/case/timetable-view.js';
import { currentStep, nextDueAfter, rungOf } from '../../domain/case/timetable.js';
import { caseSubject } from '../../domain/inbound/subject-tags.js';
import { NATION_LABEL } from '../../domain/calendar/nation.js';
import { localLadder, localPolicy, localRoleLabel, localise as localiseIn, type LocalPolicy, type Whereabouts } from '../../domain/ladder/local-ladder.js';
import { rolesOf, type EffectiveLadder } from '../../domain/ladder/effective-ladder.js';
import { casePartner, resolveRole, roleOfAddress as roleOfEmail } from '../../domain/case/role-resolution.js';
import { partnerLadder, partnerRoles } from '../../domain/ladder/partner-ladder.js';
import { AGENCY_KIND_TEXT, type Authority } from '../../domain/directory.js';
import { addressKey } from '../../domain/address.js';
import { answerText, requestTextForAbout } from '../../domain/case/about.js';

export interface PersonView {
  /** The role's label: "team manager", "the professional" ('' for a stranger). */
  label: string;
  /** The person's name, or their address when no name is known. */
  name: string;
  email: string;
  /**
   * Why they receive this mail, as a clause: "copied as team manager, written to on Monday
   * 14 December 2026". For a To recipient: "written to as Assistant Director".
   */
  why: string;
}

/** Everything a template may use. Strings are already formatted; templates only lay them out. */
export interface MailContext {
  kind: MailIntent['kind'];
  org: {
    name: string;
    mailbox: string;
    nation: string;
    /** The Registered Manager (or equivalent): name, else address. */
    manager: string;
    /** The send window, local time: { start: '09:00', end: '17:00' }. */
    sendWindow: { start: string; end: string };
    /** The organisation's telephone number for the chasers' signature (config `phone`), or ''. */
    phone: string;
  };
  /** The date the mail is written: "Monday 7 December 2026". */
  today: string;
  case: {
    ref: string;
    /**
     * The request's subject without Re:/Fwd:, the [escalate] tag or any case tag it already carried
     * ("Escalation" when it had none). User text.
     */
    subject: string;
    /** What every subject we send ends with: `subject` and this case's tag, once (caseSubject()). */
    taggedSubject: string;
    childRef: string | null;
    category: string | null;
    ladderId: string;
    ladderTitle: string;
    policyTitle: string;
    /** The legal duty behind the ladder, when it has one (Regulation 5(c) …); in another country, what it cites there, or null. */
    citation: string | null;
    /** The service's regulator in the organisation's country ("Ofsted", "Care Inspectorate Wales"), or ''. */
    regulator: string;
    /** The organisation is in the policy's own country: the citation states the duty the policy follows. */
    ownCountry: boolean;
    /** The variant's label ("Safeguarding") when the case is on shorter timescales. */
    variant: string | null;
    /** `calendar` or `working-days`: how this case's timescales are counted. */
    clock: 'calendar' | 'working-days';
    /** The date the request was made: "Monday 23 November 2026". */
    openedOn: string;
    /** How long it has been outstanding, in the ladder's own unit: "14 days", "3 working days". */
    outstanding: string;
    calendarDaysOutstanding: number;
    workingDaysOutstanding: number;
    /** The `Due:` date the request gave, formatted, or null. */
    requestedBy: string | null;
    status: string;
    /** The status as a phrase: "open", "paused until Monday 4 January 2027 at 09:00", … */
    statusText: string;
    safeguarding: boolean;
    childProtection: boolean;
    /**
     * The partner agency the case is with (an NHS trust, a school), when its directory entry gives
     * its own roles, else null: its chasers name it and its roles, never a council's.
     */
    partner: PartnerView | null;
    /**
     * The fostering panel escalation form as recorded, or null: the panel's date, the 5 working days
     * for the form, and step 6's further form (which aspects still concern the ADM or panel chair).
     * Empty strings where nothing was recorded (templates are strict: the fields are always there).
     */
    panelForm: { panelDate: string; formDue: string; remaining: string; remainingOn: string };
    /**
     * On a ladder that keeps the foster carer informed only where the case says so (FIRO): what the
     * case says, as the confirmation's "Foster carer informed" line ("yes" or "no …"); else null.
     */
    carerInformed: string | null;
  };
  /** The person who raised the request (who signs the chasers). */
  originator: {
    name: string;
    email: string;
    hasName: boolean;
    /** Their role, for the signature: the manager's (config `managerRole`) when the manager raised it, else ''. */
    role: string;
  };
  /** The original request: when, to whom, and what deadline it gave. */
  request: {
    date: string;
    /** Who it was addressed to: "Sam Patel (the professional)". */
    to: string;
    /** "2 weeks", "5 working days": the policy's timescale for the request, on the case's timescales. */
    deadline: string;
    /**
     * The last day of that deadline, as the confirmation gave it ("Friday 4 December 2026": the close
     * of the last working day before the first reminder), or '' when the first step goes the same day.
     */
    deadlineDate: string;
    /** Whether that deadline has passed: only then may a chaser say it was missed. */
    deadlinePassed: boolean;
    /**
     * The date it is needed by (`Due:`) when the steps were drawn in to be taken before it
     * ("Friday 11 December 2026"), else ''. Then `deadline` is '' too: the policy's timescale
     * ("2 weeks") is not what the case now follows.
     */
    neededBy: string;
    /** Where the policy asks for the steps to be drawn in, or ''. */
    neededByRef: string;
    /**
     * Where the ladder's clock starts: the request's date, or, for a request sent outside the
     * send window, the opening after it ("Monday 7 December 2026 at 09:00").
     */
    countedFrom: string;
    policyRef: string;
  };
  greeting: string;
  step: StepView | null;
  timetable: TimetableView[];
  repeatNote: string | null;
  /** How often the ladder's repeat writes ("2 weeks"), or null when it has none. */
  repeatEvery: string | null;
  /** Every "at each step" duty of the ladder, in the RM's words. */
  ladderDuties: string[];
  contacts: { known: { label: string; value: string }[]; missing: string[] };
  /** The request's original deadline: "2 weeks" (kept for older override templates). */
  requestDeadline: string;
  /** The next step the case will take if nothing changes, or null. */
  nextStep: { title: string; when: string } | null;
  /**
   * Dates this mail's decision moved, from what the RM was last told to what they are now
   * ("Monday 14 December 2026 at 10:00" → "Tuesday 15 December 2026 at 10:00"), and why.
   */
  moved: { title: string; from: string; to: string }[];
  /** Why they moved, after "Why: " ("Sam Patel promised it by Friday 4 December 2026."), or ''. */
  movedBecause: string;
  /**
   * What a stored message carried, forwarded with this mail (the outbox writer fills it in from
   * the intent's `forward`): attached within the budget, or over it and only named, with the
   * command that fetches them. Empty lists when nothing is forwarded.
   */
  attachments: AttachmentsView;
  /**
   * "What this is about", on a chaser to someone who never saw the RM's email (issue 15.2): what
   * was asked, when and of whom, the request's own words, each earlier step with its date and the
   * answer it got, and the request's documents. Null on every other mail. The request's text and
   * documents come from the stored message (the outbox writer fills them in: fillAbout).
   */
  about: AboutView | null;
  data: Record<string, unknown>;
}

export interface PartnerView {
  /** "Northshire NHS Foundation Trust". */
  name: string;
  /** `health`, `education`, `police`, `youth-offending` or `council`. */
  kind: string;
  /** "health service". */
  kindText: string;
  /** The professional's role there: "named nurse". */
  professional: string;
  /** Its roles above the professional, as a phrase: "the designated nurse and the head of service". */
  above: string;
  /** Its first role above the professional, as a directive names it: "Designated nurse". */
  firstAbove: string;
}

export interface AboutView {
  /** "On Monday 2 November 2026 Case Raiser asked Sam Patel (the professional) for this, within 2 weeks (by the end of …)." */
  asked: string;
  /** What the request got in answer: "no reply", "promised it by …". */
  requestAnswer: string;
  /** The request's own words (directives taken out), line by line; empty when not available. */
  text: string[];
  trimmed: boolean;
  earlier: { date: string; title: string; to: string; answer: string }[];
  documents: { attached: { name: string; size: string }[]; held: { name: string; size: string }[]; holder: string };
}

export interface AttachmentsView {
  forwarded: { name: string; size: string }[];
  listed: { name: string; size: string }[];
  /** `escalator mail attachments ESC-… --message <key> --out <dir>`: how the listed ones are fetched. */
  fetch: string;
}

export const NO_ATTACHMENTS: AttachmentsView = { forwarded: [], listed: [], fetch: '' };

export interface TimetableView {
  n: number;
  title: string;
  when: string;
  to: string;
  cc: string;
  approval: boolean;
  status: string;
  /** "sent", "due", "on hold", …: how the row stands, in words. */
  statusText: string;
  /** The deadline the rung gives ("1 week"), or ''. */
  deadline: string;
  /** The deadline as a day: "the end of Friday 11 December 2026", or ''. */
  deadlineText: string;
  policyRef: string;
}

export interface StepView {
  n: number;
  title: string;
  asks: string;
  policyRef: string;
  warning: string | null;
  /** What the people kept informed are told was done at this step (the rung's `carerSays`), or null. */
  carerSays: string | null;
  meeting: boolean;
  approval: boolean;
  /** The policy's "continue to persist" step. */
  repeat: boolean;
  /** The policy's timescale for this rung ("1 week", "5 working days"), or null when it gives none. */
  deadline: string | null;
  /**
   * The last day of the deadline this mail gives ("Friday 11 December 2026"): the close of the last
   * working day before the next step goes. Mails say "by the end of" it.
   */
  deadlineDate: string | null;
  to: PersonView[];
  /** "Sam Patel (the professional)", joined with "and". */
  toText: string;
  /** The roles written to, as a phrase: "the designated nurse". */
  toRoles: string;
  copied: PersonView[];
  /** The role ids of the people copied, for `{{#if (includes step.copiedRoles "iro")}}`. */
  copiedRoles: string[];
  /** On a partner agency's case, its roles above the professional that are copied ("the designated nurse"), else ''. */
  copiedAbove: string;
  notCopied: string[];
  duties: string[];
  /** The chasers already sent on this case, oldest first. */
  previous: { n: number; title: string; date: string; to: string }[];
  /** The date of the most recent of them, or null. */
  lastSentOn: string | null;
  /** What happens next if nothing changes, or null at the top of the ladder. */
  next: NextStepView | null;
  /**
   * What the chaser is, for the front of its subject: "Reminder 2" to someone asked before (the
   * request counts as the first asking of the professional), "Escalation to the Assistant Director"
   * to someone new; "URGENT — safeguarding — …" in front on the safeguarding timescales.
   */
  subjectLead: string;
}

export interface NextStepView {
  title: string;
  date: string;
  /** The role labels it goes to: "team manager". */
  to: string;
  /** The same, as a phrase to write after "write to": "the team manager". */
  toText: string;
  approval: boolean;
}

/** Roles a ladder names only as an out-of-hours address (no rung writes to or copies them). */
function outOfHoursRoles(def: CaseContext['ladder']): Set<string> {
  const named = [def.outOfHours, ...Object.values(def.variants).map((v) => v.outOfHours)].flatMap((o) => (o ? [o.to] : []));
  const { outOfHours: _ladderWide, ...rest } = def;
  const inRungs = rolesOf({ ...rest, variants: {} });
  for (const v of Object.values(def.variants))
    for (const r of [...(v.rungs ?? []), ...Object.values(v.overrides ?? {})]) for (const x of [...(r.to ?? []), ...(r.cc ?? [])]) inRungs.add(x);
  return new Set(named.filter((r) => !inRungs.has(r)));
}

/** "team manager" → "the team manager"; "the professional" stays as it is. */
export function withArticle(label: string): string {
  return /^(the|a|an) /i.test(label) ? label : `the ${label}`;
}

function joinAnd(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** Where the organisation is: its calendar's nation and its `country`. */
function whereOf(ctx: CaseContext): Whereabouts {
  return { nation: ctx.calendar.nation, country: ctx.org.country };
}

/** The organisation's country, and what its regulator is called there, for this ladder. */
function localOf(ctx: CaseContext): LocalPolicy {
  return localPolicy(ctx.ladder, whereOf(ctx));
}

/** The ladder's words with its own regulator's name changed for the one of the organisation's country ("Ofsted" → "Care Inspectorate Wales"). */
function localise(ctx: CaseContext, text: string): string {
  return localiseIn(ctx.ladder, whereOf(ctx), text);
}

/** A role's label, in the organisation's country ("Care Inspectorate Wales inspector"). */
function labelIn(ctx: CaseContext, role: string): string {
  return localRoleLabel(ctx.ladder, whereOf(ctx), role);
}

function daysText(n: number, unit: 'day' | 'working day'): string {
  if (n === 0) return `less than a ${unit}`;
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/** Why a role is copied, before any "written to on …". Roles not listed are "copied as <label>". */
const WHY_COPIED: Record<string, string> = {
  'team-manager': 'copied as team manager',
  rm: 'copied as the Registered Manager, who oversees this request',
  originator: 'copied as the person who raised this',
  iro: 'copied as the child’s Independent Reviewing Officer, who should know where actions deviate from the care plan',
  psw: 'copied as Principal Social Worker, who can support a resolution at any stage',
  'panel-adviser': 'copied as panel adviser, who keeps the record of panel escalations',
  adm: 'copied as Agency Decision Maker, who will confirm whether the concerns have been answered',
  'panel-chair': 'copied as panel chair, who will confirm whether the concerns have been answered',
  'responsible-manager': 'copied as the manager first asked to respond',
  'foster-carer': 'copied as the foster carer, who is kept informed',
  ssw: 'copied as supervising social worker',
  'ssw-manager': 'copied as the supervising social worker’s line manager',
  'ssw-team-manager': 'copied as the supervising social worker’s team manager',
};

const PARTNER_IRO = 'copied as the child’s Independent Reviewing Officer, who should know where what is planned for the young person has not happened';

function writtenOn(dates: string[]): string {
  if (dates.length === 0) return '';
  if (dates.length <= 2) return `written to on ${joinAnd(dates)}`;
  return `written to ${dates.length} times since ${dates[0]}, most recently on ${dates[dates.length - 1]}`;
}

function greetingFor(to: Contact[], kind: MailIntent['kind']): string {
  // A foster carer kept informed is no colleague: without their name, a plain "Hello".
  const carer = kind === 'kept-informed' || kind === 'kept-informed-case';
  if (to.length === 1) {
    const name = to[0]?.name?.trim();
    return name ? `Dear ${name}` : carer ? 'Hello' : 'Dear colleague';
  }
  const names = to.map((c) => c.name?.trim()).filter(Boolean) as string[];
  if (names.length === to.length && names.length <= 3 && names.length > 0) return `Dear ${joinAnd(names)}`;
  return carer ? 'Hello' : 'Dear colleagues';
}

function formatLocalDate(cal: WorkCalendar, isoDate: string | undefined | null): string | null {
  if (!isoDate) return null;
  const dt = DateTime.fromISO(isoDate, { zone: cal.timezone });
  return dt.isValid ? cal.formatDate(dt.toJSDate()) : isoDate;
}

function statusText(state: CaseState, cal: WorkCalendar): string {
  switch (state.status) {
    case 'paused':
      return state.pause ? `paused until ${cal.format(new Date(state.pause.until))}` : 'paused';
    case 'awaiting-confirmation':
      return 'waiting for confirmation that the response resolves the concerns';
    case 'open':
      if (!state.hold) return 'open';
      return `open, held until ${cal.format(new Date(state.hold.until))} for ${state.hold.meetingOn ? `the meeting on ${formatLocalDate(cal, state.hold.meetingOn)}` : 'a promise'}`;
    default:
      return state.status;
  }
}

const ROW_STATUS: Record<string, string> = {
  planned: 'due',
  held: 'on hold',
  'awaiting-approval': 'waiting for approval',
  sent: 'sent',
  skipped: 'skipped',
  'not-applicable': 'not needed',
};

/** Builds the typed template context for one mail intent of one case. Pure. */
export function buildMailContext(state: CaseState, intent: MailIntent, orgCtx: CaseContext, mailbox: string): MailContext {
  // Rung titles and what they ask, with the regulator of the organisation's country and a partner
  // agency's own roles.
  const agency = casePartner(state, orgCtx);
  const ctx: CaseContext = { ...orgCtx, ladder: partnerLadder(localLadder(orgCtx.ladder, whereOf(orgCtx)), agency) };
  const local = localOf(ctx);
  const cal = ctx.calendar;
  const ladder = ladderFor(state, ctx);
  const def = ctx.ladder;
  const opened = new Date(state.openedAt);
  const openedOn = cal.formatDate(opened);
  const rows = timetableRows(state, ctx);
  const person = (c: Contact, role: string | undefined, why: string): PersonView => ({
    label: role ? labelIn(ctx, role) : '',
    name: nameOr(c.name, c.email),
    email: c.email,
    why,
  });
  const nameOf = names(state, ctx);

  const stepNo = intent.step ?? (intent.kind === 'command-ack' ? undefined : currentStep(state)?.n);
  const step = stepNo !== undefined ? state.steps.find((s) => s.n === stepNo) : undefined;
  const stepView = step ? buildStepView(state, intent, ctx, ladder, step, openedOn, person, nameOf) : null;

  const known: { label: string; value: string }[] = [];
  const missing: string[] = [];
  // The people a ladder keeps informed only where the case says so (FIRO's foster carer) are no
  // missing address on a case that does not tell them.
  const untold = keepsInformed(state, def) ? [] : def.keepInformed;
  const outOfHoursOnly = outOfHoursRoles(def);
  for (const role of rolesOf(def)) {
    if (role === 'originator' || role === 'rm') continue;
    if (untold.includes(role) && resolveRole(state, role, ctx).length === 0) continue;
    // An out-of-hours address holds no step: it is listed when this case's timescales use it and it
    // is known, never as missing (the timetable says when a step would go out of hours without one).
    if (outOfHoursOnly.has(role) && ladder.outOfHours?.to !== role) continue;
    const found = ladder.outOfHours?.to === role ? outOfHoursContacts(state, ladder.outOfHours, ctx) : resolveRole(state, role, ctx);
    const entry = { label: labelIn(ctx, role), value: found.map((c) => (c.name ? `${c.name} <${c.email}>` : c.email)).join(', ') };
    // A partner agency's head of service standing in for two of the council's roles is listed once.
    if (found.length) {
      if (!known.some((k) => k.label === entry.label && k.value === entry.value)) known.push(entry);
    } else if (!outOfHoursOnly.has(role) && !missing.includes(entry.label)) missing.push(entry.label);
  }
  const variantDef = state.variant === 'standard' ? undefined : def.variants[state.variant];
  const clockStart = new Date(state.clockStartAt);
  const requestDeadline = ladder.request.deadline;
  // Cases opened before the request's deadline was recorded: the day before its timescale ran out.
  const requestDeadlineAt =
    state.requestDeadlineAt === undefined
      ? cal.deadlineBefore(cal.due(clockStart, parseDuration(def.request.deadline)))
      : state.requestDeadlineAt && new Date(state.requestDeadlineAt);
  const professionals = resolveRole(state, def.professionalRole, ctx);
  const calendarDays = Math.max(0, Math.floor((ctx.now.getTime() - opened.getTime()) / 86_400_000));
  const workingDays = cal.workingDaysBetween(opened, ctx.now);
  const originatorName = state.originator.name?.trim();
  // One rule for the subject everywhere: caseSubject() strips prefixes and every tag (ours, another
  // case's, [escalate]) and appends this case's tag once; `subject` is the same without the tag.
  const taggedSubject = caseSubject(state.subject, state.ref);
  const subject = taggedSubject.slice(0, -` [${state.ref}]`.length);
  return {
    kind: intent.kind,
    org: {
      name: ctx.org.name,
      mailbox,
      nation: NATION_LABEL[cal.nation],
      manager: nameOr(ctx.org.manager.name, ctx.org.manager.email),
      sendWindow: { start: cal.window.start, end: cal.window.end },
      phone: ctx.org.phone ?? '',
    },
    today: cal.formatDate(ctx.now),
    case: {
      ref: state.ref,
      subject,
      taggedSubject,
      childRef: state.childRef ?? null,
      category: state.category ?? null,
      ladderId: def.id,
      ladderTitle: def.title,
      policyTitle: def.policy.title,
      citation: local.citation,
      regulator: local.regulator ?? '',
      ownCountry: local.own,
      variant: variantDef?.label ?? null,
      clock: ladder.clock,
      openedOn,
      outstanding: ladder.clock === 'working-days' ? daysText(workingDays, 'working day') : daysText(calendarDays, 'day'),
      calendarDaysOutstanding: calendarDays,
      workingDaysOutstanding: workingDays,
      requestedBy: formatLocalDate(cal, state.requestedBy),
      status: state.status,
      statusText: statusText(state, cal),
      safeguarding: state.flags.safeguarding,
      childProtection: state.flags['child-protection'],
      partner: agency ? partnerView(agency, def) : null,
      panelForm: {
        panelDate: formatLocalDate(cal, state.panelForm?.dates['panel-date']) ?? '',
        formDue: formatLocalDate(cal, state.panelForm?.dates['form-due']) ?? '',
        remaining: state.panelForm?.remainingConcerns?.text ?? '',
        remainingOn: state.panelForm?.remainingConcerns ? cal.formatDate(new Date(state.panelForm.remainingConcerns.at)) : '',
      },
      carerInformed: def.keepInformedWhen
        ? keepsInformed(state, def)
          ? 'yes (a short note now, at each stage and when it ends)'
          : 'no (reply "Foster carer informed: yes" where it is appropriate)'
        : null,
    },
    originator: {
      name: nameOr(originatorName, state.originator.email),
      email: state.originator.email,
      hasName: Boolean(originatorName),
      role: addressKey(state.originator.email) === addressKey(ctx.org.manager.email) ? (ctx.org.managerRole ?? '') : '',
    },
    request: {
      date: openedOn,
      to: professionals.length
        ? joinAnd(professionals.map((c) => `${nameOr(c.name, c.email)} (${labelIn(ctx, def.professionalRole)})`))
        : withArticle(labelIn(ctx, def.professionalRole)),
      deadline: state.drawnInBefore ? '' : describeDuration(requestDeadline),
      deadlineDate: requestDeadlineAt ? cal.formatDate(requestDeadlineAt) : '',
      deadlinePassed: requestDeadlineAt ? requestDeadlineAt < ctx.now : false,
      neededBy: state.drawnInBefore ? cal.formatDate(cal.closeOf(state.drawnInBefore)) : '',
      neededByRef: state.drawnInBefore ? (def.neededBy?.policyRef ?? '') : '',
      countedFrom: clockStart.getTime() === opened.getTime() ? openedOn : cal.format(clockStart),
      policyRef: ladder.request.policyRef,
    },
    greeting: greetingFor(intent.to, intent.kind),
    step: stepView,
    timetable: rows.map((r) => ({
      n: r.n,
      title: r.title,
      when: r.atText,
      to: r.to.map((t) => (t.emails.length ? `${localise(ctx, t.label)} (${t.emails.join(', ')})` : `${localise(ctx, t.label)} (no address yet)`)).join('; '),
      // A partner agency's head of service stands in for two roles: named once, and not as copied
      // on the step that writes to them.
      cc: [
        ...new Set(r.cc.filter((c) => c.emails.length && !c.emails.every((e) => r.to.some((t) => t.emails.includes(e)))).map((c) => localise(ctx, c.label))),
      ].join(', '),
      approval: r.approval,
      status: r.status,
      statusText: ROW_STATUS[r.status] ?? r.status,
      deadline: r.deadline ?? '',
      deadlineText: r.deadlineText ?? '',
      policyRef: r.policyRef,
    })),
    repeatNote: ladder.repeat
      ? `then every ${describeDuration(ladder.repeat.every)} to ${joinAnd(ladder.repeat.to.map((r) => withArticle(labelIn(ctx, r))))} until it is done`
      : null,
    repeatEvery: ladder.repeat ? describeDuration(ladder.repeat.every) : null,
    ladderDuties: Object.values(def.duties),
    contacts: { known, missing },
    requestDeadline: describeDuration(requestDeadline),
    nextStep: nextStepOf(state, rows),
    ...movedDates(state, intent, ctx),
    attachments: NO_ATTACHMENTS,
    // The out-of-hours address never saw the RM's email either (issue 15.3).
    about: (intent.kind === 'chaser' && intent.data.about) || intent.kind === 'out-of-hours' ? aboutOf(state, ctx, step, nameOf) : null,
    data: {
      ...templateData(intent, ctx),
      // By when the RM should decide on a draft: the end of the day the policy sets for the step.
      ...(intent.kind === 'approval-request' || intent.kind === 'approval-reminder'
        ? { decideBy: cal.formatDate(step?.dueAt ? new Date(step.dueAt) : ctx.now) }
        : {}),
    },
  };
}

function partnerView(agency: Authority, def: CaseContext['ladder']): PartnerView {
  const kind = agency.kind ?? 'council';
  const roles = partnerRoles(def, agency);
  const above = [...new Set((def.partnerAgencies?.replaces ?? []).map((r) => roles?.get(r)?.title).filter((t): t is string => !!t))];
  return {
    name: agency.name,
    kind,
    kindText: AGENCY_KIND_TEXT[kind],
    professional: roles?.get(def.professionalRole)?.title ?? '',
    above: joinAnd(above.map(withArticle)),
    firstAbove: (above[0] ?? '').replace(/^./, (c) => c.toUpperCase()),
  };
}

/** The "What this is about" block's facts the case itself holds (the request's words and documents: fillAbout). */
function aboutOf(state: CaseState, ctx: CaseContext, step: Step | undefined, nameOf: (email: string) => string): AboutView {
  const cal = ctx.calendar;
  const def = ctx.ladder;
  const ladder = ladderFor(state, ctx);
  const professionals = resolveRole(state, def.professionalRole, ctx);
  const asker = nameOr(state.originator.name, state.originator.email);
  const askedOf = professionals.length
    ? joinAnd(professionals.map((c) => `${nameOr(c.name, c.email)} (${withArticle(labelIn(ctx, def.professionalRole))})`))
    : withArticle(labelIn(ctx, def.professionalRole));
  // The request's timescale is restated only once it has run out: a step that went before it (an
  // ESCALATE, a step due on its last day) must not call a deadline still running outstanding (issue 20.2).
  const requestDeadlineAt = state.requestDeadlineAt ? new Date(state.requestDeadlineAt) : undefined;
  const restate = !!requestDeadlineAt && requestDeadlineAt < ctx.now && !state.drawnInBefore;
  const deadline = restate ? `, within ${describeDuration(ladder.request.deadline)} (by the end of ${cal.formatDate(requestDeadlineAt)})` : '';
  const answersTo = (n: number) => {
    const got = (state.answers ?? []).filter((a) => a.step === n);
    if (got.length === 0) return 'no reply';
    return joinAnd(got.map((a) => `${labelIn(ctx, a.role)} ${answerText(a, (d) => formatLocalDate(cal, d) ?? d)} (${cal.formatDate(new Date(a.at))})`));
  };
  const earlier = state.steps
    .filter(isSent)
    .filter((s) => !step || s.n < step.n)
    .map((s) => ({
      date: cal.formatDate(new Date(s.sentAt)),
      title: rungOf(ladder, s).title,
      to: joinAnd((s.sentTo ?? []).map(nameOf)),
      answer: answersTo(s.n),
    }));
  return {
    asked: `On ${cal.formatDate(new Date(state.openedAt))} ${asker} asked ${askedOf} for this${deadline}.`,
    requestAnswer: answersTo(0),
    text: [],
    trimmed: false,
    earlier,
    documents: { attached: [], held: [], holder: '' },
  };
}

/**
 * The "What this is about" block with the request's own words and documents: what was attached to
 * this mail, and what was too large, which the RM holds (nobody outside is told to run a command).
 */
export function fillAbout(about: AboutView, state: CaseState, ctx: CaseContext, newText: string | null, attachments: AttachmentsView): AboutView {
  const text = newText ? requestTextForAbout(newText, state, ctx) : { lines: [], trimmed: false };
  const rm = ctx.org.manager;
  return {
    ...about,
    text: text.lines,
    trimmed: text.trimmed,
    documents: {
      attached: attachments.forwarded,
      held: attachments.listed,
      holder: `${nameOr(rm.name, rm.email)} (${rm.email})`,
    },
  };
}

/**
 * The first dated step still planned, as the timetable shows it (the rows the mail's timetable was
 * built from: working them out twice was four fifths of building a mail's context, issue 19.3).
 */
function nextStepOf(state: CaseState, rows: readonly TimetableRow[]): MailContext['nextStep'] {
  if (state.status !== 'open' && state.status !== 'paused') return null;
  const row = rows.find((r) => (r.status === 'planned' && !!r.at) || r.status === 'awaiting-approval' || r.status === 'held');
  return row ? { title: row.title, when: row.atText } : null;
}

function movedDates(state: CaseState, intent: MailIntent, ctx: CaseContext): Pick<MailContext, 'moved' | 'movedBecause'> {
  const ladder = ladderFor(state, ctx);
  const moved = (intent.moved?.steps ?? []).map((m) => {
    const step = state.steps.find((s) => s.n === m.n);
    return {
      title: step ? rungOf(ladder, step).title : m.rungId,
      from: ctx.calendar.format(new Date(m.from)),
      to: ctx.calendar.format(new Date(m.to)),
    };
  });
  const because = (intent.moved?.because ?? []).join('; ');
  return { moved, movedBecause: because ? `${because}.` : '' };
}

/** Every address the case knows, with a name where one is known: for "sent to …" lines. */
function names(state: CaseState, ctx: CaseContext): (email: string) => string {
  const byEmail = new Map<string, string>();
  const add = (c: Contact) => {
    const key = addressKey(c.email);
    if (!byEmail.has(key) && c.name?.trim()) byEmail.set(key, c.name.trim());
  };
  state.participants.forEach(add);
  add(state.originator);
  add(ctx.org.manager);
  for (const role of rolesOf(ctx.ladder)) resolveRole(state, role, ctx).forEach(add);
  return (email) => byEmail.get(addressKey(email)) ?? email;
}

function buildStepView(
  state: CaseState,
  intent: MailIntent,
  ctx: CaseContext,
  ladder: EffectiveLadder,
  step: Step,
  openedOn: string,
  person: (c: Contact, role: string | undefined, why: string) => PersonView,
  nameOf: (email: string) => string,
): StepView {
  const cal = ctx.calendar;
  const def = ctx.ladder;
  const rung = rungOf(ladder, step);
  // A chaser carries the deadline it states and the roles it could not copy; other mail about the
  // step reads the step's own deadline.
  const chaser = intent.kind === 'chaser' ? intent.data : undefined;
  const deadlineAt = chaser?.deadlineAt ?? step.deadlineAt;
  const sent = state.steps.filter(isSent).filter((s) => s.n < step.n);
  const lastSent = sent.at(-1);

  // The dates each role was written to (as a To recipient) before this step.
  const writtenTo = new Map<string, string[]>();
  for (const s of sent) {
    for (const role of rungOf(ladder, s).to) {
      writtenTo.set(role, [...(writtenTo.get(role) ?? []), cal.formatDate(new Date(s.sentAt))]);
    }
  }
  const whyCopied = (role: string | undefined): string => {
    if (!role) return 'copied';
    // A partner agency's own title for a role replaces the council's words for it, and its mails
    // speak of what is planned for the young person, not of a council's care plan.
    const partner = !!casePartner(state, ctx);
    const why = partner && role === 'iro' ? PARTNER_IRO : def.roleTitles?.[role] ? undefined : WHY_COPIED[role];
    const base = role === def.professionalRole ? `copied as the person first asked for this, on ${openedOn}` : (why ?? `copied as ${labelIn(ctx, role)}`);
    const earlier = writtenOn(writtenTo.get(role) ?? []);
    return earlier ? `${base}; ${earlier}` : base;
  };

  const ccRoles = ccRolesFor(ladder, step, state.flags);
  // Who holds which copied role on this case, in the rung's own order (the rung's cc, then the
  // ladder's always-copied roles), so a person is described by the role they are copied for.
  const roleByEmail = new Map<string, string>();
  for (const role of [...rung.to, ...ccRoles]) {
    for (const c of resolveRole(state, role, ctx)) if (!roleByEmail.has(addressKey(c.email))) roleByEmail.set(addressKey(c.email), role);
  }
  const roleOf = (email: string) => roleByEmail.get(addressKey(email)) ?? roleOfEmail(state, email, ctx);
  const toView = (c: Contact, role: string | undefined) => person(c, role, role ? `written to as ${labelIn(ctx, role)}` : 'written to');
  const roleContacts = (roles: string[], view: (c: Contact, role: string) => PersonView) =>
    roles.flatMap((role) => resolveRole(state, role, ctx).map((c) => view(c, role)));

  const to = intent.kind === 'chaser' ? intent.to.map((c) => toView(c, roleOf(c.email))) : roleContacts(rung.to, (c, role) => toView(c, role));
  const toEmails = new Set(to.map((p) => addressKey(p.email)));
  const copiedWithRoles = (
    intent.kind === 'chaser'
      ? intent.cc.map((c) => {
          const role = roleOf(c.email);
          return { ...person(c, role, whyCopied(role)), role };
        })
      : ccRoles.flatMap((role) => resolveRole(state, role, ctx).map((c) => ({ ...person(c, role, whyCopied(role)), role })))
  ).filter((p, i, all) => !toEmails.has(addressKey(p.email)) && all.findIndex((q) => addressKey(q.email) === addressKey(p.email)) === i);
  const copied = copiedWithRoles.map(({ role: _role, ...p }) => p);
  // Everyone copied holds the roles they were resolved for; a person copied once for two roles
  // (the RM who raised the request) counts for both.
  const copiedRoles = [
    ...new Set([
      ...copiedWithRoles.flatMap((p) => (p.role ? [p.role] : [])),
      ...ccRoles.filter((role) => resolveRole(state, role, ctx).some((c) => copied.some((p) => addressKey(p.email) === addressKey(c.email)))),
    ]),
  ];

  // The next step that will actually happen if nothing changes: planned, dated, and not one
  // that will be set aside for a flag the case does not have (reg 5's LSCP rung).
  const later = state.steps.filter(isDue).find((s) => {
    if (s.n <= step.n || s.status !== 'planned') return false;
    const r = rungOf(ladder, s);
    return !r.when || state.flags[r.when];
  });
  const nextView = (r: { title: string; to: string[]; approval: boolean }, at: Date): NextStepView => {
    const labels = r.to.map((r) => labelIn(ctx, r));
    return { title: r.title, date: cal.formatDate(at), to: labels.join(', '), toText: joinAnd(labels.map(withArticle)), approval: r.approval };
  };
  let next: NextStepView | null = null;
  if (later) {
    next = nextView(rungOf(ladder, later), new Date(later.dueAt));
  } else if (ladder.repeat) {
    // The last rung (or one whose successors will be set aside): the repeat is only added to the
    // case once it has gone, counted from the last rung's place on the timetable, as the engine does.
    const at = nextDueAfter(state, ladder, cal, state.steps.indexOf(step));
    if (at) next = nextView(ladder.repeat, at);
  }

  // How often the people this step writes to were asked before: the request asked the professional.
  // A role is known by its label: a partner agency's head of service standing in for both the
  // Assistant Director and the DCS was asked at 4 weeks when the 6 week step writes to them again.
  const sameRole = (role: string) => (other: string) => other === role || labelIn(ctx, other) === labelIn(ctx, role);
  const askedBefore = Math.max(
    0,
    ...rung.to.map((role) => (role === def.professionalRole ? 1 : 0) + sent.filter((s) => rungOf(ladder, s).to.some(sameRole(role))).length),
  );
  const lead = askedBefore > 0 ? `Reminder ${askedBefore}` : `Escalation to ${joinAnd(rung.to.map((r) => withArticle(labelIn(ctx, r))))}`;
  const urgent = state.variant !== 'standard' || state.flags.safeguarding;

  return {
    n: step.n,
    title: rung.title,
    subjectLead: urgent ? `URGENT — safeguarding — ${lead}` : lead,
    asks: rung.asks,
    policyRef: rung.policyRef,
    warning: rung.warning ?? null,
    carerSays: rung.carerSays ?? null,
    meeting: rung.meeting,
    approval: rung.approval,
    repeat: rung.repeat,
    deadline: rung.deadline ? describeDuration(rung.deadline) : null,
    deadlineDate: deadlineAt ? cal.formatDate(new Date(deadlineAt)) : null,
    to,
    toText: joinAnd(to.map((p) => (p.label ? `${p.name} (${p.label})` : p.name))),
    toRoles: joinAnd([...new Set(to.map((p) => p.label).filter(Boolean))].map(withArticle)),
    copied,
    copiedRoles,
    copiedAbove: casePartner(state, ctx)
      ? joinAnd([...new Set(copiedWithRoles.filter((p) => def.partnerAgencies?.replaces.includes(p.role ?? '')).map((p) => withArticle(p.label)))])
      : '',
    notCopied: (chaser?.missingCc ?? []).map((r) => labelIn(ctx, r)),
    // A case already on the safeguarding timescales is not offered SAFEGUARDING again.
    duties: rung.duties.map((d) => def.duties[d] ?? d).filter((text) => !(urgent && /\bSAFEGUARDING\b/.test(text))),
    previous: sent.map((s) => ({
      n: s.n,
      title: rungOf(ladder, s).title,
      date: cal.formatDate(new Date(s.sentAt)),
      to: joinAnd((s.sentTo ?? []).map(nameOf)),
    })),
    lastSentOn: lastSent ? cal.formatDate(new Date(lastSent.sentAt)) : null,
    next,
  };
}

/**
 * What a mail server's refusal means, in the RM's words: "the address does not exist", not
 * "550 5.1.1". Reads the enhanced status code (RFC 3463) where there is one, else the basic code.
 */
export function plainDeliveryProblem(reply: string): string {
  const enhanced = /\b([245])\.(\d{1,3})\.(\d{1,3})\b/.exec(reply);
  const basic = /\b([245])\d\d\b/.exec(reply);
  const cls = enhanced?.[1] ?? basic?.[1];
  const detail = enhanced ? `${enhanced[2]}.${enhanced[3]}` : '';
  if (['1.0', '1.1', '1.6'].includes(detail) || /user unknown|no such user|does not exist|recipient not found/i.test(reply))
    return 'the address does not exist';
  if (detail === '1.2') return 'the part of the address after the @ does not exist';
  if (detail === '2.2') return 'their mailbox is full';
  if (detail === '2.1') return 'their mailbox is switched off';
  if (detail === '3.4' || detail === '2.3') return 'it was too large for their mailbox';
  if (detail.startsWith('7.')) return 'their mail server refused it (it may not accept mail from outside, or from us)';
  if (detail.startsWith('4.')) return 'their mail server could not be reached';
  if (cls === '4') return 'their mail server could not take it for now';
  return 'their mail server refused it';
}

const CLASS_TEXT: Record<ReplyClass, string> = {
  resolved: 'it reads as done',
  promise: 'it reads as a promise',
  acknowledged: 'it reads as an acknowledgement',
  disputed: 'it reads as disputing the request',
  redirected: 'it says someone else now holds this',
  'secure-message': 'it is a secure-mail notice: the content is behind a link only you can open',
  other: 'it does not say whether it is done',
};

/** Every fact a reply-like mail (reply notice, resolved notice, confirm request) may carry. */
interface ReplyLikeData {
  from?: Contact;
  role?: string;
  classification?: MailData<'resolved-notice'>['classification'];
  newText?: string;
  holdUntil?: string | null;
  meetingOn?: string;
  caseClosed?: boolean;
  beyondHorizon?: { promisedFor: string; horizon: string };
  afterDue?: { promisedFor: string; due: string };
  promiseHoldsNothing?: boolean;
  flagged?: string;
  notActedOn?: string;
  missingConfirmers?: string[];
  attachments?: { filename?: string; contentType: string; size: number }[];
  reason?: 'done' | 'secure-message';
  onSilence?: 'resolve' | 'resume';
  until?: string;
  remindAt?: string;
  secureService?: string;
  reminder?: boolean;
  askedAt?: string;
  documents?: string[];
  redirectDirective?: string;
}

/** What each folded notice would have said, in the summary's list. */
const FOLDED_TEXT: Record<string, string> = {
  'reply-notice': 'a reply',
  'resolved-notice': 'a reply that resolved the case',
  'confirm-request': 'a reply that reads as done (confirmation asked for)',
  'confirmation-ended': 'the end of a wait for your confirmation',
  'bounce-notice': 'a delivery failure',
  'command-ack': 'commands, applied',
  'command-error': 'commands that were not understood',
  confirmation: 'a request',
};

/**
 * The intent's facts, plus the wording templates need, with every key a template may read
 * present (templates are strict: a missing key is an error, never a blank in a letter).
 */
function templateData(intent: MailIntent, ctx: CaseContext): Record<string, unknown> {
  const cal = ctx.calendar;
  const who = (c: Contact | undefined, role?: string) =>
    c ? `${c.name ? `${c.name} <${c.email}>` : c.email}${role ? ` (${labelIn(ctx, role)})` : ''}` : 'someone';
  switch (intent.kind) {
    case 'reply-notice':
    case 'resolved-notice':
    case 'confirm-request': {
      const d: ReplyLikeData = intent.data;
      return {
        ...d,
        fromText: who(d.from, d.role),
        fromName: d.from ? nameOr(d.from.name, d.from.email) : 'someone',
        classText: d.classification ? CLASS_TEXT[d.classification.class] : '',
        classification: { class: 'other', evidence: '', ...(d.classification ?? {}) },
        holdUntilText: d.holdUntil ? cal.format(new Date(d.holdUntil)) : '',
        promisedForText: formatLocalDate(cal, d.classification?.promiseDate) ?? '',
        meetingOnText: formatLocalDate(cal, d.meetingOn) ?? '',
        caseClosed: d.caseClosed ?? false,
        beyondHorizon: !!d.beyondHorizon,
        beyondHorizonText: d.beyondHorizon ? (formatLocalDate(cal, d.beyondHorizon.promisedFor) ?? '') : '',
        horizonText: d.beyondHorizon ? cal.formatDate(new Date(d.beyondHorizon.horizon)) : '',
        // "PAUSE until 8 March 2027": the words the RM can send back as they are.
        pauseUntilText: d.beyondHorizon ? DateTime.fromISO(d.beyondHorizon.promisedFor, { zone: cal.timezone }).toFormat('d MMMM yyyy') : '',
        afterDue: !!d.afterDue,
        afterDuePromisedText: d.afterDue ? (formatLocalDate(cal, d.afterDue.promisedFor) ?? '') : '',
        afterDueText: d.afterDue ? (formatLocalDate(cal, d.afterDue.due) ?? '') : '',
        promiseHoldsNothing: d.promiseHoldsNothing ?? false,
        flagged: d.flagged ?? '',
        notActedOn: d.notActedOn ?? '',
        newText: d.newText ?? '',
        // "Please find attached" with nothing attached: the RM is told, rather than left looking for it.
        saysAttachedButNone: /\battach(?:ed|ment|ments|ing)?\b/i.test(d.newText ?? '') && (d.attachments ?? []).length === 0,
        missingConfirmerLabels: (d.missingConfirmers ?? []).map((r) => labelIn(ctx, r)),
        // Awaiting confirmation (awaiting-confirmation.ts): what silence does, and when.
        hasHold: !!d.until,
        isSecure: d.reason === 'secure-message',
        closesOnSilence: d.onSilence === 'resolve',
        untilText: d.until ? cal.formatDate(new Date(d.until)) : '',
        remindOnText: d.remindAt ? cal.formatDate(new Date(d.remindAt)) : '',
        askedOnText: d.askedAt ? cal.formatDate(new Date(d.askedAt)) : '',
        reminder: d.reminder ?? false,
        documents: d.documents ?? [],
        secureService: d.secureService ?? '',
        redirectDirective: d.redirectDirective ?? '',
      };
    }
    case 'confirmation-ended': {
      const d = intent.data;
      const next = d.nextAt ? new Date(d.nextAt) : undefined;
      return {
        ...d,
        fromText: who(d.from, d.role || undefined),
        resolved: d.outcome === 'resolved',
        isSecure: d.reason === 'secure-message',
        askedOnText: cal.formatDate(new Date(d.askedAt)),
        untilText: cal.format(new Date(d.until)),
        // The step the hold moved goes in the same run when its date has come.
        nextText: next ? (next <= ctx.now ? 'going now' : cal.format(next)) : '',
      };
    }
    case 'contact-request':
      return { ...intent.data, furtherForm: intent.data.furtherForm ?? false, missingLabels: intent.data.missingRoles.map((r) => labelIn(ctx, r)) };
    case 'bounce-notice':
      return {
        ...intent.data,
        failed: intent.data.failed.map((f) => ({
          address: f.address,
          status: f.status ?? '',
          meaning: f.status ? plainDeliveryProblem(f.status) : '',
          roleText: f.roles.map((r) => labelIn(ctx, r)).join(', '),
        })),
        single: intent.data.failed.length === 1,
      };
    case 'fold-summary':
      return {
        ...intent.data,
        items: intent.data.items.map((i) => ({ at: cal.format(new Date(i.at)), kindText: FOLDED_TEXT[i.kind] ?? 'a message', safeguarding: i.safeguarding })),
      };
    case 'approval-request':
      // The draft itself is added by the outbox writer, which has it rendered (see outbox-writer.ts).
      return { ...intent.data, reminder: 0, draft: { from: '', to: '', cc: '', subject: '', text: '' } };
    case 'approval-reminder':
      return { ...intent.data, draft: { from: '', to: '', cc: '', subject: '', text: '' } };
    case 'confirmation':
      return {
        ...intent.data,
        confirmSender: intent.data.confirmSender
          ? { token: intent.data.confirmSender.token, untilText: cal.format(new Date(intent.data.confirmSender.until)) }
          : null,
      };
    case 'sender-confirm':
      return { ...intent.data, expired: intent.data.expired ?? false, untilText: cal.format(new Date(intent.data.until)) };
    case 'step-notice': {
      // The chaser as sent is added by the outbox writer, which has it rendered (outbox-writer.ts).
      const ooh = intent.data.outOfHours;
      return {
        ...intent.data,
        outOfHours: ooh ? { ...ooh, label: withArticle(labelIn(ctx, ooh.role)), toText: ooh.to.join(', '), instead: ooh.mode === 'instead' } : null,
        chaser: { from: '', to: '', cc: '', subject: '', text: '' },
      };
    }
    case 'kept-informed-case':
      return { moment: intent.data.moment, resolved: intent.data.outcome === 'resolved' };
    case 'out-of-hours':
      return {
        ...intent.data,
        label: labelIn(ctx, intent.data.role),
        instead: intent.data.mode === 'instead',
        // Why it goes now: it fell due, ESCALATE brought it forward, or the RM approved it.
        how: intent.data.by === 'escalated' ? 'was brought forward' : intent.data.by === 'approved' ? 'was approved' : 'fell due',
        // When the daytime recipients get it: now (staff on a rung that may go at any hour) or at the window's opening.
        daytimeNow: new Date(intent.data.daytimeAt).getTime() <= ctx.now.getTime(),
        daytimeText: cal.format(new Date(intent.data.daytimeAt)),
        nowText: cal.format(ctx.now),
      };
    case 'kept-informed':
      return { ...intent.data, askOriginator: ctx.ladder.keepInformedAsk === 'originator' };
    case 'chaser':
    case 'command-error':
      return { ...intent.data };
    case 'command-ack':
      // The template asks whether an operator acted: the keys exist either way (strict templates).
      return { by: null, reason: null, ...intent.data };
    case 'delivery-failure':
      return { ...intent.data, meaning: plainDeliveryProblem(intent.data.reason) };
    default: {
      const unknown: never = intent;
      throw new Error(`no template data for mail ${JSON.stringify(unknown)}`);
    }
  }
}

/** A person's name as written, or the fallback when it is missing or blank. */
function nameOr(name: string | undefined, fallback: string): string {
  return (name ?? '').trim() || fallback;
}

/** A step that went, with the time it went. */
function isSent(s: Step): s is Step & { sentAt: string } {
  return s.status === 'sent' && !!s.sentAt;
}

function isDue(s: Step): s is Step & { dueAt: string } {
  return !!s.dueAt;
}
