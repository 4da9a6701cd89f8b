/**
 * Issue 15.2: the concern travels up the ladder. A rung addressed to someone who never saw the RM's
 * email (reg 5's Assistant Director, after the professional and the team manager) carries "What
 * this is about": what was asked, when and of whom, the request's own words without the directive
 * lines meant for the service, each earlier step with its date and the answer it got, and the
 * request's documents (attached, or named with a line saying the RM holds them). Rungs to people
 * who already had the request or a chaser do not.
 */
import { describe, expect, it } from 'vitest';
import { TemplateStore } from '../../../src/lib/template-store.js';
import { requestTextForAbout } from '../../../src/domain/case/about.js';
import { buildMailContext, fillAbout, NO_ATTACHMENTS } from '../../../src/outbound/render/mail-context.js';
import { renderMail, templateNameFor } from '../../../src/outbound/render/render-mail.js';
import { CaseDriver, addr, ladder, mailsOf, people } from './case-driver.js';

const store = new TemplateStore();
const REQUEST_TEXT = [
  'Ladder: childrens-home-reg5',
  'Child: Jane Smith',
  'Team manager: Jo Bennett <team-manager@la.example.gov.uk>',
  '',
  'Dear Sam,',
  '',
  'The minutes of the Looked After Review held on 14 October have still not been shared with the home.',
  'Please send them by the end of next week.',
  '',
  'Alex',
].join('\n');

function reg5ToTheAssistantDirector(): CaseDriver {
  const d = new CaseDriver(ladder('childrens-home-reg5'));
  d.at('2026-11-02T10:00:00Z').open({ participants: people('professional', 'team-manager', 'assistant-director', 'iro', 'dcs') });
  d.at('2026-11-16T10:00:00Z').advance();
  d.at('2026-11-17T11:00:00Z').reply('professional', 'acknowledged');
  d.at('2026-11-23T10:00:00Z').advance();
  d.at('2026-11-30T10:00:00Z').advance();
  return d;
}

describe('What this is about', () => {
  it('goes only on chasers to someone new, with the request’s documents to forward', () => {
    const d = new CaseDriver(ladder('childrens-home-reg5'));
    d.at('2026-11-02T10:00:00Z').open({ participants: people('professional', 'team-manager', 'assistant-director', 'iro', 'dcs') });
    d.at('2026-11-16T10:00:00Z').advance();
    // The professional had the request; the team manager is copied on this one.
    expect(mailsOf(d.last(), 'chaser')[0]!.data.about).toBeUndefined();
    d.at('2026-11-23T10:00:00Z').advance();
    expect(mailsOf(d.last(), 'chaser')[0]!.data.about).toBeUndefined();
    d.at('2026-11-30T10:00:00Z').advance();
    const [ad] = mailsOf(d.last(), 'chaser');
    expect(ad!.to.map((c) => c.email)).toEqual([addr('assistant-director')]);
    expect(ad!.data.about).toBe(true);
    expect(ad!.forward).toEqual({ message: 'msg-0' });
  });

  it('the Assistant Director reads what was asked, in the RM’s words, each earlier step and its answer, and the documents', () => {
    const d = reg5ToTheAssistantDirector();
    const [intent] = mailsOf(d.last(), 'chaser');
    const context = buildMailContext(d.state, intent!, d.ctx(), 'inbox@home.example.org');
    context.attachments = { forwarded: [{ name: 'care-plan.pdf', size: '120 kB' }], listed: [{ name: 'review-recording.mp4', size: '48.0 MB' }], fetch: 'x' };
    context.about = fillAbout(context.about!, d.state, d.ctx(), REQUEST_TEXT, context.attachments);
    const mail = renderMail(store, templateNameFor(intent!, 'childrens-home-reg5/assistant-director'), context);
    const text = mail.text;
    expect(text).toContain('What this is about:');
    expect(text).toContain('  The request said:');
    // The steps are told once, with their answers, not again in the case facts.
    expect(text).not.toContain('Followed up:');
    expect(text).toContain('On Monday 2 November 2026 Case Raiser asked professional@la.example.gov.uk (the professional) for this, within 2 weeks');
    expect(text).toContain('    > The minutes of the Looked After Review held on 14 October have still not been shared with the home.');
    // Directive lines are for the service: a "Child:" line may hold a name, and never travels.
    expect(text).not.toContain('Jane Smith');
    expect(text).not.toContain('Ladder: childrens-home-reg5');
    expect(text).toContain('Answer to the request: no reply.');
    expect(text).toContain(
      '- Monday 16 November 2026: Reminder to the professional, to professional@la.example.gov.uk — the professional acknowledged it, but it was not done (Tuesday 17 November 2026).',
    );
    expect(text).toContain('- Monday 23 November 2026: Reminder to the team manager, to team-manager@la.example.gov.uk — no reply.');
    expect(text).toContain('- care-plan.pdf (120 kB)');
    expect(text).toContain('too large to attach here; Registered Manager (rm@home.example.org) holds them and will send them on request:');
    expect(text).toContain('- review-recording.mp4 (48.0 MB)');
    // Nobody outside is told to run the operator's command.
    expect(text).not.toContain('escalator mail attachments');
    expect(mail.html).toContain('<strong>What this is about</strong>');
    expect(mail.html).toContain('The minutes of the Looked After Review held on 14 October have still not been shared with the home.');
  });

  it('HTML escapes the request’s words', () => {
    const d = reg5ToTheAssistantDirector();
    const [intent] = mailsOf(d.last(), 'chaser');
    const context = buildMailContext(d.state, intent!, d.ctx(), 'inbox@home.example.org');
    context.about = fillAbout(context.about!, d.state, d.ctx(), 'Please see <script>alert(1)</script> & reply.', NO_ATTACHMENTS);
    const mail = renderMail(store, templateNameFor(intent!, 'childrens-home-reg5/assistant-director'), context);
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('&lt;script&gt;');
  });

  it('a long request is cut at a word and says the RM holds the rest', () => {
    const d = reg5ToTheAssistantDirector();
    const long = `${'The placement plan has not been updated since the move. '.repeat(60)}End.`;
    const got = requestTextForAbout(long, d.state, d.ctx());
    expect(got.trimmed).toBe(true);
    expect(got.lines.join('\n').length).toBeLessThanOrEqual(1502);
    expect(got.lines.join('\n').endsWith(' …')).toBe(true);
  });
});
