import { createHash } from 'node:crypto';
import { describeDuration } from '../domain/calendar/duration.js';
import { NATION_LABEL } from '../domain/calendar/nation.js';
import type { CaseContext } from '../domain/case/case-context.js';
import type { RecordedEvent } from '../domain/case/case-events.js';
import { isClosed, type CaseState, type Step } from '../domain/case/case-state.js';
import { timetableRows } from '../domain/case/timetable-view.js';
import { rungOf } from '../domain/case/timetable.js';
import { effectiveLadder, type EffectiveRung } from '../domain/ladder/effective-ladder.js';
import { localLadder, localPolicy, localRoleLabel } from '../domain/ladder/local-ladder.js';
import { partnerLadder, partnerLine } from '../domain/ladder/partner-ladder.js';
import { casePartner } from '../domain/case/role-resolution.js';
import { hasPanelForm, PANEL_DATE_FIELDS, PANEL_DATE_LABEL, type PanelForm } from '../domain/case/panel-form.js';
import { localIso, localStamp, People } from './evidence-people.js';
import { buildSummary, type EvidenceSummary } from './evidence-summary.js';
import { ANSWER_WORDS, EVENT_LABELS, messageWords, printedInFull } from './evidence-words.js';

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
  /** The same people by name and role, as the pack prints them. */
  fromText: string;
  toText: string;
  /** The same by name and role only: the one-line notices' header. */
  toNames: string;
  ccText: string;
  /** What it is, in words: "Chaser", "Reply", "Notice: step sent" … */
  what: string;
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
  /**
   * Its text printed in the pack: what people sent and what was asked of them (the chasers). The
   * service's notices to the people running the case stand as one line; their stored copy and its
   * SHA-256 are the record of what they said.
   */
  inline: boolean;
}

export interface EventView {
  type: string;
  label: string;
  /** Who did it, by name and role ("Rachel Stone (Registered Manager)", "the escalation service"). */
  actor: string;
  /** The stored cause (a message row, `cli:<user>` …): kept on the model, not printed. */
  cause: string;
  summary: string;
  /** Only for a record this version cannot read: its fields as stored. */
  details: { key: string; value: string }[];
}

export interface ChronologyEntry {
  seq: number;
  at: string;
  atIso: string;
  /** For `<time datetime>`: local time with its offset. */
  datetime: string;
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
    participants: { role: string; contact: string; source: string; undeliverable: string }[];
  };
  ladder: {
    id: string;
    title: string;
    summary: string;
    policyTitle: string;
    policyFile: string;
    citation: string;
    clock: string;
    rungs: { title: string; when: string; to: string; cc: string; deadline: string; approval: boolean; policyRef: string; asks: string }[];
    repeat: string;
    duties: { key: string; text: string }[];
  };
  timetable: { n: number; title: string; status: string; when: string; to: string; policyRef: string }[];
  /** The first page: the request, the steps and their answers, the outcome, approvals and views. */
  summary: EvidenceSummary;
  request: MessageView | null;
  chronology: ChronologyEntry[];
  views: { at: string; step: string; text: string; by: string }[];
  notes: { at: string; text: string; by: string }[];
  /** The fostering panel escalation form's fields as recorded (null when the case has none). */
  panelForm: PanelFormView | null;
  approvals: { rung: string; requested: string; decision: string; by: string; at: string }[];
  integrity: { messages: number; hashed: number; mismatched: number; notKept: number; purged: number; ok: boolean };
}

/** The panel form as printed: section A's and D's dates in the form's order, section C's actions, step 6's further form. */
export interface PanelFormView {
  dates: { label: string; value: string }[];
  actions: { action: string; who: string; by: string }[];
  remaining: { at: string; by: string; text: string } | null;
}

function panelFieldWords(field: string): string {
  if (field === 'panel-action') return 'A section C action (who, by when) was recorded';
  if (field === 'remaining-concerns') return 'The further form (step 6) was recorded: the aspects that still concern the ADM or panel chair';
  const label = (PANEL_DATE_LABEL as Record<string, string>)[field];
  return label ? `${label} recorded` : 'A line of the panel form was recorded';
}

