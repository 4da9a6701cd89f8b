import type { WorkCalendar } from '../domain/calendar/work-calendar.js';
import type { Contact } from '../domain/case/case-state.js';
import type { CaseFacts, Recipient } from './case-facts.js';
import { isoWeekOf, previousIsoWeek } from './week.js';

/** "Escalating in the next 7 days". */
export const LOOKAHEAD_MS = 7 * 24 * 60 * 60 * 1000;

export interface DigestOptions {
  now: Date;
  calendar: WorkCalendar;
  org: { id: string; name: string; mailbox: string; manager: Contact };
  /** References of cases that could not be read, left out of the facts: the digest names them. */
  unreadable?: string[];
}

/** One line of "needs your action". */
export interface ActionItem {
  ref: string;
  childRef: string;
  subject: string;
  what: string;
}

export interface EscalatingItem {
  ref: string;
  childRef: string;
  date: string;
  /** ISO instant, for sorting and for tests. */
  at: string;
  rung: string;
  recipient: string;
  approval: boolean;
}

export interface OpenCaseLine {
  ref: string;
  subject: string;
  category: string;
  status: string;
  openedOn: string;
  daysOutstanding: number;
  workingDaysOutstanding: number;
  nextStep: string;
}

export interface DigestModel {
  org: { id: string; name: string; mailbox: string };
  manager: { name: string; email: string };
  week: { key: string; label: string; commencing: string };
  lastWeek: { key: string; label: string };
  generatedAt: string;
  nothingOpen: boolean;
  counts: { open: number; needsAction: number; escalating: number; atTop: number; openedLastWeek: number; resolvedLastWeek: number };
  action: {
    any: boolean;
    approvals: ActionItem[];
    missingContacts: ActionItem[];
    views: ActionItem[];
    bounced: ActionItem[];
    confirmations: ActionItem[];
  };
  escalating: EscalatingItem[];
  atTop: { ref: string; childRef: string; highest: string; next: string }[];
  openedLastWeek: { ref: string; childRef: string; openedOn: string; ladder: string; professional: string; status: string }[];
  resolvedLastWeek: { ref: string; childRef: string; openedOn: string; resolvedOn: string; workingDays: number; chasersSent: number }[];
  /** Every open case, by local authority, then child reference. */
  groups: { authority: string; count: number; children: { childRef: string; cases: OpenCaseLine[] }[] }[];
  /** References of cases left out because they could not be read (the service log says why). */
  unreadable: string[];
  /** A command line the RM could send back, naming one of their cases (a reply names the case it is for). */
  replyExample: string;
}

/** A role's label as the key of a directive line: "the professional" → "Professional", "team manager" → "Team manager". */
function directiveKey(label: string): string {
  const key = label.replace(/^the /i, '');
  return key.charAt(0).toUpperCase() + key.slice(1);
}

const NO_CHILD = 'no child reference';

// Collators made once. `a.localeCompare(b, locales, options)` is defined as the compare of a new
// Intl.Collator(locales, options), and building one per comparison cost ~0.25 s for 5,000 cases.
const compareText = new Intl.Collator().compare;
const compareEnGb = new Intl.Collator('en-GB').compare;
const compareEnGbNumeric = new Intl.Collator('en-GB', { numeric: true }).compare;

function isOpen(f: CaseFacts): boolean {
  return f.status !== 'resolved' && f.status !== 'closed';
}

function within(iso: string | null, from: Date, to: Date): boolean {
  if (!iso) return false;
  const t = new Date(iso).getTime();
  return t >= from.getTime() && t < to.getTime();
}

function recipientText(to: Recipient[]): string {
  return to.map((r) => (r.emails.length ? `${r.label} (${r.emails.join(', ')})` : `${r.label} (no address yet)`)).join('; ');
}

function byRef<T extends { ref: string }>(a: T, b: T): number {
  return compareText(a.ref, b.ref);
}

/** "; it closes on Tuesday 15 December 2026 unless you reply NOT DONE": what silence does, when it has a date. */
function confirmationOutcome(f: CaseFacts, cal: WorkCalendar): string {
  if (!f.confirmationUntil) return '';
  const on = cal.formatDate(new Date(f.confirmationUntil));
  return f.confirmationOnSilence === 'resolve' ? `; it closes on ${on} unless you reply NOT DONE` : `; the reminders resume on ${on} unless you reply RESOLVED`;
}

