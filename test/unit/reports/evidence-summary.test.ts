/**
 * Issue 20.3: an evidence pack an inspector can use. A first page that summarises (the request,
 * the procedure, every step with its date and answer, the outcome, approvals, the young person's
 * views), then the chronology; no raw JSON, internal ids or UTC stamps; people by name and role;
 * an operator's action names the operator and their reason. Asserted on the rendered HTML's text,
 * on the six-working-day sample case (src/workflows/evidence-sample.ts).
 */
import { describe, expect, it } from 'vitest';
import { readLadderDir } from '../../../src/config/load-ladders.js';
import { readCaseEvent } from '../../../src/domain/case/case-events.js';
import { TemplateStore } from '../../../src/lib/template-store.js';
import { buildEvidencePack, type EvidenceEventInput } from '../../../src/reports/evidence-pack.js';
import { renderEvidenceHtml } from '../../../src/reports/render.js';
import { sampleEvidence } from '../../../src/workflows/evidence-sample.js';

const store = new TemplateStore();
const ladders = readLadderDir('config/ladders').ladders;
const input = sampleEvidence(ladders.get('practice-disagreement')!, store);

/** What a reader sees: the body's text without tags or the style block, entities decoded, spaces folded. */
function visibleText(html: string): string {
  return html
    .replace(/<style[\s\S]*?<\/style>/g, '')
    .replace(/<head[\s\S]*?<\/head>/, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&#x3D;/g, '=')
    .replace(/&#x60;/g, '`')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

/** An operator at the command line resolves the case, giving a reason (the CLI's --by and --reason). */
function withOperator(events: EvidenceEventInput[]): EvidenceEventInput[] {
  const at = new Date('2026-12-07T11:30:00Z');
  const applied = readCaseEvent('commands-applied', { done: ['Noted on the case.'], by: 'Alex Morgan', reason: 'The Director phoned the RM to confirm.' });
  return [...events, { id: 9001, at, actor: 'cli:alex.morgan', cause: 'cli:cli:alex.morgan', ...applied }];
}

const pack = buildEvidencePack({ ...input, events: withOperator(input.events) });
const html = renderEvidenceHtml(store, pack);
const text = visibleText(html);
const firstPage = visibleText(html.slice(0, html.indexOf('<h2 class="new-page">Chronology</h2>')));

describe('the evidence pack’s first page', () => {
  it('comes before the chronology, on a page of its own', () => {
    expect(html.indexOf('<h2>Summary</h2>')).toBeGreaterThan(-1);
    expect(html.indexOf('<h2>Summary</h2>')).toBeLessThan(html.indexOf('Chronology</h2>'));
    expect(html).toContain('.new-page { page-break-before: always; }');
  });

  it('says what was asked, by whom, of whom and when, and the answer before the first step', () => {
    expect(firstPage).toContain(
      'Dev Mistry (who raised the request) wrote to Jo Bennett (Team manager) on Mon 30 Nov 2026, 10:12 GMT, asking for it by Mon 30 Nov 2026, 17:00 GMT',
    );
    expect(firstPage).toContain("“Dear Jo, I disagree with the decision at Tuesday's case direction meeting");
    expect(firstPage).toContain('Answer before the first step: No reply.');
    expect(firstPage).toContain('Practice disagreement about a case direction, following the Internal Escalation Procedure');
  });

  it('lists every step with whom it went to, when, the reply date asked for and the answer', () => {
    const rows = [...html.matchAll(/<tr><td>(\d+)\. ([^<]+)<\/td><td>([^<]+)<\/td><td>([^<]+)<\/td><td>([^<]+)<\/td><td>([^<]+)<\/td><\/tr>/g)].map((m) =>
      m.slice(1).map((c) => visibleText(c).trim()),
    );
    expect(rows.map((r) => r[0])).toEqual(['1', '2', '3', '4']);
    expect(rows[0]).toEqual([
      '1',
      'Meeting request to the service manager',
      'Ben Taylor (Service manager)',
      'Sent Tue 1 Dec 2026, 09:00 GMT',
      'Tue 1 Dec 2026, 17:00 GMT',
      expect.stringMatching(/^Ben Taylor \(Service manager\) replied, but it was not done \(Wed 2 Dec 2026, 07:00 GMT\): “Thank you\. I am on leave/),
    ]);
    expect(rows[1]!.slice(2)).toEqual(['Sarah Lund (Head of Service)', 'Sent Wed 2 Dec 2026, 09:00 GMT', 'Wed 2 Dec 2026, 17:00 GMT', 'No reply.']);
    expect(rows[3]![2]).toBe('Claire Dunn (Director)');
    expect(rows[3]![5]).toMatch(/^Claire Dunn \(Director\) said it is done \(Mon 7 Dec 2026, 09:45 GMT\): “I have reviewed the case\./);
  });

  it('gives the outcome, the approval (who, when) and the young person’s views', () => {
    expect(firstPage).toContain(
      'Resolved on Mon 7 Dec 2026, 11:00 GMT, confirmed by Rachel Stone (Service Manager, Children’s Social Care); 4 steps were sent. Claire Dunn (Director) said it was done on Mon 7 Dec 2026, 09:45 GMT.',
    );
    expect(firstPage).toContain(
      'Step 4 (Meeting request to the Director of Children’s Services): asked for on Fri 4 Dec 2026, 09:30 GMT; approved by Rachel Stone (Service Manager, Children’s Social Care) on Fri 4 Dec 2026, 10:30 GMT; sent Fri 4 Dec 2026, 10:30 GMT.',
    );
    expect(firstPage).toContain('No views were recorded on this case (this procedure does not ask for them).');
  });

  it('quotes recorded views, by whom and at which step', () => {
    const state = {
      ...input.state,
      views: [{ at: '2026-12-02T14:00:00.000Z', step: 1, text: 'She wants to go to the meeting.', by: 'rachel.stone@northshire.example' }],
    };
    const withViews = visibleText(renderEvidenceHtml(store, buildEvidencePack({ ...input, state })));
    expect(withViews).toContain(
      'Wed 2 Dec 2026, 14:00 GMT, at step 1. Meeting request to the service manager, recorded by Rachel Stone (Service Manager, Children’s Social Care): “She wants to go to the meeting.”',
    );
  });
});

describe('the evidence pack’s words', () => {
  it('prints no UTC stamp, ISO date, raw JSON or internal id anywhere a reader sees', () => {
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}/);
    expect(text).not.toMatch(/\d{2}:\d{2}(:\d{2})?(\.\d+)?Z\b/);
    expect(text).not.toMatch(/[{[]\s*"/);
    expect(text).not.toMatch(/"\w+":/);
    expect(text).not.toContain(input.state.id);
    expect(text).not.toContain('cli:');
    expect(text).not.toMatch(/\bmessage:/);
    // Rung ids, event types and participant sources are internal words.
    for (const word of [
      'deputy-director',
      'head-of-service',
      'step-sent',
      'reply-received',
      'commands-applied',
      'new-case',
      '(directive)',
      'practice-disagreement',
    ]) {
      expect(text, word).not.toContain(word);
    }
    // Even the HTML's machine-readable times carry the local offset, never Z.
    expect(html).not.toMatch(/\d{2}:\d{2}(:\d{2})?(\.\d+)?Z\b/);
  });

  it('gives times in the organisation’s local time with the zone named', () => {
    expect(text).toContain('1. The request · Mon 30 Nov 2026, 10:12 GMT');
    expect(html).toContain('<time datetime="2026-11-30T10:12:00+00:00">Mon 30 Nov 2026, 10:12 GMT</time>');
    // A summer date is in BST.
    const summer = buildEvidencePack({ ...input, ctx: { ...input.ctx, now: new Date('2027-06-01T09:00:00Z') } });
    expect(summer.generatedAt).toBe('Tue 1 Jun 2027, 10:00 BST');
  });

  it('names people by name and role, and an operator by their name and the reason they gave', () => {
    // The person who raised it is not copied on the chaser (one mail per step): their copy is the step notice.
    expect(text).toContain('Step 1 (Meeting request to the service manager), to Ben Taylor (Service manager); reply asked for by Tue 1 Dec 2026, 17:00 GMT.');
    expect(text).toContain('to Dev Mistry (who raised the request): “Sent: Meeting request to the service manager');
    expect(text).toContain('Escalated · Fri 4 Dec 2026, 09:30 GMT — by Rachel Stone (Service Manager, Children’s Social Care). Asked to go to step 4');
    expect(text).toContain(
      'Instructions carried out · Mon 7 Dec 2026, 11:30 GMT — by Alex Morgan (operator, at the command line). Noted on the case. Reason given: The Director phoned the RM to confirm.',
    );
    expect(text).toContain('produced Mon 7 Dec 2026, 12:00 GMT by operator alex.morgan (at the command line)');
  });

  it('says how many in the right number', () => {
    expect(text).toContain('4 steps were sent');
    const one = buildEvidencePack({
      ...input,
      state: { ...input.state, steps: input.state.steps.map((s) => (s.n === 1 ? s : { ...s, status: 'planned' as const, sentAt: undefined })) },
    });
    expect(one.summary.outcome).toContain('1 step was sent');
    expect(text).toContain('1 note in the chronology');
  });
});
