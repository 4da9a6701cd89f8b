import type { CaseContext } from '../domain/case/case-context.js';
import type { RecordedEvent } from '../domain/case/case-events.js';
import type { CaseState, Step } from '../domain/case/case-state.js';
import { rungOf } from '../domain/case/timetable.js';
import type { EffectiveLadder } from '../domain/ladder/effective-ladder.js';
import { roleLabel } from '../domain/roles.js';
import { policyLine } from '../domain/ladder/local-ladder.js';
import { must } from '../lib/must.js';
import { isViewsDuty } from './case-facts.js';
import { localStamp, type People } from './evidence-people.js';
import { ANSWER_WORDS } from './evidence-words.js';

/** The pack's first page: what an inspector needs before the chronology. */
export interface EvidenceSummary {
  request: { at: string; from: string; to: string; subject: string; excerpt: string; deadline: string; attachments: string; answer: string } | null;
  procedure: string;
  steps: { n: number; title: string; to: string; sent: string; deadline: string; answer: string }[];
  outcome: string;
  approvals: string[];
  views: { at: string; step: string; text: string; by: string }[];
  /** No views recorded: whether the policy asks for them at its steps. */
  viewsAsked: boolean;
}

interface SummaryMessage {
  direction: 'in' | 'out';
  at: Date;
  from: string | null;
  text: string | null;
  attachments: string[];
  subject: string | null;
  to: string[];
  messageId: string;
}

export interface SummaryInput {
  state: CaseState;
  ctx: CaseContext;
  ladder: EffectiveLadder;
  people: People;
  /** A role's label where the organisation is (default: as the policy names it). */
  label?: (role: string) => string;
  events: RecordedEvent[];
  messages: SummaryMessage[];
  request: SummaryMessage | undefined;
}

