import { createHash } from 'node:crypto';
import { describeDuration } from '../domain/calendar/duration.js';
import { NATION_LABEL } from '../domain/calendar/nation.js';
import type { WorkCalendar } from '../domain/calendar/work-calendar.js';
import type { CaseContext } from '../domain/case/case-context.js';
import type { CaseEventType, RecordedEvent } from '../domain/case/case-events.js';
import { isClosed, type CaseState, type Step } from '../domain/case/case-state.js';
import { timetableRows } from '../domain/case/timetable-view.js';
import { rungOf } from '../domain/case/timetable.js';
import { effectiveLadder, type EffectiveRung } from '../domain/ladder/effective-ladder.js';
import { roleLabel } from '../domain/roles.js';

/** One stored message of the case, inbound or outbound, as the query found it. */
export interface EvidenceMessageInput {
  direction: 'in' | 'out';
  messageId: string;
  /** Inbound: when it was received. Outbound: when it was written (decided). */
  at: Date;
  /** Inbound: its Date header. Outbound: when the server accepted it (null if not sent). */
  sentAt: Date | null;
  from: string | null;
  to: string[];
  cc: string[];
  subject: string | null;
  /** Inbound: the new text (quotes and signature stripped). Outbound: the text part, as sent. */
  text: string | null;
  attachments: string[];
  /** The stored raw message (null when it was over the size limit and only a reference was kept). */
  raw: Buffer | null;
  /** The digest recorded when the message was stored (inbound) or before its raw copy was purged. */
  storedSha256: string | null;
  /** When the raw copy was purged under the retention policy (null while it is kept). */
  purgedAt?: Date | null;
  size: number | null;
  /** Inbound: the route (new-case, reply, command, …). Outbound: the mail's kind. */
  label: string;
  status: string;
  /** Each attachment's name and size in bytes (null when only the name was kept). */
  files?: AttachmentFact[];
  /** Inbound: how the service read it (absent for outbound mail and for a message not read). */
  reading?: MessageReading;
}

export interface AttachmentFact {
  name: string;
  bytes: number | null;
}

/**
 * How an inbound message was read: a reply's class as the case used it and the words the
 * classifier quoted for it, the commands it carried, or the kind of automatic mail it was.
 */
export interface MessageReading {
  class?: string;
  evidence?: string;
  promiseDate?: string;
  commands?: string[];
  automatic?: string;
}

/** One event of the case's trail, as read back (see case-event-reader.ts). */
export type EvidenceEventInput = RecordedEvent;

export interface EvidenceInput {
  state: CaseState;
  ctx: CaseContext;
  org: { name: string; mailbox: string };
  events: EvidenceEventInput[];
  /** Inbound by receipt, outbound by creation: the order they happened in. */
  messages: EvidenceMessageInput[];
  generatedBy: string;
}

export interface MessageView {
  direction: 'in' | 'out';
  directionLabel: string;
  messageId: string;
  at: string;
  atIso: string;
  sentAt: string;
  from: string;
  to: string;
  cc: string;
  subject: string;
  text: string;
  attachments: string[];
  sha256: string;
  hashNote: string;
  hashOk: boolean;
  size: string;
  label: string;
  status: string;
  files: AttachmentFact[];
  /** Null for outbound mail and for a brief message (a stranger's words are not quoted, even as evidence). */
  reading: MessageReading | null;
  /**
   * Shown as one header line (from, subject, size, SHA-256), its text not inlined: a message from
   * someone not on the case (flagged) or one that was not read. A stranger cannot make the pack
   * unprintable by sending hundreds of large messages quoting the case reference.
   */
  brief: boolean;
}

export interface EventView {
  type: string;
  label: string;
  actor: string;
  cause: string;
  summary: string;
  details: Array<{ key: string; value: string }>;
}

export interface ChronologyEntry {
  seq: number;
  at: string;
  atIso: string;
  kind: 'in' | 'out' | 'event';
  message: MessageView | null;
  event: EventView | null;
}