/** What happens next on an open case, in a few words. */
export function nextStepText(f: CaseFacts, cal: WorkCalendar): string {
  if (f.status === 'paused') return `Paused until ${cal.formatDate(new Date(f.pausedUntil ?? f.nextActionAt ?? f.openedAt))}`;
  if (f.status === 'awaiting-confirmation') return `Waiting for your confirmation${confirmationOutcome(f, cal)}`;
  const c = f.current;
  if (!c) return 'Top of the ladder: nothing more is planned';
  const title = `${c.n}. ${c.title}`;
  switch (c.status) {
    case 'awaiting-approval':
      return `${title}: drafted, waiting for your APPROVE or SKIP`;
    case 'held':
      return `${title}: on hold, no address for ${f.missingContacts.join(', ') || 'a recipient'}`;
    default: {
      if (!c.dueAt) return `${title}: only if you reply ESCALATE`;
      const held = f.holdUntil && f.holdUntil === c.dueAt ? ' (held for a promise)' : '';
      return `${title} on ${cal.format(new Date(c.dueAt))}${held}${c.approval ? ', for your approval first' : ''}`;
    }
  }
}

/**
 * The RM's weekly picture, from the facts of every case of one organisation and the moment it is
 * made. Pure: the same facts and `now` give the same digest.
 */
