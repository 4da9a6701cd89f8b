import { describeDuration, parseDuration } from '../../domain/calendar/duration.js';
import { ladderFor } from '../../domain/case/advance.js';
import type { CaseContext } from '../../domain/case/case-context.js';
import type { CaseState, Contact } from '../../domain/case/case-state.js';
import type { MailIntent } from '../../domain/case/decision.js';
import { ccRolesFor } from '../../domain/case/fire-step.js';
import { timetableRows } from '../../domain/case/timetable-view.js';
import { currentStep, rungOf } from '../../domain/case/timetable.js';
import { stripSubjectPrefixes } from '../../domain/inbound/subject-tags.js';
import { NATION_LABEL } from '../../domain/calendar/nation.js';
import { roleLabel } from '../../domain/roles.js';
import { rolesOf } from '../../domain/ladder/effective-ladder.js';
import { resolveRole, roleOfAddress as roleOfEmail } from '../../domain/case/role-resolution.js';

export interface PersonView {
  label: string;
  name: string;
  email: string;
}

/** Everything a template may use. Strings are already formatted; templates only lay them out. */
export interface MailContext {
  kind: MailIntent['kind'];
  org: { name: string; mailbox: string; nation: string };
  case: {
    ref: string;
    subject: string;
    childRef: string | null;
    category: string | null;
    ladderTitle: string;
    policyTitle: string;
    citation: string | null;
    variant: string | null;
    openedOn: string;
    calendarDaysOutstanding: number;
    workingDaysOutstanding: number;
    requestedBy: string | null;
    status: string;
    safeguarding: boolean;
    childProtection: boolean;
  };
  greeting: string;
  step: StepView | null;
  timetable: Array<{ n: number; title: string; when: string; to: string; cc: string; approval: boolean; status: string; policyRef: string }>;
  repeatNote: string | null;
  contacts: { known: Array<{ label: string; value: string }>; missing: string[] };
  /** The request's original deadline: "within the next 2 weeks". */
  requestDeadline: string;
  data: Record<string, unknown>;
}

export interface StepView {
  n: number;
  title: string;
  asks: string;
  policyRef: string;
  warning: string | null;
  meeting: boolean;
  deadline: string | null;
  deadlineDate: string | null;
  to: PersonView[];
  copied: PersonView[];
  notCopied: string[];
  duties: string[];
  previous: Array<{ title: string; date: string; to: string }>;
  next: { title: string; date: string; to: string } | null;
}

function person(c: Contact & { role?: string }): PersonView {
  return { label: c.role ? roleLabel(c.role) : '', name: c.name ?? c.email, email: c.email };
}

function greetingFor(to: Contact[]): string {
  if (to.length === 1) {
    const name = to[0]!.name?.trim();
    return name ? `Dear ${name}` : 'Dear colleague';
  }
  const names = to.map((c) => c.name?.trim()).filter(Boolean) as string[];
  if (names.length === to.length && names.length <= 3) return `Dear ${names.join(' and ')}`;
  return 'Dear colleagues';
}