/** Local dates of the form as people read them ("Monday 7 December 2026"). */
export function panelFormView(form: PanelForm | undefined, cal: CaseContext['calendar'], actor: (by: string) => string): PanelFormView | null {
  if (!hasPanelForm(form)) return null;
  const day = (d: string) => cal.formatDate(cal.openingOf(d));
  return {
    dates: PANEL_DATE_FIELDS.flatMap((f) => {
      const v = form.dates[f];
      return v ? [{ label: PANEL_DATE_LABEL[f], value: day(v) }] : [];
    }),
    actions: form.actions.map((a) => ({ action: a.action, who: a.who, by: a.by ? day(a.by) : (a.byText ?? '') })),
    remaining: form.remainingConcerns
      ? { at: localStamp(cal, new Date(form.remainingConcerns.at)), by: actor(form.remainingConcerns.by), text: form.remainingConcerns.text }
      : null,
  };
}

export function sha256Hex(raw: Buffer): string {
  return createHash('sha256').update(raw).digest('hex');
}

/** A stored record this version cannot read: each field as stored (empty values left out). */
function detailLines(detail: unknown): { key: string; value: string }[] {
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

/** Inbound routes shown as a header line only: from strangers (flagged), or not read (over a limit). */
const BRIEF_LABELS: ReadonlySet<string> = new Set(['flagged', 'not-read']);

const RANK: Record<ChronologyEntry['kind'], number> = { in: 0, event: 1, out: 2 };

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const upper = (words: readonly string[]) => words.map((c) => c.toUpperCase()).join(', ');

/**
 * The evidence pack's content, from the case's stored state, events and messages. Pure: hashes
 * are computed from the raw bytes given, so the pack states what is actually stored.
 */
export function buildEvidencePack(input: EvidenceInput): EvidenceModel {
  const { state } = input;
  // Rung titles, role labels and the policy line as the organisation's country names them.
  const where = { nation: input.ctx.calendar.nation, country: input.ctx.org.country };
  // A partner agency's own roles (an NHS trust's designated nurse) where the council's would be.
  const agency = casePartner(state, input.ctx);
  const ctx: CaseContext = { ...input.ctx, ladder: partnerLadder(localLadder(input.ctx.ladder, where), agency) };
  const local = localPolicy(ctx.ladder, where);
  const cal = ctx.calendar;
  const def = ctx.ladder;
  const ladder = effectiveLadder(def, state.variant);
  const label = (role: string) => localRoleLabel(def, where, role);
  const people = new People(state, ctx, input.org.mailbox, label);
  const stamp = (at: Date | string) => localStamp(cal, typeof at === 'string' ? new Date(at) : at);
  const stepTitle = (n: number): string => {
    const step = state.steps.find((s) => s.n === n);
    if (!step) return n === 0 ? 'before the first step' : `step ${n}`;
    try {
      return `${step.n}. ${rungOf(ladder, step).title}`;
    } catch {
      return `${step.n}. ${step.rungId}`;
    }
  };
  /** "step 4 (Meeting request to the Director)": a step in a sentence. */
  const stepRef = (n: number, capital = false): string => {
    const title = stepTitle(n).replace(/^\d+\. /, '');
    const text = title === `step ${n}` || n === 0 ? title : `step ${n} (${title})`;
    return capital ? text.charAt(0).toUpperCase() + text.slice(1) : text;
  };
  const roleWords = (role: string) => label(role).replace(/^the /, '');

  const messageView = (m: EvidenceMessageInput): MessageView => {
    const brief = m.direction === 'in' && BRIEF_LABELS.has(m.label);
    const digest = m.raw ? sha256Hex(m.raw) : (m.storedSha256 ?? '');
    let hashNote = 'SHA-256 of the stored message';
    let hashOk = true;
    if (!m.raw && m.purgedAt) {
      hashNote = `the stored copy was purged under the retention policy on ${stamp(m.purgedAt)}: SHA-256 recorded before it was purged`;
    } else if (!m.raw) {
      hashNote = m.storedSha256 ? 'not kept in full (over the size limit): SHA-256 recorded on receipt' : 'not kept';
    } else if (m.storedSha256 && m.storedSha256 !== digest) {
      hashNote = `DOES NOT MATCH the SHA-256 recorded on receipt (${m.storedSha256})`;
      hashOk = false;
    } else if (m.storedSha256) {
      hashNote = 'matches the SHA-256 recorded on receipt';
    }
    return {
      direction: m.direction,
      directionLabel: m.direction === 'in' ? 'Received' : 'Sent',
      messageId: m.messageId,
      at: stamp(m.at),
      atIso: m.at.toISOString(),
      sentAt: m.sentAt ? stamp(m.sentAt) : m.direction === 'out' ? `not sent (${m.status})` : '',
      from: m.from ?? '',
      to: m.to.join(', '),
      cc: m.cc.join(', '),
      fromText: m.from ? people.withAddress(m.from) : 'unknown sender',
      toText: people.addresses(m.to),
      toNames: people.list(m.to),
      // The inbox copied on a mail to itself is said once.
      ccText: people.addresses(m.cc.filter((c) => !m.to.includes(c))),
      what: messageWords(m.direction, m.label),
      subject: brief && (m.subject ?? '').length > 200 ? `${(m.subject ?? '').slice(0, 200)}…` : (m.subject ?? ''),
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
      inline: !brief && printedInFull(m.direction, m.label),
    };
  };

  const eventView = (e: EvidenceEventInput): EventView => {
    // The web view records its door as the cause (`web:<user>`): an operator there is named as such.
    const operatorBy = e.type === 'commands-applied' ? e.detail.by : undefined;
    const by = operatorBy
      ? `${operatorBy} (operator${e.actor.startsWith('cli:') ? ', at the command line' : ''})`
      : `${people.actor(e.actor)}${e.cause?.startsWith('web:') ? ' in the web view' : ''}`;
    const view = (type: string, label: string, summary: string, details: { key: string; value: string }[] = []): EventView => ({
      type,
      label,
      actor: by,
      cause: e.cause ?? '',
      summary,
      details,
    });
    if (e.type === 'unreadable') {
      // Stored by another version, or damaged: shown as it was stored, never interpreted.
      return view(
        e.storedType,
        `Unreadable record (${e.storedType})`,
        `This version of Escalator cannot read this event (${e.problem}); its details are shown as stored.`,
        detailLines(e.stored),
      );
    }
    const of = (summary: string): EventView => {
      const text = summary.charAt(0).toUpperCase() + summary.slice(1);
      return view(e.type, EVENT_LABELS[e.type], text);
    };
    switch (e.type) {
      case 'case-opened':
        return of(`Procedure: ${def.title}${e.detail.senderUnverified ? '; the sender could not be verified, so nothing goes out until they confirm' : ''}.`);
      case 'step-sent':
        return of(
          `${stepRef(e.detail.step, true)}, to ${people.list(e.detail.to) || 'nobody'}${e.detail.cc.length ? `, copied to ${people.list(e.detail.cc)}` : ''}${e.detail.deadlineAt ? `; reply asked for by ${stamp(e.detail.deadlineAt)}` : ''}.`,
        );
      case 'approval-requested':
        return of(`${stepRef(e.detail.step, true)} was drafted, to go to ${people.list(e.detail.to)}; nothing goes until it is approved.`);
      case 'approval-reminded':
        return of(`Reminder ${e.detail.reminder} about ${stepRef(e.detail.step)}.`);
      case 'approved':
        return of(`${stepRef(e.detail.step, true)}: approved.`);
      case 'skipped':
        return of(`${stepRef(e.detail.step, true)}: skipped, so it was not sent.`);
      case 'step-held':
        return of(`${stepRef(e.detail.step, true)} waits: no address for the ${e.detail.missingRoles.map(roleWords).join(', ')}.`);
      case 'step-not-applicable':
        return of(`${stepRef(e.detail.step, true)} applies only to ${e.detail.when.replace(/-/g, ' ')} cases.`);
      case 'step-released':
        return of(`${stepRef(e.detail.step, true)} went as approved.`);
      case 'escalated':
        return of(`Asked to go to ${stepRef(e.detail.step)} now.`);
      // The texts live on the case (purged with it), not in the events.
      case 'views-recorded':
        return of(`At ${stepRef(e.detail.step)}${e.detail.text ? `: ${e.detail.text}` : ' (see the first page)'}`);
      case 'note-added':
        return of(e.detail.text ?? (e.detail.index !== undefined ? (state.notes?.[e.detail.index]?.text ?? '') : ''));
      case 'promise-recorded':
        return of(
          `Promised by ${e.detail.promisedFor}; ${e.detail.holdUntil ? `nothing escalates before ${stamp(e.detail.holdUntil)}` : 'the next step comes before that anyway'}.`,
        );
      case 'promise-beyond-horizon':
        return of(`Promised by ${e.detail.promisedFor}, after ${stamp(e.detail.horizon)}: it does not hold the next step, and the manager was asked.`);
      case 'promise-after-due':
        return of(
          `Promised by ${e.detail.promisedFor}, on or after ${e.detail.due}, the date it is needed by: it does not hold the steps, which are all taken before then.`,
        );
      case 'promise-lapsed':
        return of(`The promise for ${e.detail.promisedFor} was not kept.`);
      case 'meeting-date-noted':
        return of(`A meeting on ${e.detail.meetingOn}${e.detail.holdUntil ? `; nothing escalates before ${stamp(e.detail.holdUntil)}` : ''}.`);
      case 'meeting-hold-ended':
        return of(`The meeting on ${e.detail.meetingOn} has passed.`);
      case 'reply-received':
        return of(`${people.of(e.actor)} ${ANSWER_WORDS[e.detail.class]}.`);
      case 'reply-noted':
        return of(`${people.of(e.actor)} ${ANSWER_WORDS[e.detail.class]}; it changed nothing (${e.detail.reason}).`);
      case 'commands-applied':
        // An operator's action names them (the actor) and the reason they gave.
        return of(
          `${e.detail.done.join('; ')}${e.detail.reason ? `${/[.!?]$/.test(e.detail.done.at(-1) ?? '') ? '' : '.'} Reason given: ${e.detail.reason}` : ''}`,
        );
      case 'command-rejected':
        return of(e.detail.problems.join('; '));
      case 'confirmation-requested':
        return of(`${upper(e.detail.commands)} waits until the sender confirms it (${e.detail.reason}).`);
      case 'sender-confirmed':
        return of(e.detail.what === 'opening' ? 'The sender confirmed the request.' : `The sender confirmed ${upper(e.detail.commands)}.`);
      case 'awaiting-confirmation':
        return of(
          e.detail.until
            ? `${e.detail.reason === 'secure-message' ? 'A secure-mail notice came' : 'A reply read as done came'}; ${people.list(e.detail.confirmers)} asked to confirm it by ${stamp(e.detail.until)}, or ${e.detail.onSilence === 'resolve' ? `the case resolves on the documents sent (${valueText(e.detail.documents)})` : 'the escalation goes on'}.`
            : `${people.list(e.detail.confirmers)} asked to confirm it.`,
        );
      case 'confirmation-reminded':
        return of(`${people.list(e.detail.to)} reminded to decide by ${stamp(e.detail.until)}.`);
      case 'confirmation-lapsed':
        return of(`Nobody confirmed the ${e.detail.reason === 'secure-message' ? 'secure-mail notice' : 'reply'} of ${stamp(e.detail.since)}.`);
      case 'not-done':
        return of('The response was not enough.');
      case 'resolved':
        // Who confirmed: a command names its sender (the actor); silence names what it relied on.
        if (e.detail.by === 'silence')
          return of(
            `Nobody answered the confirmation asked for on ${stamp(e.detail.since)}; resolved on the documents sent: ${valueText(e.detail.documents)}.`,
          );
        return of(e.detail.by === 'command' ? 'Confirmed as resolved.' : 'By the reply (this procedure resolves on a reply alone).');
      case 'closed':
        return of(e.detail.by === 'unconfirmed' ? `Closed without being confirmed: ${e.detail.reason}.` : '');
      case 'reopened':
        return of('');
      case 'paused':
        return of(`Until ${stamp(e.detail.until)}.`);
      case 'resumed':
        return of(e.detail.reason === 'command' ? '' : `The pause from ${stamp(e.detail.pausedFrom)} ended.`);
      case 'extended':
        return of(`The next step moved back by ${e.detail.by}.`);
      case 'variant-switched': {
        const label = (v: typeof e.detail.to) => (v === 'standard' ? 'standard' : (def.variants[v]?.label ?? v));
        return of(`From the ${label(e.detail.from)} timescales to the ${label(e.detail.to)} ones.`);
      }
      case 'flag-set':
        return of(`${e.detail.flag.replace(/-/g, ' ')}${e.detail.value === false ? ' taken off' : ''}.`);
      case 'participant-set':
        return of(`${roleWords(e.detail.role)}: ${people.of(e.detail.email)}.`);
      case 'child-ref-set':
        return of('The child’s reference was given.');
      case 'category-set':
        return of(e.detail.category);
      case 'due-set':
        return of(`Needed by ${e.detail.due}.`);
      case 'panel-form-set':
        return of(`${panelFieldWords(e.detail.field)}.`);
      case 'timetable-shifted':
        return of(`${e.detail.reason}.`);
      case 'timetable-moved': {
        const because = e.detail.because.join('; ');
        const moved = e.detail.steps.map((s) => `${stepRef(s.n)} from ${stamp(s.from)} to ${stamp(s.to)}`).join('; ');
        return of(`${moved}${because ? ` (${because})` : ''}.`);
      }
      case 'auto-reply':
      case 'bulk-mail':
        return of(e.detail.returnDate ? `Away until ${e.detail.returnDate}.` : '');
      case 'bounce':
        return of(
          e.detail.recipients
            .map((r) => `${people.of(r.address)}${r.permanent === false ? ' (temporarily)' : ''}${r.diagnostic ? `: ${r.diagnostic}` : ''}`)
            .join('; '),
        );
      case 'message-flagged':
        return of(e.detail.reason);
      case 'message-not-read':
        return of(`${(e.detail.size / (1024 * 1024)).toFixed(1)} MB: ${e.detail.reason}.`);
      case 'staff-message':
        return of('');
      case 'mail-failed':
        return of(`${messageWords('out', e.detail.kind)}: ${e.detail.reason}.`);
      case 'mail-held-back':
        return of(
          `${messageWords('out', e.detail.kind)} to ${people.list(e.detail.recipients)} ${e.detail.action === 'deferred' && e.detail.until ? `held until ${stamp(e.detail.until)}` : 'not sent'}: ${e.detail.reason}.`,
        );
      case 'mail-folded':
        return of(`${messageWords('out', e.detail.kind)} went in a summary instead: ${e.detail.reason}.`);
      case 'mail-recipients-deferred':
        return of(`${people.list(e.detail.recipients.map((r) => r.address))} turned away for now; tried again at ${stamp(e.detail.retryAt)}.`);
      case 'raw-messages-purged':
        return of(`${plural(e.detail.messages + e.detail.outbox, 'stored message')} purged under ${e.detail.policy}; their SHA-256 digests stay.`);
      default: {
        const unhandled: never = e;
        throw new Error(`no view for event ${JSON.stringify(unhandled)}`);
      }
    }
  };

  const entries: (ChronologyEntry & { t: number; rank: number })[] = [];
  let order = 0;
  const entryAt = (at: Date) => ({ at: stamp(at), atIso: at.toISOString(), datetime: localIso(cal, at), t: at.getTime() });
  for (const m of input.messages) {
    // A mail stands where it went: when the server accepted it (an approved draft after its APPROVE),
    // not when it was drafted; one never sent stands where it was written.
    const at = m.direction === 'out' && m.sentAt ? m.sentAt : m.at;
    entries.push({ seq: 0, ...entryAt(at), kind: m.direction, message: messageView(m), event: null, rank: RANK[m.direction] * 1e9 + order++ });
  }
  for (const e of [...input.events].sort((a, b) => a.at.getTime() - b.at.getTime() || a.id - b.id)) {
    entries.push({ seq: 0, ...entryAt(e.at), kind: 'event', message: null, event: eventView(e), rank: RANK.event * 1e9 + order++ });
  }
  // By time; at the same instant the message that caused something, then what it did, then the mails it wrote.
  entries.sort((a, b) => a.t - b.t || a.rank - b.rank);
  const chronology = entries.map(({ t, rank, ...rest }, i) => ({ ...rest, seq: i + 1 }));

  const requestInput = input.messages.find((m) => m.direction === 'in' && m.messageId === state.requestMessageId);
  const messages = chronology.flatMap((c) => (c.message ? [c.message] : []));
  const describeRung = (r: EffectiveRung) => ({
    title: r.title,
    when:
      r.trigger === 'command'
        ? 'only on ESCALATE'
        : `${describeDuration(r.after)} after ${r.from === 'opening' ? 'the request' : 'the step before'}${r.when ? ` (only in ${r.when.replace(/-/g, ' ')} cases)` : ''}`,
    to: r.to.map(roleWords).join(', '),
    cc: r.cc.map(roleWords).join(', '),
    deadline: r.deadline ? describeDuration(r.deadline) : '',
    approval: r.approval,
    policyRef: r.policyRef,
    asks: r.asks,
  });
  const approvalSteps = state.steps.filter((s): s is Step & { approvalRequestedAt: string } => !!s.approvalRequestedAt);
  const SOURCE_WORDS: Record<string, string> = {
    request: 'on the request',
    directive: 'named by the manager',
    directory: 'from the directory',
    learned: 'from a reply',
    config: 'from the configuration',
  };

  return {
    title: `Evidence pack — ${state.ref}`,
    generatedAt: stamp(ctx.now),
    generatedBy: people.actor(input.generatedBy),
    org: { name: input.org.name, mailbox: input.org.mailbox, nation: NATION_LABEL[cal.nation], timezone: cal.timezone },
    case: {
      ref: state.ref,
      subject: state.subject,
      childRef: state.childRef ?? '',
      category: state.category ?? '',
      status: state.status.replace(/-/g, ' '),
      variant: state.variant === 'standard' ? 'standard' : (def.variants[state.variant]?.label ?? state.variant),
      opened: stamp(state.openedAt),
      resolved: state.resolvedAt ? stamp(state.resolvedAt) : '',
      closed: state.closedAt ? stamp(state.closedAt) : '',
      originator: state.originator.name ? `${state.originator.name} <${state.originator.email}>` : state.originator.email,
      flags: Object.entries(state.flags)
        .filter(([, on]) => on)
        .map(([f]) => f.replace(/-/g, ' '))
        .join(', '),
      participants: state.participants.map((p) => ({
        role: roleWords(p.role),
        contact: p.name ? `${p.name} <${p.email}>` : p.email,
        source: SOURCE_WORDS[p.source] ?? p.source,
        undeliverable: p.undeliverable ? `mail to this address failed on ${stamp(p.undeliverable.at)} (${p.undeliverable.reason})` : '',
      })),
    },
    ladder: {
      id: def.id,
      title: def.title,
      summary: agency ? `${def.summary} Partner agency: ${partnerLine(agency)}.` : def.summary,
      policyTitle: def.policy.title,
      policyFile: def.policy.file,
      // Outside the policy's own country its framework is cited by title, never the English regulation.
      citation: local.citation
        ? local.own
          ? local.citation
          : `In keeping with ${local.citation}${local.regulator ? ` (regulator: ${local.regulator})` : ''}`
        : '',
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
      to: r.to.map((t) => (t.emails.length ? `${label(t.role)} (${t.emails.join(', ')})` : `${label(t.role)} (no address)`)).join('; '),
      policyRef: r.policyRef,
    })),
    summary: buildSummary({ state, ctx, ladder, people, label, events: input.events, messages: input.messages, request: requestInput }),
    request: requestInput ? messageView(requestInput) : null,
    chronology,
    views: state.views.map((v) => ({ at: stamp(v.at), step: stepTitle(v.step), text: v.text, by: people.actor(v.by) })),
    notes: (state.notes ?? []).map((n) => ({ at: stamp(n.at), text: n.text, by: people.actor(n.by) })),
    panelForm: panelFormView(state.panelForm, cal, (by) => people.actor(by)),
    approvals: approvalSteps.map((s) => ({
      rung: stepTitle(s.n),
      requested: stamp(s.approvalRequestedAt),
      decision: s.status === 'awaiting-approval' ? 'waiting' : s.status === 'skipped' ? 'skipped' : s.decidedBy ? 'approved' : s.status,
      by: s.decidedBy ? people.actor(s.decidedBy) : '',
      at: s.decidedAt ? stamp(s.decidedAt) : '',
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