export function buildDigest(facts: CaseFacts[], opts: DigestOptions): DigestModel {
  const { now, calendar: cal } = opts;
  const tz = cal.timezone;
  const week = isoWeekOf(now, tz);
  const last = previousIsoWeek(now, tz);
  const horizon = new Date(now.getTime() + LOOKAHEAD_MS);
  const mine = facts.filter((f) => f.orgId === opts.org.id);
  const open = mine.filter(isOpen).sort((a, b) => compareText(a.openedAt, b.openedAt) || byRef(a, b));
  const item = (f: CaseFacts, what: string): ActionItem => ({ ref: f.ref, childRef: f.childRef ?? '–', subject: f.subject, what });

  const approvals = open.flatMap((f) => {
    const a = f.awaitingApproval;
    if (!a) return [];
    const since = a.requestedAt ? ` since ${cal.formatDate(new Date(a.requestedAt))}` : '';
    return [item(f, `${a.n}. ${a.title}: drafted${since}, waiting for your APPROVE or SKIP`)];
  });
  const missingContacts = open
    .flatMap((f) => (f.missingContacts.length > 0 && f.current ? [{ f, c: f.current }] : []))
    .map(({ f, c }) => {
      const state = c.status === 'held' ? 'is on hold' : c.dueAt ? `goes on ${cal.formatDate(new Date(c.dueAt))}` : 'is next';
      // The line to send back names the case and the role it lacks (issue 20.6): a digest lists several cases.
      return item(
        f,
        `${c.n}. ${c.title} ${state}; no address for ${f.missingContacts.join(', ')} (reply e.g. "${f.ref} ${directiveKey(f.missingContacts[0] ?? '')}: Name <address>")`,
      );
    });
  const views = open.flatMap((f) => {
    const v = f.viewsDue;
    return v ? [item(f, `${v.n}. ${v.title} was sent on ${cal.formatDate(new Date(v.sentAt))}; record the young person's views (reply VIEWS: …)`)] : [];
  });
  const bounced = open.flatMap((f) =>
    f.bounced.map((b) =>
      item(
        f,
        `${b.email}${b.roles.length ? ` (${b.roles.join(', ')})` : ''} bounced on ${cal.formatDate(new Date(b.at))}: ${b.reason}; reply with a new address`,
      ),
    ),
  );
  const confirmations = open
    .filter((f) => f.status === 'awaiting-confirmation')
    .map((f) => {
      const since = f.awaitingConfirmationSince ? ` on ${cal.formatDate(new Date(f.awaitingConfirmationSince))}` : '';
      const what = f.confirmationReason === 'secure-message' ? 'A recipient sent a secure message only you can open' : 'A recipient replied that it is done';
      return item(f, `${what}${since}: reply RESOLVED to close it, NOT DONE to go on, or ESCALATE${confirmationOutcome(f, cal)}`);
    });
  const needsAction = new Set([...approvals, ...missingContacts, ...views, ...bounced, ...confirmations].map((i) => i.ref));

  const escalating: EscalatingItem[] = open
    .flatMap((f) => {
      const c = f.current;
      return (f.status === 'open' || f.status === 'paused') && c?.status === 'planned' && c.applies && c.dueAt && new Date(c.dueAt) < horizon
        ? [{ f, c, dueAt: c.dueAt }]
        : [];
    })
    .map(({ f, c, dueAt }) => {
      return {
        ref: f.ref,
        childRef: f.childRef ?? '–',
        date: cal.format(new Date(dueAt)),
        at: dueAt,
        rung: `${c.n}. ${c.title}`,
        recipient: recipientText(c.to),
        approval: c.approval,
      };
    })
    .sort((a, b) => compareText(a.at, b.at) || byRef(a, b));

  const atTop = open
    .filter((f) => f.atTop && f.status !== 'awaiting-confirmation')
    .map((f) => ({
      ref: f.ref,
      childRef: f.childRef ?? '–',
      highest: f.highest ? `${f.highest.n}. ${f.highest.title}` : 'nothing sent',
      next: f.current?.dueAt ? `${f.current.title} on ${cal.format(new Date(f.current.dueAt))}` : f.current ? f.current.title : 'nothing more is planned',
    }))
    .sort(byRef);

  const openedLastWeek = mine
    .filter((f) => within(f.openedAt, last.start, last.end))
    .sort((a, b) => compareText(a.openedAt, b.openedAt) || byRef(a, b))
    .map((f) => ({
      ref: f.ref,
      childRef: f.childRef ?? '–',
      openedOn: cal.formatDate(new Date(f.openedAt)),
      ladder: f.ladderTitle,
      professional: f.professionals.join(', ') || '–',
      status: f.status,
    }));
  const resolvedLastWeek = mine
    .flatMap((f) => (f.status === 'resolved' && f.resolvedAt !== null && within(f.resolvedAt, last.start, last.end) ? [{ f, resolvedAt: f.resolvedAt }] : []))
    .sort((a, b) => compareText(a.resolvedAt, b.resolvedAt) || byRef(a.f, b.f))
    .map(({ f, resolvedAt }) => ({
      ref: f.ref,
      childRef: f.childRef ?? '–',
      openedOn: cal.formatDate(new Date(f.openedAt)),
      resolvedOn: cal.formatDate(new Date(resolvedAt)),
      workingDays: cal.workingDaysBetween(new Date(f.openedAt), new Date(resolvedAt)),
      chasersSent: f.chasersSent,
    }));

  const authorities = new Map<string, Map<string, OpenCaseLine[]>>();
  for (const f of open) {
    const children = authorities.get(f.localAuthority) ?? new Map<string, OpenCaseLine[]>();
    authorities.set(f.localAuthority, children);
    const key = f.childRef ?? NO_CHILD;
    const lines = children.get(key) ?? [];
    children.set(key, lines);
    const opened = new Date(f.openedAt);
    lines.push({
      ref: f.ref,
      subject: f.subject,
      category: f.category ?? '',
      status: f.status,
      openedOn: cal.formatDate(opened),
      daysOutstanding: Math.max(0, Math.floor((now.getTime() - opened.getTime()) / 86_400_000)),
      workingDaysOutstanding: cal.workingDaysBetween(opened, now),
      nextStep: nextStepText(f, cal),
    });
  }
  const childOrder = (a: string, b: string) => (a === NO_CHILD ? 1 : b === NO_CHILD ? -1 : compareEnGbNumeric(a, b));
  const groups = [...authorities.entries()]
    .sort(([a], [b]) => compareEnGb(a, b))
    .map(([authority, children]) => ({
      authority,
      count: [...children.values()].reduce((n, l) => n + l.length, 0),
      children: [...children.entries()].sort(([a], [b]) => childOrder(a, b)).map(([childRef, cases]) => ({ childRef, cases })),
    }));

  const local = cal.local(now);
  return {
    org: { id: opts.org.id, name: opts.org.name, mailbox: opts.org.mailbox },
    manager: { name: opts.org.manager.name ?? opts.org.manager.email, email: opts.org.manager.email },
    week: { key: week.key, label: `week ${week.week}, ${week.year}`, commencing: cal.formatDate(week.start) },
    lastWeek: { key: last.key, label: `${cal.formatDate(last.start)} to ${cal.formatDate(new Date(last.end.getTime() - 1))}` },
    generatedAt: `${local.setLocale('en-GB').toFormat('cccc d LLLL yyyy')} at ${local.toFormat('HH:mm')}`,
    nothingOpen: open.length === 0,
    counts: {
      open: open.length,
      needsAction: needsAction.size,
      escalating: escalating.length,
      atTop: atTop.length,
      openedLastWeek: openedLastWeek.length,
      resolvedLastWeek: resolvedLastWeek.length,
    },
    action: {
      any: needsAction.size > 0,
      approvals: approvals.sort(byRef),
      missingContacts: missingContacts.sort(byRef),
      views: views.sort(byRef),
      bounced: bounced.sort(byRef),
      confirmations: confirmations.sort(byRef),
    },
    escalating,
    atTop,
    openedLastWeek,
    resolvedLastWeek,
    groups,
    unreadable: [...(opts.unreadable ?? [])].sort(compareText),
    replyExample: `${open[0]?.ref ?? `ESC-${local.toFormat('yyyy')}-0012`} PAUSE until ${local.plus({ weeks: 2 }).toFormat('d MMMM')}`,
  };
}
