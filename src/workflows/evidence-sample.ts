/**
 * A realistic, entirely fictional six-working-day case with every message and event it would have
 * stored, built by running the real (pure) case machine and rendering each mail with the real
 * templates: what `npm run screenshots` prints as the evidence pack, and what the page-count test
 * prints with real Chromium. No database, no mail.
 *
 * The case: a practitioner disagrees with a case direction (practice-disagreement ladder). The team
 * manager is asked on Monday, the service manager on Tuesday, the head of service on Wednesday, the
 * Deputy Director on Thursday; the RM asks for the Director on Friday, approves the draft an hour
 * later, and the Director's reply on the next Monday resolves it.
 */
import { ladderFor, advanceCase } from '../domain/case/advance.js';
import { applyCommands } from '../domain/case/apply-commands.js';
import { applyRecipientReply, type RecipientReplyInput } from '../domain/case/apply-reply.js';
import type { CaseContext } from '../domain/case/case-context.js';
import { readCaseEvent } from '../domain/case/case-events.js';
import type { CaseState, Contact } from '../domain/case/case-state.js';
import type { Decision, MailIntent } from '../domain/case/decision.js';
import { openCase } from '../domain/case/open-case.js';
import { rungOf } from '../domain/case/timetable.js';
import type { Command } from '../domain/commands/command.js';
import { EMPTY_DIRECTORY } from '../domain/directory.js';
import type { LadderDefinition } from '../domain/ladder/ladder-schema.js';
import type { TemplateStore } from '../lib/template-store.js';
import { buildMailContext } from '../outbound/render/mail-context.js';
import { renderMail, templateNameFor } from '../outbound/render/render-mail.js';
import { sampleCalendar, sampleOrgFor } from '../outbound/render/sample-case.js';
import type { EvidenceEventInput, EvidenceInput, EvidenceMessageInput } from '../reports/evidence-pack.js';
import { sha256Hex } from '../reports/evidence-pack.js';
import { must } from '../lib/must.js';

const PEOPLE = {
  practitioner: { name: 'Dev Mistry', email: 'dev.mistry@northshire.example' },
  'team-manager': { name: 'Jo Bennett', email: 'jo.bennett@northshire.example' },
  'service-manager': { name: 'Ben Taylor', email: 'ben.taylor@northshire.example' },
  'head-of-service': { name: 'Sarah Lund', email: 'sarah.lund@northshire.example' },
  'deputy-director': { name: 'Imran Qureshi', email: 'imran.qureshi@northshire.example' },
  director: { name: 'Claire Dunn', email: 'claire.dunn@northshire.example' },
  psw: { name: 'Ruth Okafor', email: 'ruth.okafor@northshire.example' },
} satisfies Record<string, Contact>;

const REQUEST_TEXT = `Dear Jo,

I disagree with the decision at Tuesday's case direction meeting to step EF-9012's case down to early help. The school reported two further incidents last week and the health visitor has not seen the baby since October. I would like to meet to discuss this within one working day, as our procedure says.

Kind regards
Dev Mistry
Social worker, Northshire Children's Services`;

const fmt = (c: Contact) => (c.name ? `${c.name} <${c.email}>` : c.email);