/** A few lines of what someone wrote: the first words, whitespace folded. */
function excerpt(text: string | null, max = 240): string {
  const flat = (text ?? '').replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max).replace(/\s+\S*$/, '')} …` : flat;
}

export function buildSummary(input: SummaryInput): EvidenceSummary {
  const { state, ctx, ladder, people } = input;
  const label = input.label ?? roleLabel;
  const cal = ctx.calendar;
  const def = ctx.ladder;
  const stamp = (at: Date | string) => localStamp(cal, typeof at === 'string' ? new Date(at) : at);
  const titleOf = (step: Step) => {
    try {
      return rungOf(ladder, step).title;
    } catch {
      return step.rungId;
    }
  };
  const sent = state.steps.filter(hasSentAt).sort((a, b) => a.sentAt.localeCompare(b.sentAt));
  /** The step a reply answers: the last one sent before it came (0: the request itself). */
  const stepAt = (at: Date) => [...sent].reverse().find((s) => new Date(s.sentAt) <= at)?.n ?? 0;

  // Each answer, by the step it answered, in the words the case read it with and a few of the sender's own.
  const answers = new Map<number, string[]>();
  for (const e of input.events) {
    if (e.type !== 'reply-received') continue;
    const n = stepAt(e.at);
    const from = people.of(e.actor);
    const promised = e.detail.class === 'promise' ? state.answers?.find((a) => a.at === e.at.toISOString() && a.promisedFor)?.promisedFor : undefined;
    const reply = input.messages.find(
      (m) => m.direction === 'in' && Math.abs(m.at.getTime() - e.at.getTime()) < 60_000 && (m.from ?? '').toLowerCase().includes(e.actor.toLowerCase()),
    );
    const words = excerpt(reply?.text ?? null, 160);
    const line = `${from} ${ANSWER_WORDS[e.detail.class]}${promised ? ` by ${promised}` : ''} (${stamp(e.at)})${words ? `: “${words}”` : ''}`;
    answers.set(n, [...(answers.get(n) ?? []), line]);
  }
  const answerOf = (n: number) => (answers.get(n) ?? []).join(' ') || 'No reply.';
  const closed = state.status === 'resolved' || state.status === 'closed';

  const steps = state.steps.map((step) => {
    const rung = (() => {
      try {
        return rungOf(ladder, step);
      } catch {
        return undefined;
      }
    })();
    const to = step.sentTo?.length
      ? people.list(step.sentTo)
      : (rung?.to ?? [])
          .map((role) => {
            const p = state.participants.find((x) => x.role === role && !x.undeliverable);
            return p ? people.of(p.email) : `the ${label(role).replace(/^the /, '')} (no address)`;
          })
          .join('; ');
    let when: string;
    if (step.status === 'sent') when = `Sent ${stamp(must(step.sentAt, `the time step ${step.n} was sent`))}`;
    else if (step.status === 'skipped') when = `Skipped${step.decidedBy ? ` by ${people.actor(step.decidedBy)}` : ''}`;
    else if (step.status === 'not-applicable') when = `Did not apply (only in ${rung?.when?.replace(/-/g, ' ') ?? 'some'} cases)`;
    else if (closed) when = `Not needed: the case was ${state.status} first`;
    else if (step.status === 'held') when = 'Waiting for an address';
    else if (step.status === 'awaiting-approval') when = 'Drafted, waiting for approval';
    else if (step.dueAt) when = `Due ${stamp(step.dueAt)}`;
    else when = 'Only if the manager asks for it (ESCALATE)';
    return {
      n: step.n,
      title: titleOf(step),
      to,
      sent: when,
      deadline: step.status === 'sent' && step.deadlineAt ? stamp(step.deadlineAt) : '',
      answer: step.status === 'sent' ? answerOf(step.n) : '',
    };
  });

  const request = input.request
    ? {
        at: stamp(input.request.at),
        from: people.of(input.request.from ?? state.originator.email, state.originator.name),
        to: people.list(input.request.to),
        subject: input.request.subject ?? state.subject,
        excerpt: excerpt(input.request.text, 280),
        deadline: state.requestDeadlineAt ? stamp(state.requestDeadlineAt) : '',
        attachments: input.request.attachments.join(', '),
        answer: answerOf(0),
      }
    : null;

  const last = <T extends RecordedEvent['type']>(type: T) => [...input.events].reverse().find((e): e is Extract<RecordedEvent, { type: T }> => e.type === type);
  let outcome: string;
  const chasers = `${sent.length} ${sent.length === 1 ? 'step was' : 'steps were'} sent`;
  if (state.status === 'resolved') {
    const r = last('resolved');
    const how = !r
      ? ''
      : r.detail.by === 'command'
        ? `, confirmed by ${people.actor(r.actor)}`
        : r.detail.by === 'silence'
          ? `: nobody answered the confirmation asked for on ${stamp(r.detail.since)}, so the documents sent (${r.detail.documents.join(', ')}) settled it`
          : ' on the reply (this procedure resolves on a reply alone)';
    const done = [...input.events].reverse().find((e) => e.type === 'reply-received' && e.detail.class === 'resolved');
    const settled = done ? ` ${people.of(done.actor)} said it was done on ${stamp(done.at)}.` : '';
    outcome = `Resolved on ${stamp(state.resolvedAt ?? r?.at ?? ctx.now)}${how}; ${chasers}.${settled}`;
  } else if (state.status === 'closed') {
    const c = last('closed');
    outcome = `Closed on ${stamp(state.closedAt ?? c?.at ?? ctx.now)}${c ? (c.detail.by === 'unconfirmed' ? `: ${c.detail.reason}` : ` by ${people.actor(c.actor)}`) : ''}; ${chasers}.`;
  } else if (state.status === 'awaiting-confirmation') {
    outcome = `Still open: a reply read as done is waiting for confirmation${state.confirmation?.until ? ` (by ${stamp(state.confirmation.until)})` : ''}; ${chasers}.`;
  } else if (state.status === 'paused') {
    outcome = `Paused${state.pause ? ` until ${stamp(state.pause.until)}` : ''}; ${chasers}.`;
  } else {
    const next = steps.find((s) => s.sent.startsWith('Due'));
    outcome = `Still open; ${chasers}${next ? `. Next: step ${next.n} (${next.title}), ${next.sent.replace(/^Due/, 'due')}` : ''}.`;
  }

  const approvals = state.steps
    .flatMap((s) => (s.approvalRequestedAt ? [{ ...s, approvalRequestedAt: s.approvalRequestedAt }] : []))
    .map((s) => {
      const decided =
        s.status === 'awaiting-approval'
          ? 'waiting for a decision'
          : s.decidedBy
            ? `${s.status === 'skipped' ? 'skipped' : 'approved'} by ${people.actor(s.decidedBy)}${s.decidedAt ? ` on ${stamp(s.decidedAt)}` : ''}`
            : s.status;
      return `Step ${s.n} (${titleOf(s)}): asked for on ${stamp(s.approvalRequestedAt)}; ${decided}${s.status === 'sent' && s.sentAt ? `; sent ${stamp(s.sentAt)}` : ''}.`;
    });

  const viewsAsked = ladder.rungs.some((r) => r.duties.some((d) => isViewsDuty(d, def.duties[d])));
  const stepTitle = (n: number) => {
    const step = state.steps.find((s) => s.n === n);
    return step ? `${n}. ${titleOf(step)}` : 'before the first step';
  };
  return {
    request,
    procedure: `${def.title}, following the ${policyLine(def, { nation: cal.nation, country: ctx.org.country })}.`,
    steps,
    outcome,
    approvals,
    views: state.views.map((v) => ({ at: stamp(v.at), step: stepTitle(v.step), text: v.text, by: people.actor(v.by) })),
    viewsAsked,
  };
}

function hasSentAt(step: Step): step is Step & { sentAt: string } {
  return !!step.sentAt;
}
