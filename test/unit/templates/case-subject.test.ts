/**
 * Every subject we send is the request's own subject, cleaned by caseSubject(), with this case's
 * tag once: never a second tag, even when the request already carried another case's.
 */
import { describe, expect, it } from 'vitest';
import { caseSubject } from '../../../src/domain/inbound/subject-tags.js';
import { MAIL_KINDS, sampleMail } from '../../../src/outbound/render/sample-case.js';
import { renderMail } from '../../../src/outbound/render/render-mail.js';
import { ladder, store } from './template-helpers.js';

const reg5 = ladder('childrens-home-reg5');
const TAG = /\[\s*ESC-\d{4}-\d{4,6}\s*\]/gi;

describe('the subject of every mail', () => {
  it('a request already tagged with another case: the chaser carries this case’s tag once', () => {
    const mail = sampleMail(
      'chaser',
      { ladder: reg5, rung: 'professional-reminder', text: { subject: 'Re: LAC review minutes [ESC-2026-0007] [escalate]' } },
      store,
    );
    const ref = mail.state.ref;
    expect(ref).not.toBe('ESC-2026-0007');
    const rendered = renderMail(store, mail.names, mail.context);
    expect(rendered.subject).toBe(`Reminder 1: LAC review minutes [${ref}]`);
    expect(mail.context.case.taggedSubject).toBe(caseSubject('Re: LAC review minutes [ESC-2026-0007] [escalate]', ref));
    // The body's "Regarding" line shows the subject without any tag.
    expect(mail.context.case.subject).toBe('LAC review minutes');
  });

  it('a request already tagged with this very case: still one tag', () => {
    const first = sampleMail('chaser', { ladder: reg5, rung: 'professional-reminder' }, store);
    const ref = first.state.ref;
    const mail = sampleMail(
      'chaser',
      { ladder: reg5, rung: 'professional-reminder', text: { subject: `RE: Fwd: LAC review minutes [${ref}] #escalate` } },
      store,
    );
    expect(renderMail(store, mail.names, mail.context).subject).toBe(`Reminder 1: LAC review minutes [${ref}]`);
  });

  it.each(MAIL_KINDS.filter((k) => k !== 'chaser'))('%s: one tag, this case’s, whatever tags the request had', (kind) => {
    const mail = sampleMail(kind, { ladder: reg5, rung: 'dcs', text: { subject: 'AW: [ESC-2025-0099] Placement plan [ESC-2026-0007] [escalate]' } }, store);
    const subject = renderMail(store, mail.names, mail.context).subject;
    expect(subject.match(TAG)).toEqual([`[${mail.state.ref}]`]);
    expect(subject.endsWith(`Placement plan [${mail.state.ref}]`)).toBe(true);
  });

  it('an empty subject still reads as something', () => {
    const mail = sampleMail('confirmation', { ladder: reg5, rung: 'professional-reminder', text: { subject: '' } }, store);
    expect(renderMail(store, mail.names, mail.context).subject).toBe(`Case opened: Escalation [${mail.state.ref}]`);
  });
});

/** Issue 20.5: a subject says what the mail is and how urgent, so that someone new to the thread can place it. */
describe('a chaser’s subject leads with what it is', () => {
  const subjectOf = (id: string, rung: string, variant: 'standard' | 'urgent' | 'imminent' = 'standard') => {
    const mail = sampleMail('chaser', { ladder: ladder(id), rung, variant }, store);
    return renderMail(store, mail.names, mail.context).subject;
  };

  it('Regulation 5: a reminder to the person asked, then an escalation to each new level by name', () => {
    expect(subjectOf('childrens-home-reg5', 'professional-reminder')).toBe('Reminder 1: LAC review minutes for AB-1234 [ESC-2026-0042]');
    expect(subjectOf('childrens-home-reg5', 'team-manager-reminder')).toBe('Escalation to the team manager: LAC review minutes for AB-1234 [ESC-2026-0042]');
    expect(subjectOf('childrens-home-reg5', 'assistant-director')).toBe('Escalation to the Assistant Director: LAC review minutes for AB-1234 [ESC-2026-0042]');
    expect(subjectOf('childrens-home-reg5', 'dcs')).toBe('Escalation to the Director of Children’s Services: LAC review minutes for AB-1234 [ESC-2026-0042]');
    // The policy's "continue to persist": the Director again, counted.
    expect(subjectOf('childrens-home-reg5', 'repeat')).toBe('Reminder 1: LAC review minutes for AB-1234 [ESC-2026-0042]');
  });

  it('on the safeguarding timescales every chaser says so first', () => {
    expect(subjectOf('childrens-home-reg5', 'professional-reminder', 'urgent')).toBe(
      'URGENT — safeguarding — Reminder 1: LAC review minutes for AB-1234 [ESC-2026-0042]',
    );
    expect(subjectOf('childrens-home-reg5', 'assistant-director', 'urgent')).toBe(
      'URGENT — safeguarding — Escalation to the Assistant Director: LAC review minutes for AB-1234 [ESC-2026-0042]',
    );
    expect(subjectOf('practice-disagreement', 'deputy-director', 'imminent')).toMatch(/^URGENT — safeguarding — Escalation to the Deputy Director: /);
  });

  it('a practice disagreement names each management level it reaches', () => {
    expect(subjectOf('practice-disagreement', 'service-manager')).toBe(
      'Escalation to the service manager: Case direction for EF-9012: proposed step-down to early help [ESC-2026-0042]',
    );
    expect(subjectOf('practice-disagreement', 'director')).toMatch(/^Escalation to the Director: Case direction for EF-9012/);
  });

  it('never carries the [escalate] tag or a Re: prefix', () => {
    for (const rung of ['professional-reminder', 'team-manager-reminder', 'dcs']) {
      const s = subjectOf('childrens-home-reg5', rung);
      expect(s).not.toMatch(/\[escalate\]|#escalate|^Re:/i);
    }
  });
});
