import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readCaseEvent } from '../../../src/domain/case/case-events.js';
import { TemplateStore } from '../../../src/lib/template-store.js';
import { buildEvidencePack, type EvidenceEventInput, type EvidenceMessageInput } from '../../../src/reports/evidence-pack.js';
import { renderEvidenceHtml } from '../../../src/reports/render.js';
import { addr } from '../case/case-driver.js';
import { reg5 } from './report-fixtures.js';

const SCRIPT = '<script>alert("x")</script>';
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A reg 5 case walked through three rungs, a promise and a resolution, with a message for each decision. */
function walk() {
  const d = reg5('ESC-2026-0042', '2026-11-23T10:00:00Z', { childRef: 'AB-1234' });
  d.state.subject = `LAC minutes ${SCRIPT} [escalate]`;
  d.at('2026-12-07T10:00:00Z').advance();
  d.at('2026-12-14T10:00:00Z').advance();
  d.at('2026-12-14T11:00:00Z').command({ kind: 'views', text: `Wants to see them ${SCRIPT}` });
  d.at('2026-12-21T10:00:00Z').advance();
  d.at('2026-12-22T10:00:00Z').reply('assistant-director', 'promise', '2027-01-08');
  d.at('2027-01-06T10:00:00Z').reply('professional', 'resolved');
  // The RM confirms it (a reply alone never closes the case).
  d.command({ kind: 'resolved' });
  const events: EvidenceEventInput[] = [];
  const messages: EvidenceMessageInput[] = [];
  const request = Buffer.from(`Subject: LAC minutes ${SCRIPT}\r\n\r\nPlease send the minutes.\r\n`);
  messages.push({
    direction: 'in',
    messageId: '<req@home.example.org>',
    at: new Date('2026-11-23T10:00:00Z'),
    sentAt: new Date('2026-11-23T10:00:00Z'),
    from: 'raiser@home.example.org',
    to: [addr('professional')],
    cc: [],
    subject: `LAC minutes ${SCRIPT}`,
    text: `Please send the minutes. ${SCRIPT}`,
    attachments: [`${SCRIPT}.pdf`],
    raw: request,
    storedSha256: sha(request),
    size: request.length,
    label: 'new-case',
    status: 'processed',
  });
  let id = 0;
  for (const decision of d.decisions) {
    for (const e of decision.events) events.push({ ...e, id: ++id, at: new Date(e.at), cause: null });
    for (const m of decision.mails) {
      const raw = Buffer.from(`Subject: ${m.kind} ${m.key}\r\n\r\n${m.kind}\r\n`);
      const at = new Date(decision.events[0]?.at ?? decision.state.openedAt);
      messages.push({
        direction: 'out',
        messageId: `<${m.key}@home.example.org>`,
        at,
        sentAt: at,
        from: 'escalations@home.example.org',
        to: m.to.map((c) => c.email),
        cc: m.cc.map((c) => c.email),
        subject: `${m.kind} ${m.key}`,
        text: m.kind,
        attachments: [],
        raw,
        storedSha256: null,
        size: raw.length,
        label: m.kind,
        status: 'sent',
      });
    }
  }
  return { d, events, messages };
}

