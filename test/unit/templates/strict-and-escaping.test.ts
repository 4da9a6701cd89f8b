/**
 * Templates are strict (a missing variable fails the render rather than leaving a gap in a letter)
 * and escape everything that came from an email in the HTML part.
 */
import { describe, expect, it } from 'vitest';
import type { MailKind } from '../../../src/domain/case/decision.js';
import { renderMail } from '../../../src/outbound/render/render-mail.js';
import { renderSample, sampleMail } from '../../../src/outbound/render/sample-case.js';
import { ladder, store } from './template-helpers.js';

/** Deletes the value at a dotted path of a render context, as a template would look it up. */
function removeAt(context: object, path: string): void {
  const keys = path.split('.');
  const last = keys.pop()!;
  let at = context as Record<string, unknown>;
  for (const key of keys) at = at[key] as Record<string, unknown>;
  expect(at, path).toHaveProperty(last);
  Reflect.deleteProperty(at, last);
}

describe('strict mode', () => {
  const sample = sampleMail('chaser', { ladder: ladder('childrens-home-reg5'), rung: 'professional-reminder' }, store);

  it('a full context renders', () => {
    expect(() => renderMail(store, sample.names, sample.context)).not.toThrow();
  });

  it.each([
    ['case.outstanding', 'case.outstanding', /outstanding/],
    // Only read in {{#if}}: Handlebars' strict mode alone would let this through as false.
    ['step.deadlineDate (read in a condition)', 'step.deadlineDate', /deadlineDate/],
    ['step.warning (read in a condition)', 'step.warning', /warning/],
    ['greeting', 'greeting', /greeting/],
    ['request (a whole object)', 'request', /request|date/],
    ['org.name (used by the layout)', 'org.name', /name/],
  ])('a missing %s fails the render, naming the template', (_name, path, message) => {
    const context = structuredClone(sample.context);
    removeAt(context, path);
    expect(() => renderMail(store, sample.names, context)).toThrow(message);
    expect(() => renderMail(store, sample.names, context)).toThrow(/template (rungs|partials|mails)\//);
  });

  it('a missing variable in a mail kind’s template fails too', () => {
    const ack = sampleMail('command-ack', { ladder: ladder('childrens-home-reg5'), rung: 'dcs' }, store);
    const context = structuredClone(ack.context);
    removeAt(context, 'case.statusText');
    expect(() => renderMail(store, ack.names, context)).toThrow(/statusText/);
  });
});

const SCRIPT = '<script>alert(1)</script>';
const BREAKOUT = '"><img src=x onerror=alert(1)>';
const RAW = /<script|<img|onerror=alert/i;

describe('user text is escaped in HTML', () => {
  const def = ladder('childrens-home-reg5');
  const opts = {
    ladder: def,
    rung: 'dcs',
    text: {
      subject: `LAC minutes ${SCRIPT} ${BREAKOUT}`,
      childRef: `AB-1 ${SCRIPT}`,
      category: BREAKOUT,
      replyText: `Done ${SCRIPT}\n${BREAKOUT}`,
      // As "Team manager: …" and "AD: …" directives would have given them.
      names: { 'team-manager': `Jo ${BREAKOUT}`, 'assistant-director': `Pat ${SCRIPT}`, dcs: `Morgan ${BREAKOUT}` },
    },
  };
  const kinds: MailKind[] = [
    'confirmation',
    'chaser',
    'step-notice',
    'approval-request',
    'approval-reminder',
    'contact-request',
    'command-ack',
    'reply-notice',
    'resolved-notice',
    'confirm-request',
    'bounce-notice',
    'kept-informed',
    'kept-informed-case',
    'out-of-hours',
  ];

  it.each(kinds)('%s: no markup from the subject, child reference, reply or a directive’s name', (kind) => {
    const mail = renderSample(store, kind, opts);
    expect(mail.html).not.toMatch(RAW);
    expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    // The same text is in the plain-text part as written: it is not HTML there.
    expect(mail.text).toContain(SCRIPT);
  });

  it('the breakout attempt cannot leave an attribute or open a tag', () => {
    const mail = renderSample(store, 'chaser', opts);
    expect(mail.html).not.toContain('"><img');
    expect(mail.html).toContain('&quot;&gt;&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
    expect(mail.html).toContain('Dear Morgan &quot;&gt;&lt;img');
  });

  it('the reply quoted to the RM is escaped', () => {
    const mail = renderSample(store, 'reply-notice', opts);
    expect(mail.html).toContain('Done &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mail.html).not.toMatch(RAW);
  });

  it('a directive-supplied name acknowledged back is escaped', () => {
    const mail = renderSample(store, 'command-ack', { ...opts, rung: 'professional-reminder' });
    expect(mail.text).toContain(`Team manager: Jo ${BREAKOUT} <jo.bennett@northshire.example>.`);
    expect(mail.html).toContain('Team manager: Jo &quot;&gt;&lt;img');
    expect(mail.html).not.toMatch(RAW);
  });

  it('every rung of every ladder escapes them too', () => {
    for (const id of ['foster-carer-concern', 'fostering-panel', 'practice-disagreement', 'firo-dispute-resolution']) {
      const d = ladder(id);
      for (const rung of d.rungs.map((r) => r.id)) {
        const mail = renderSample(store, 'chaser', { ...opts, ladder: d, rung, text: { ...opts.text, names: {} } });
        expect(mail.html, `${id}/${rung}`).not.toMatch(RAW);
      }
    }
  });
});