export interface EvidenceModel {
  title: string;
  generatedAt: string;
  generatedBy: string;
  org: { name: string; mailbox: string; nation: string; timezone: string };
  case: {
    ref: string;
    subject: string;
    childRef: string;
    category: string;
    status: string;
    variant: string;
    opened: string;
    resolved: string;
    closed: string;
    originator: string;
    flags: string;
    participants: Array<{ role: string; contact: string; source: string; undeliverable: string }>;
  };
  ladder: {
    id: string;
    title: string;
    summary: string;
    policyTitle: string;
    policyFile: string;
    citation: string;
    clock: string;
    rungs: Array<{ title: string; when: string; to: string; cc: string; deadline: string; approval: boolean; policyRef: string; asks: string }>;
    repeat: string;
    duties: Array<{ key: string; text: string }>;
  };
  timetable: Array<{ n: number; title: string; status: string; when: string; to: string; policyRef: string }>;
  request: MessageView | null;
  chronology: ChronologyEntry[];
  views: Array<{ at: string; step: string; text: string; by: string }>;
  notes: Array<{ at: string; text: string; by: string }>;
  approvals: Array<{ rung: string; requested: string; decision: string; by: string; at: string }>;
  integrity: { messages: number; hashed: number; mismatched: number; notKept: number; purged: number; ok: boolean };
}

export function sha256Hex(raw: Buffer): string {
  return createHash('sha256').update(raw).digest('hex');
}

const EVENT_LABELS: Record<CaseEventType, string> = {
  'case-opened': 'Case opened',
  'step-sent': 'Step sent',
  'step-held': 'Step on hold (no address)',
  'step-not-applicable': 'Step set aside (does not apply)',
  'step-released': 'Approved draft released',
  'approval-requested': 'Approval requested',
  'approval-reminded': 'Approval reminder',
  approved: 'Approved',
  skipped: 'Skipped',
  'reply-received': 'Reply received',
  'promise-recorded': 'Promise recorded',
  'promise-lapsed': 'Promise lapsed',
  'meeting-hold-ended': 'Meeting date passed; the ladder goes on',
  'meeting-date-noted': 'Meeting date noted',
  'awaiting-confirmation': 'Awaiting confirmation',
  'confirmation-reminded': 'Confirmation reminder',
  'confirmation-lapsed': 'Nobody confirmed; the ladder goes on',
  'not-done': 'NOT DONE: the ladder goes on',
  resolved: 'Resolved',
  closed: 'Closed',
  reopened: 'Reopened',
  paused: 'Paused',
  resumed: 'Resumed',
  escalated: 'Escalated',
  extended: 'Extended',
  'variant-switched': 'Timescales switched',
  'flag-set': 'Flag set',
  'views-recorded': 'Young person’s views recorded',
  'note-added': 'Note added',
  'commands-applied': 'Commands applied',
  'command-rejected': 'Command rejected',
  bounce: 'Delivery failure',
  'mail-failed': 'Mail failed',
  'auto-reply': 'Automatic reply',
  'bulk-mail': 'Bulk mail',
  'message-flagged': 'Message flagged',
  'reply-noted': 'Reply passed to the RM (changed nothing)',
  'confirmation-requested': 'Sender asked to confirm',
  'sender-confirmed': 'Sender confirmed',
  'message-not-read': 'Message not read (over a limit)',
  'promise-beyond-horizon': 'Promise beyond the ladder’s horizon (holds nothing; the RM asked)',
  'mail-folded': 'Notice folded into a summary (loop protection)',
  'staff-message': 'Staff message',
  'participant-set': 'Contact set',
  'child-ref-set': 'Child reference set',
  'category-set': 'Category set',
  'due-set': 'Due date set',
  'timetable-shifted': 'Timetable shifted',
  'timetable-moved': 'Dates moved',
  'mail-held-back': 'Mail held back',
  'mail-recipients-deferred': 'Mail recipients deferred',
  'raw-messages-purged': 'Raw messages purged',
};