/** Builds the typed template context for one mail intent of one case. Pure. */
export function buildMailContext(state: CaseState, intent: MailIntent, ctx: CaseContext, mailbox: string): MailContext {
  const cal = ctx.calendar;
  const ladder = ladderFor(state, ctx);
  const def = ctx.ladder;
  const opened = new Date(state.openedAt);
  const rows = timetableRows(state, ctx);
  const stepNo = intent.step ?? (intent.kind === 'command-ack' ? undefined : currentStep(state)?.n);
  const step = stepNo !== undefined ? state.steps.find((s) => s.n === stepNo) : undefined;
  let stepView: StepView | null = null;
  if (step) {
    const rung = rungOf(ladder, step);
    const data = intent.data as { deadlineAt?: string; missingCc?: string[] };
    const deadlineAt = data.deadlineAt ?? step.deadlineAt;
    const roleContacts = (roles: string[]) =>
      roles.flatMap((role) => resolveRole(state, role, ctx).map((c) => person({ ...c, role })));
    const sent = state.steps.filter((s) => s.status === 'sent' && s.n < step.n);
    const later = state.steps.find((s) => s.n > step.n && s.status === 'planned' && s.dueAt);
    stepView = {
      n: step.n,
      title: rung.title,
      asks: rung.asks,
      policyRef: rung.policyRef,
      warning: rung.warning ?? null,
      meeting: rung.meeting,
      deadline: rung.deadline ? describeDuration(rung.deadline) : null,
      deadlineDate: deadlineAt ? cal.formatDate(new Date(deadlineAt)) : null,
      to: intent.kind === 'chaser' ? intent.to.map((c) => person({ ...c, role: roleOfEmail(state, c.email, ctx) })) : roleContacts(rung.to),
      copied:
        intent.kind === 'chaser'
          ? intent.cc.map((c) => person({ ...c, role: roleOfEmail(state, c.email, ctx) }))
          : roleContacts(ccRolesFor(ladder, step, state.flags)),
      notCopied: (data.missingCc ?? []).map(roleLabel),
      duties: rung.duties.map((d) => def.duties[d] ?? d),
      previous: sent.map((s) => ({
        title: rungOf(ladder, s).title,
        date: cal.formatDate(new Date(s.sentAt!)),
        to: (s.sentTo ?? []).join(', '),
      })),
      next: later
        ? {
            title: rungOf(ladder, later).title,
            date: cal.formatDate(new Date(later.dueAt!)),
            to: rungOf(ladder, later).to.map(roleLabel).join(', '),
          }
        : null,
    };
  }
  const known: Array<{ label: string; value: string }> = [];
  const missing: string[] = [];
  for (const role of rolesOf(def)) {
    if (role === 'originator' || role === 'rm') continue;
    const found = resolveRole(state, role, ctx);
    if (found.length) known.push({ label: roleLabel(role), value: found.map((c) => (c.name ? `${c.name} <${c.email}>` : c.email)).join(', ') });
    else missing.push(roleLabel(role));
  }
  const variantDef = state.variant === 'standard' ? undefined : def.variants[state.variant];
  return {
    kind: intent.kind,
    org: { name: ctx.org.name, mailbox, nation: NATION_LABEL[cal.nation] },
    case: {
      ref: state.ref,
      subject: stripSubjectPrefixes(state.subject).replace(/\s*\[\s*escalate\s*\]|\s*#escalate\b/gi, '').trim(),
      childRef: state.childRef ?? null,
      category: state.category ?? null,
      ladderTitle: def.title,
      policyTitle: def.policy.title,
      citation: def.policy.citation ?? null,
      variant: variantDef?.label ?? null,
      openedOn: cal.formatDate(opened),
      calendarDaysOutstanding: Math.max(0, Math.floor((ctx.now.getTime() - opened.getTime()) / 86_400_000)),
      workingDaysOutstanding: cal.workingDaysBetween(opened, ctx.now),
      requestedBy: state.requestedBy ?? null,
      status: state.status,
      safeguarding: state.flags.safeguarding,
      childProtection: state.flags['child-protection'],
    },
    greeting: greetingFor(intent.to),
    step: stepView,
    timetable: rows.map((r) => ({
      n: r.n,
      title: r.title,
      when: r.atText,
      to: r.to.map((t) => (t.emails.length ? `${t.label} (${t.emails.join(', ')})` : `${t.label} (no address yet)`)).join('; '),
      cc: r.cc.filter((c) => c.emails.length).map((c) => c.label).join(', '),
      approval: r.approval,
      status: r.status,
      policyRef: r.policyRef,
    })),
    repeatNote: ladder.repeat ? `then every ${describeDuration(ladder.repeat.every)} to the ${ladder.repeat.to.map(roleLabel).join(', ')} until it is done` : null,
    contacts: { known, missing },
    requestDeadline: describeDuration(parseDuration(def.request.deadline)),
    data: templateData(intent, ctx),
  };
}

const CLASS_TEXT: Record<string, string> = {
  resolved: 'it reads as done',
  promise: 'a promise',
  acknowledged: 'an acknowledgement',
  disputed: 'they dispute it',
  other: 'no decision in it',
};

/**
 * The intent's facts, plus the wording templates need, with every key a template may read
 * present (templates are strict: a missing key is an error, never a blank in a letter).
 */
function templateData(intent: MailIntent, ctx: CaseContext): Record<string, unknown> {
  const d = intent.data as Record<string, any>;
  const cal = ctx.calendar;
  const who = (c: { email: string; name?: string } | undefined, role?: string) =>
    c ? `${c.name ? `${c.name} <${c.email}>` : c.email}${role ? ` (${roleLabel(role)})` : ''}` : 'someone';
  const base: Record<string, unknown> = { ...d };
  switch (intent.kind) {
    case 'confirmation':
      base.warnings = d.warnings ?? [];
      break;
    case 'reply-notice':
    case 'resolved-notice':
    case 'confirm-request':
      base.fromText = who(d.from, d.role);
      base.classText = d.classification ? (CLASS_TEXT[d.classification.class] ?? '') : '';
      base.classification = d.classification ?? { class: 'other', evidence: '' };
      base.holdUntilText = d.holdUntil ? cal.format(new Date(d.holdUntil)) : '';
      base.caseClosed = d.caseClosed ?? false;
      base.flagged = d.flagged ?? '';
      base.newText = d.newText ?? '';
      break;
    case 'contact-request':
      base.missingLabels = (d.missingRoles ?? []).map(roleLabel);
      break;
    case 'bounce-notice':
      base.failed = (d.failed ?? []).map((f: { address: string; status?: string; roles?: string[] }) => ({
        address: f.address,
        status: f.status ?? '',
        roleText: (f.roles ?? []).map(roleLabel).join(', '),
      }));
      base.single = (d.failed ?? []).length === 1;
      break;
    case 'command-ack':
      base.done = d.done ?? [];
      break;
    case 'command-error':
      base.problems = d.problems ?? [];
      break;
    case 'approval-request':
    case 'approval-reminder':
      base.reminder = d.reminder ?? 0;
      base.draft = d.draft ?? { from: '', to: '', cc: '', subject: '', text: '' };
      break;
  }
  return base;
}