describe('evidence pack', () => {
  const { d, events, messages } = walk();
  const model = buildEvidencePack({
    state: d.state,
    ctx: d.ctx(),
    org: { name: 'Example Home', mailbox: 'escalations@home.example.org' },
    events,
    messages,
    generatedBy: 'cli:test',
  });

  it('lists every message and event once, in time order, causes before effects', () => {
    expect(model.chronology).toHaveLength(events.length + messages.length);
    const times = model.chronology.map((c) => c.atIso);
    expect([...times].sort()).toEqual(times);
    expect(model.chronology[0]!.kind).toBe('in');
    expect(model.chronology[1]!.event?.type).toBe('case-opened');
    expect(model.chronology[2]!.message?.label).toBe('confirmation');
    const types = model.chronology.filter((c) => c.event).map((c) => c.event!.type);
    expect(types).toEqual(events.map((e) => e.type));
    expect(types.filter((t) => t === 'step-sent')).toHaveLength(3);
    expect(types).toContain('promise-recorded');
    // The RM's RESOLVED, then the record of the commands it came in.
    expect(types.slice(-2)).toEqual(['resolved', 'commands-applied']);
    expect(model.chronology.map((c) => c.seq)).toEqual(model.chronology.map((_, i) => i + 1));
  });

  it('states each message’s SHA-256 from its stored bytes, and flags one that no longer matches', () => {
    for (const entry of model.chronology.filter((c) => c.message)) {
      const input = messages.find((m) => m.messageId === entry.message!.messageId)!;
      expect(entry.message!.sha256).toBe(sha(input.raw!));
      expect(entry.message!.hashOk).toBe(true);
    }
    expect(model.integrity).toMatchObject({ messages: messages.length, mismatched: 0, ok: true });
    const tampered = messages.map((m, i) => (i === 0 ? { ...m, storedSha256: '0'.repeat(64) } : m));
    const bad = buildEvidencePack({ state: d.state, ctx: d.ctx(), org: { name: 'x', mailbox: 'y' }, events, messages: tampered, generatedBy: 'x' });
    expect(bad.integrity).toMatchObject({ mismatched: 1, ok: false });
    expect(bad.request!.hashNote).toContain('DOES NOT MATCH');
  });

  it('keeps stating the recorded SHA-256 of a message whose raw copy was purged under the retention policy', () => {
    const purged = messages.map((m, i) => (i === 1 ? { ...m, raw: null, storedSha256: sha(m.raw!), purgedAt: new Date('2027-06-01T02:00:00Z') } : m));
    const pack = buildEvidencePack({ state: d.state, ctx: d.ctx(), org: { name: 'x', mailbox: 'y' }, events, messages: purged, generatedBy: 'x' });
    const entry = pack.chronology.find((c) => c.message?.messageId === messages[1]!.messageId)!.message!;
    expect(entry.sha256).toBe(sha(messages[1]!.raw!));
    expect(entry.hashNote).toBe('the stored copy was purged under the retention policy on Tue 1 Jun 2027, 03:00 BST: SHA-256 recorded before it was purged');
    expect(pack.integrity).toMatchObject({ notKept: 1, purged: 1, ok: true });
  });

  it('records the views, the ladder and the policy', () => {
    expect(model.views).toEqual([
      {
        at: 'Mon 14 Dec 2026, 11:00 GMT',
        step: '2. Reminder to the team manager',
        text: `Wants to see them ${SCRIPT}`,
        by: 'rm@home.example.org (Registered Manager)',
      },
    ]);
    expect(model.ladder.title).toBe('Children’s home — challenge to a placing authority (Regulation 5)');
    expect(model.ladder.citation).toBe('Regulation 5(c) of the Children’s Homes (England) Regulations 2015');
    expect(model.case.status).toBe('resolved');
    expect(model.request?.subject).toBe(`LAC minutes ${SCRIPT}`);
  });

  it('renders HTML in which nothing from an email becomes markup', () => {
    const html = renderEvidenceHtml(new TemplateStore(), model);
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).toContain('Content-Security-Policy');
    expect(html.match(/data-seq="/g)).toHaveLength(model.chronology.length);
    for (const m of messages) expect(html).toContain(`data-sha256="${sha(m.raw!)}"`);
  });

  it('shows an event it cannot read as unreadable, with its stored type and details, among the others', () => {
    const odd = readCaseEvent('case-teleported', { to: 'Mars', steps: [1, 2] });
    const damaged = readCaseEvent('step-sent', { step: 'two', rung: 'x' });
    const at = new Date('2026-12-08T10:00:00Z');
    const withOdd = [...events, { id: 9001, at, actor: 'system', cause: 'message:m1', ...odd }, { id: 9002, at, actor: 'system', cause: null, ...damaged }];
    const pack = buildEvidencePack({ state: d.state, ctx: d.ctx(), org: { name: 'x', mailbox: 'y' }, events: withOdd, messages, generatedBy: 'x' });
    expect(pack.chronology).toHaveLength(withOdd.length + messages.length);
    const views = pack.chronology.filter((c) => c.event?.label.startsWith('Unreadable')).map((c) => c.event);
    expect(views).toEqual([
      {
        type: 'case-teleported',
        label: 'Unreadable record (case-teleported)',
        actor: 'the escalation service',
        cause: 'message:m1',
        summary: 'This version of Escalator cannot read this event (unknown type); its details are shown as stored.',
        details: [
          { key: 'to', value: 'Mars' },
          { key: 'steps', value: '[1,2]' },
        ],
      },
      {
        type: 'step-sent',
        label: 'Unreadable record (step-sent)',
        actor: 'the escalation service',
        cause: '',
        summary:
          'This version of Escalator cannot read this event (fields do not match: detail.step, detail.to, detail.cc, detail.notCopied, detail.deadlineAt); its details are shown as stored.',
        details: [
          { key: 'step', value: 'two' },
          { key: 'rung', value: 'x' },
        ],
      },
    ]);
    const html = renderEvidenceHtml(new TemplateStore(), pack);
    expect(html).toContain('data-event="case-teleported"');
    expect(html).toContain('Unreadable record (case-teleported)');
  });

  it('records approvals and who gave them', () => {
    const a = reg5('ESC-2026-0043', '2026-11-23T10:00:00Z');
    a.at('2026-11-23T10:30:00Z').commands([{ kind: 'escalate' }, { kind: 'escalate' }, { kind: 'escalate' }, { kind: 'escalate' }]);
    a.at('2026-11-24T10:30:00Z').command({ kind: 'approve' }, { email: 'deputy@home.example.org' });
    const pack = buildEvidencePack({ state: a.state, ctx: a.ctx(), org: { name: 'x', mailbox: 'y' }, events: [], messages: [], generatedBy: 'x' });
    expect(pack.approvals).toEqual([
      {
        rung: '4. Email to the Director of Children’s Services',
        requested: 'Mon 23 Nov 2026, 10:30 GMT',
        decision: 'approved',
        by: 'deputy@home.example.org',
        at: 'Tue 24 Nov 2026, 10:30 GMT',
      },
    ]);
    expect(pack.request).toBeNull();
    expect(renderEvidenceHtml(new TemplateStore(), pack)).toContain('The opening message is not stored with the case.');
  });
});