/** Each field of a detail as stored, for the pack's small print (empty values left out). */
function detailLines(detail: unknown): Array<{ key: string; value: string }> {
  if (detail === null || typeof detail !== 'object' || Array.isArray(detail))
    return detail === null || detail === undefined ? [] : [{ key: 'stored', value: valueText(detail) }];
  return Object.entries(detail)
    .filter(([, v]) => v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0))
    .map(([key, v]) => ({ key, value: valueText(v) }));
}

function valueText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.join(', ');
  return JSON.stringify(v);
}

/** "2026-12-07 10:00:00 GMT" (or BST): exact to the second, in the organisation's time, zone named. */
function stamp(cal: WorkCalendar, at: Date): string {
  return cal.local(at).setLocale('en-GB').toFormat('yyyy-MM-dd HH:mm:ss ZZZZ');
}

/** Inbound routes shown as a header line only: from strangers (flagged), or not read (over a limit). */
const BRIEF_LABELS: ReadonlySet<string> = new Set(['flagged', 'not-read']);

const RANK: Record<ChronologyEntry['kind'], number> = { in: 0, event: 1, out: 2 };

/**
 * The evidence pack's content, from the case's stored state, events and messages. Pure: hashes
 * are computed from the raw bytes given, so the pack states what is actually stored.
 */