/** Builds the case, its events and its stored messages. */
export function sampleEvidence(ladder: LadderDefinition, store: TemplateStore, opts: { start?: Date } = {}): EvidenceInput {
  if (ladder.id !== 'practice-disagreement') throw new Error('the evidence sample walks the practice-disagreement ladder');
  const cal = sampleCalendar();
  const org = sampleOrgFor(ladder.id);
  const ctxAt = (now: Date): CaseContext => ({
    now,
    ladder,
    calendar: cal,
    org: {
      id: org.id,
      name: org.name,
      manager: org.manager,
      ...(org.managerRole ? { managerRole: org.managerRole } : {}),
      ...(org.phone ? { phone: org.phone } : {}),
    },
    directory: EMPTY_DIRECTORY,
  });
  const events: EvidenceEventInput[] = [];
  const messages: EvidenceMessageInput[] = [];
  let state: CaseState;
  let eventId = 0;
  let n = 0;
  const start = opts.start ?? new Date('2026-11-30T10:12:00Z');

  const inbound = (at: Date, from: Contact, to: Contact[], subject: string, text: string, label: string, attachments: string[] = []): string => {
    const messageId = `<in-${++n}@northshire.example>`;
    const raw = Buffer.from(`From: ${fmt(from)}\r\nTo: ${to.map(fmt).join(', ')}\r\nSubject: ${subject}\r\nMessage-ID: ${messageId}\r\n\r\n${text}\r\n`);
    messages.push({
      direction: 'in',
      messageId,
      at,
      sentAt: new Date(at.getTime() - 40_000),
      from: fmt(from),
      to: to.map(fmt),
      cc: [org.mailbox],
      subject,
      text,
      attachments,
      raw,
      storedSha256: sha256Hex(raw),
      size: raw.length,
      label,
      status: 'processed',
    });
    return messageId;
  };

  const outbound = (d: Decision, now: Date) => {
    for (const e of d.events) {
      const body = readCaseEvent(e.type, (e as { detail?: unknown }).detail);
      events.push({ ...body, id: ++eventId, at: new Date(e.at), actor: e.actor, cause: null });
    }
    const ctx = ctxAt(now);
    for (const intent of d.mails) writeMail(intent, d.state, ctx, now);
    for (const action of d.drafts) {
      if (action.kind !== 'release') continue;
      const draft = messages.find(
        (m) => m.direction === 'out' && m.status === 'held' && m.label === 'chaser' && m.messageId.startsWith(`<out-s${action.step}-chaser-`),
      );
      if (draft) {
        draft.status = 'sent';
        // The server accepted it a few seconds after the release.
        draft.sentAt = new Date(now.getTime() + 4_000);
      }
    }
    state = d.state;
  };

  const writeMail = (intent: MailIntent, s: CaseState, ctx: CaseContext, now: Date) => {
    const rung =
      intent.kind === 'chaser' && intent.step
        ? rungOf(
            ladderFor(s, ctx),
            must(
              s.steps.find((x) => x.n === intent.step),
              `step ${intent.step}`,
            ),
          )
        : undefined;
    const rendered = renderMail(store, templateNameFor(intent, rung?.template), buildMailContext(s, intent, ctx, org.mailbox));
    const messageId = `<out-${intent.key}-${++n}@${org.mailbox.split('@')[1]}>`;
    if (intent.replacesDraft) {
      const held = messages.find((m) => m.direction === 'out' && m.status === 'held' && m.messageId.startsWith(`<out-${intent.key}-`));
      if (held) {
        held.text = rendered.text;
        held.raw = Buffer.from(`Subject: ${rendered.subject}\r\n\r\n${rendered.text}`);
        held.size = held.raw.length;
        return;
      }
    }
    const raw = Buffer.from(`Subject: ${rendered.subject}\r\n\r\n${rendered.text}`);
    messages.push({
      direction: 'out',
      messageId,
      at: now,
      sentAt: intent.held ? null : new Date(now.getTime() + (intent.timing === 'now' ? 3_000 : 5_000)),
      from: `${org.mailboxName} <${org.mailbox}>`,
      to: intent.to.map(fmt),
      cc: intent.cc.map(fmt),
      subject: rendered.subject,
      text: rendered.text,
      attachments: [],
      raw,
      storedSha256: null,
      size: raw.length,
      label: intent.kind,
      status: intent.held ? 'held' : 'sent',
    });
  };

  const command = (at: Date, commands: Command[], text: string) => {
    const key = `c${++n}`;
    const id = inbound(at, org.manager, [{ email: org.mailbox }], `Re: ${subject} [ESC-2026-0042]`, text, 'command');
    const d = applyCommands(
      state,
      { from: org.manager, lines: commands.map((c) => ({ line: c.kind.toUpperCase(), command: c })), errors: [], messageKey: key },
      ctxAt(at),
    );
    outbound(d, at);
    return id;
  };

  const reply = (at: Date, role: keyof typeof PEOPLE, text: string, classification: RecipientReplyInput['classification']) => {
    const from = PEOPLE[role];
    inbound(at, from, [{ email: PEOPLE.practitioner.email }], `Re: ${subject} [ESC-2026-0042]`, text, 'reply');
    outbound(applyRecipientReply(state, { from, role, classification, messageKey: `r${++n}`, newText: text }, ctxAt(at)), at);
  };

  const advanceAt = (at: Date) => {
    outbound(advanceCase(state, ctxAt(at)), at);
  };
  const dueAt = () => new Date(must(state.nextActionAt, 'a next action'));

  const subject = 'Case direction for EF-9012: proposed step-down to early help';
  const requestId = inbound(start, PEOPLE.practitioner, [PEOPLE['team-manager']], `${subject} [escalate]`, REQUEST_TEXT, 'new-case');
  const participants = (['team-manager', 'service-manager', 'head-of-service', 'deputy-director', 'director', 'psw'] as const).map((role) => ({
    role,
    ...PEOPLE[role],
    source: role === 'team-manager' ? ('request' as const) : ('directive' as const),
  }));
  const opening = openCase(
    {
      id: 'sample-evidence-case',
      ref: 'ESC-2026-0042',
      token: 'sampleevidencetoken',
      orgId: org.id,
      ladderId: ladder.id,
      variant: 'standard',
      openedAt: start,
      subject: `${subject} [escalate]`,
      requestMessageId: requestId,
      threadIds: [requestId],
      originator: PEOPLE.practitioner,
      participants,
      childRef: 'EF-9012',
      category: 'Case direction',
      flags: {},
      warnings: [],
      messageRef: 'sample-request',
    },
    ctxAt(start),
  );
  state = opening.state;
  outbound(opening, start);

  // Tuesday: nothing from the team manager; the service manager is asked.
  advanceAt(dueAt());
  // Tuesday afternoon: the service manager cannot meet this week.
  const tue = dueAt();
  reply(
    new Date(tue.getTime() - 2 * 3600_000),
    'service-manager',
    'Thank you. I am on leave from tomorrow until the 9th and cannot meet before then. Please go to the head of service if it cannot wait.',
    { class: 'other' },
  );
  // Wednesday: the head of service is asked; the RM notes a phone call.
  advanceAt(dueAt());
  command(
    new Date(dueAt().getTime() - 3 * 3600_000),
    [{ kind: 'note', text: 'Dev spoke to the head of service’s PA, who said she would reply today.' }],
    'NOTE: Dev spoke to the head of service’s PA, who said she would reply today.',
  );
  // Thursday: the Deputy Director is asked; the RM asks for the Director the next morning.
  advanceAt(dueAt());
  const fri = cal.nextDayOpening(
    new Date(
      must(
        must(
          state.steps.find((s) => s.rungId === 'deputy-director'),
          'the deputy-director step',
        ).sentAt,
        'the deputy-director step sent',
      ),
    ),
  );
  command(
    new Date(fri.getTime() + 30 * 60_000),
    [{ kind: 'escalate' }],
    'ESCALATE\n\nNo meeting has been offered at any level and the step-down takes effect on Monday.',
  );
  // An hour later the RM approves the Director's draft.
  command(new Date(fri.getTime() + 90 * 60_000), [{ kind: 'approve' }], 'APPROVE');
  // Monday: the Director replies; the RM confirms it is resolved.
  const mon = cal.nextDayOpening(fri);
  reply(
    new Date(mon.getTime() + 45 * 60_000),
    'director',
    'I have reviewed the case. The step-down is paused and the case stays with the safeguarding team until a strategy discussion on Wednesday. I have asked the head of service to confirm this with the team today.',
    { class: 'resolved', evidence: 'step-down is paused' },
  );
  if (state.status === 'awaiting-confirmation') command(new Date(mon.getTime() + 2 * 3600_000), [{ kind: 'resolved' }], 'RESOLVED');

  const end = new Date(mon.getTime() + 3 * 3600_000);
  return {
    state,
    ctx: ctxAt(end),
    org: { name: org.name, mailbox: org.mailbox },
    events,
    messages,
    generatedBy: 'cli:alex.morgan',
  };
}