export function buildEvidencePack(input: EvidenceInput): EvidenceModel {
  const { state, ctx } = input;
  const cal = ctx.calendar;
  const def = ctx.ladder;
  const ladder = effectiveLadder(def, state.variant);
  const stepTitle = (n: number): string => {
    const step = state.steps.find((s) => s.n === n);
    if (!step) return n === 0 ? 'before the first step' : `step ${n}`;
    try {
      return `${step.n}. ${rungOf(ladder, step).title}`;
    } catch {
      return `${step.n}. ${step.rungId}`;
    }
  };

  const messageView = (m: EvidenceMessageInput): MessageView => {
    const brief = m.direction === 'in' && BRIEF_LABELS.has(m.label);
    const digest = m.raw ? sha256Hex(m.raw) : (m.storedSha256 ?? '');
    let hashNote = 'SHA-256 of the stored raw message';
    let hashOk = true;
    if (!m.raw && m.purgedAt) {
      hashNote = `raw message purged under the retention policy on ${stamp(cal, m.purgedAt)}: SHA-256 recorded before it was purged`;
    } else if (!m.raw) {
      hashNote = m.storedSha256 ? 'raw message not kept (over the size limit): SHA-256 recorded on receipt' : 'raw message not kept';
    } else if (m.storedSha256 && m.storedSha256 !== digest) {
      hashNote = `DOES NOT MATCH the SHA-256 recorded on receipt (${m.storedSha256})`;
      hashOk = false;
    } else if (m.storedSha256) {
      hashNote = 'SHA-256 of the stored raw message; matches the digest recorded on receipt';
    }
    return {
      direction: m.direction,
      directionLabel: m.direction === 'in' ? 'Received' : 'Sent',
      messageId: m.messageId,
      at: stamp(cal, m.at),
      atIso: m.at.toISOString(),
      sentAt: m.sentAt ? stamp(cal, m.sentAt) : m.direction === 'out' ? `not sent (${m.status})` : '',
      from: m.from ?? '',
      to: m.to.join(', '),
      cc: m.cc.join(', '),
      subject: brief && (m.subject ?? '').length > 200 ? `${m.subject!.slice(0, 200)}…` : (m.subject ?? ''),
      text: brief ? '' : m.text?.trim() ? m.text.replace(/\r\n/g, '\n').trimEnd() : '(no text recorded)',
      attachments: m.attachments,
      sha256: digest,
      hashNote,
      hashOk,
      size: m.raw ? `${m.raw.length} bytes` : m.size !== null ? `${m.size} bytes` : '',
      label: m.label,
      status: m.status,
      files: m.files ?? m.attachments.map((name) => ({ name, bytes: null })),
      reading: brief ? null : (m.reading ?? null),
      brief,
    };
  };

  const eventView = (e: EvidenceEventInput): EventView => {
    const view = (type: string, label: string, summary: string, detail: unknown): EventView => ({
      type,
      label,
      actor: e.actor,
      cause: e.cause ?? '',
      summary,
      details: detailLines(detail),
    });
    const of = (summary: string): EventView =>
      e.type === 'unreadable' ? view(e.type, e.type, summary, e.stored) : view(e.type, EVENT_LABELS[e.type], summary, e.detail);
    switch (e.type) {
      case 'step-sent':
        return of(`${stepTitle(e.detail.step)} to ${valueText(e.detail.to) || '–'}${valueText(e.detail.cc) ? `, cc ${valueText(e.detail.cc)}` : ''}`);
      case 'approval-requested':
      case 'approved':
      case 'skipped':
      case 'step-held':
      case 'step-not-applicable':
      case 'approval-reminded':
      case 'escalated':
        return of(stepTitle(e.detail.step));
      // The texts live on the case (purged with it), not in the events: see the views and notes below.
      case 'views-recorded':
        return of(`At ${stepTitle(e.detail.step)}${e.detail.text ? `: ${e.detail.text}` : ''}`);
      case 'note-added':
        return of(e.detail.text ?? 'See the notes below');
      case 'promise-recorded':
        return of(
          `Promised for ${e.detail.promisedFor}; ${e.detail.holdUntil ? `nothing escalates before ${stamp(cal, new Date(e.detail.holdUntil))}` : 'the next step comes after that anyway'}`,
        );
      case 'meeting-date-noted':
        return of(`Meeting on ${e.detail.meetingOn}${e.detail.holdUntil ? `; nothing escalates before ${stamp(cal, new Date(e.detail.holdUntil))}` : ''}`);
      case 'reply-received':
        return of(`From the ${roleLabel(e.detail.role)}, read as: ${e.detail.class}`);
      case 'commands-applied':
        return of(valueText(e.detail.done));
      case 'reply-noted':
        return of(`From the ${roleLabel(e.detail.role)}, read as: ${e.detail.class}; it changed nothing (${e.detail.reason})`);
      case 'confirmation-requested':
        return of(`${e.detail.commands.map((c) => c.toUpperCase()).join(', ')} waits for CONFIRM from the sender (${e.detail.reason})`);
      case 'sender-confirmed':
        return of(e.detail.what === 'opening' ? 'The request, by its sender' : `${e.detail.commands.map((c) => c.toUpperCase()).join(', ')}, by their sender`);
      case 'awaiting-confirmation':
        return of(
          e.detail.until
            ? `${e.detail.reason === 'secure-message' ? 'A secure-mail notice' : 'A reply read as done'}: ${valueText(e.detail.confirmers)} asked to confirm; without an answer by ${stamp(cal, new Date(e.detail.until))}, ${e.detail.onSilence === 'resolve' ? `the case resolves on the documents sent (${valueText(e.detail.documents)})` : 'the ladder goes on'}`
            : `${valueText(e.detail.confirmers)} asked to confirm`,
        );
      case 'resolved':
        // Who confirmed: a command names its sender (the actor); silence names what it relied on.
        if (e.detail.by === 'silence')
          return of(
            `Nobody answered the confirmation asked for on ${stamp(cal, new Date(e.detail.since))}; resolved on the documents sent: ${valueText(e.detail.documents)}`,
          );
        return of(e.detail.by === 'command' ? `Confirmed by ${e.actor}` : 'By the reply (this ladder resolves on a reply alone)');
      case 'confirmation-reminded':
        return of(`${valueText(e.detail.to)} reminded; decided by ${stamp(cal, new Date(e.detail.until))}`);
      case 'timetable-moved': {
        const because = e.detail.because.join('; ');
        const moved = e.detail.steps.map((s) => `${stepTitle(s.n)}: ${stamp(cal, new Date(s.from))} → ${stamp(cal, new Date(s.to))}`).join('; ');
        return of(`${moved}${because ? ` (${because})` : ''}`);
      }
      case 'unreadable':
        // Stored by another version, or damaged: shown as it was stored, never interpreted.
        return view(
          e.storedType,
          `Unreadable record (${e.storedType})`,
          `This version of Escalator cannot read this event (${e.problem}); its details are shown as stored.`,
          e.stored,
        );
      case 'case-opened':
      case 'timetable-shifted':
      case 'step-released':
      case 'extended':
      case 'promise-lapsed':
      case 'meeting-hold-ended':
      case 'confirmation-lapsed':
      case 'not-done':
      case 'auto-reply':
      case 'bulk-mail':
      case 'bounce':
      case 'message-flagged':
      case 'staff-message':
      case 'closed':
      case 'reopened':
      case 'paused':
      case 'resumed':
      case 'command-rejected':
      case 'variant-switched':
      case 'flag-set':
      case 'participant-set':
      case 'child-ref-set':
      case 'category-set':
      case 'due-set':
      case 'mail-failed':
      case 'mail-held-back':
      case 'mail-folded':
      case 'message-not-read':
      case 'promise-beyond-horizon':
      case 'mail-recipients-deferred':
      case 'raw-messages-purged':
        return of('');
      default: {
        const unhandled: never = e;
        throw new Error(`no view for event ${JSON.stringify(unhandled)}`);
      }
    }
  };

  const entries: Array<ChronologyEntry & { t: number; rank: number }> = [];
  let order = 0;
  for (const m of input.messages) {
    const view = messageView(m);
    // A mail stands where it went: when the server accepted it (an approved draft after its APPROVE),
    // not when it was drafted; one never sent stands where it was written.
    const at = m.direction === 'out' && m.sentAt ? m.sentAt : m.at;
    entries.push({
      seq: 0,
      at: stamp(cal, at),
      atIso: at.toISOString(),
      kind: m.direction,
      message: view,
      event: null,
      t: at.getTime(),
      rank: RANK[m.direction] * 1e9 + order++,
    });
  }
  for (const e of [...input.events].sort((a, b) => a.at.getTime() - b.at.getTime() || a.id - b.id)) {
    entries.push({
      seq: 0,
      at: stamp(cal, e.at),
      atIso: e.at.toISOString(),
      kind: 'event',
      message: null,
      event: eventView(e),
      t: e.at.getTime(),
      rank: RANK.event * 1e9 + order++,
    });
  }
  // By time; at the same instant the message that caused something, then what it did, then the mails it wrote.
  entries.sort((a, b) => a.t - b.t || a.rank - b.rank);
  const chronology = entries.map(({ t: _t, rank: _rank, ...rest }, i) => ({ ...rest, seq: i + 1 }));

  const requestInput = input.messages.find((m) => m.direction === 'in' && m.messageId === state.requestMessageId);
  const messages = chronology.filter((c) => c.message).map((c) => c.message!);
  const describeRung = (r: EffectiveRung) => ({
    title: r.title,
    when:
      r.trigger === 'command'
        ? 'only on ESCALATE'
        : `${describeDuration(r.after)} after ${r.from === 'opening' ? 'the opening' : 'the previous step'}${r.when ? ` (only ${r.when.replace(/-/g, ' ')} cases)` : ''}`,
    to: r.to.map(roleLabel).join(', '),
    cc: r.cc.map(roleLabel).join(', '),
    deadline: r.deadline ? describeDuration(r.deadline) : '',
    approval: r.approval,
    policyRef: r.policyRef,
    asks: r.asks,
  });
  const contact = (c: { email: string; name?: string }) => (c.name ? `${c.name} <${c.email}>` : c.email);
  const approvalSteps = state.steps.filter((s): s is Step & { approvalRequestedAt: string } => !!s.approvalRequestedAt);

  return {
    title: `Evidence pack — ${state.ref}`,
    generatedAt: stamp(cal, ctx.now),
    generatedBy: input.generatedBy,
    org: { name: input.org.name, mailbox: input.org.mailbox, nation: NATION_LABEL[cal.nation], timezone: cal.timezone },
    case: {
      ref: state.ref,
      subject: state.subject,
      childRef: state.childRef ?? '',
      category: state.category ?? '',
      status: state.status,
      variant: state.variant === 'standard' ? 'standard' : (def.variants[state.variant]?.label ?? state.variant),
      opened: stamp(cal, new Date(state.openedAt)),
      resolved: state.resolvedAt ? stamp(cal, new Date(state.resolvedAt)) : '',
      closed: state.closedAt ? stamp(cal, new Date(state.closedAt)) : '',
      originator: contact(state.originator),
      flags: Object.entries(state.flags)
        .filter(([, on]) => on)
        .map(([f]) => f.replace(/-/g, ' '))
        .join(', '),
      participants: state.participants.map((p) => ({
        role: roleLabel(p.role),
        contact: contact(p),
        source: p.source,
        undeliverable: p.undeliverable ? `undeliverable since ${stamp(cal, new Date(p.undeliverable.at))} (${p.undeliverable.reason})` : '',
      })),
    },
    ladder: {
      id: def.id,
      title: def.title,
      summary: def.summary,
      policyTitle: def.policy.title,
      policyFile: def.policy.file,
      citation: def.policy.citation ?? '',
      clock: ladder.clock === 'calendar' ? 'calendar weeks and days' : `${NATION_LABEL[cal.nation]} working days`,
      rungs: ladder.rungs.map(describeRung),
      repeat: ladder.repeat ? `then every ${describeDuration(ladder.repeat.every)}: ${ladder.repeat.title} (${ladder.repeat.policyRef})` : '',
      duties: Object.entries(def.duties).map(([key, text]) => ({ key, text })),
    },
    timetable: timetableRows(state, ctx).map((r) => ({
      n: r.n,
      title: r.title,
      // A closed case's unsent steps never go: say so rather than show a date that will not happen.
      status: isClosed(state) && r.status !== 'sent' && r.status !== 'skipped' && r.status !== 'not-applicable' ? `not sent (case ${state.status})` : r.status,
      when: isClosed(state) && r.status !== 'sent' ? '–' : r.atText,
      to: r.to.map((t) => (t.emails.length ? `${t.label} (${t.emails.join(', ')})` : `${t.label} (no address)`)).join('; '),
      policyRef: r.policyRef,
    })),
    request: requestInput ? messageView(requestInput) : null,
    chronology,
    views: state.views.map((v) => ({ at: stamp(cal, new Date(v.at)), step: stepTitle(v.step), text: v.text, by: v.by })),
    notes: (state.notes ?? []).map((n) => ({ at: stamp(cal, new Date(n.at)), text: n.text, by: n.by })),
    approvals: approvalSteps.map((s) => ({
      rung: stepTitle(s.n),
      requested: stamp(cal, new Date(s.approvalRequestedAt)),
      decision: s.status === 'awaiting-approval' ? 'waiting' : s.status === 'skipped' ? 'skipped' : s.decidedBy ? 'approved' : s.status,
      by: s.decidedBy ?? '',
      at: s.decidedAt ? stamp(cal, new Date(s.decidedAt)) : '',
    })),
    integrity: {
      messages: messages.length,
      hashed: messages.filter((m) => m.sha256).length,
      mismatched: messages.filter((m) => !m.hashOk).length,
      notKept: input.messages.filter((m) => !m.raw).length,
      purged: input.messages.filter((m) => !m.raw && m.purgedAt).length,
      ok: messages.every((m) => m.hashOk),
    },
  };
}
