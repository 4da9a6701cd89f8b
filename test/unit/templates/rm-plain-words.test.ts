/**
 * Issue 20.4: the RM's mails in plain words. What the service calls a ladder, a rung or the send
 * window, and what a mail server says ("status 5.1.1"), are not the RM's words: the mails say what
 * happened and what happens next.
 */
import { describe, expect, it } from 'vitest';
import type { MailKind } from '../../../src/domain/case/decision.js';
import { renderSample } from '../../../src/outbound/render/sample-case.js';
import { ladder, store } from './template-helpers.js';

/** Mails to the RM and the person who raised the request (not the chasers to professionals). */
const RM_KINDS: MailKind[] = [
  'confirmation',
  'step-notice',
  'approval-request',
  'approval-reminder',
  'contact-request',
  'command-ack',
  'command-error',
  'reply-notice',
  'resolved-notice',
  'confirmation-ended',
  'bounce-notice',
  'delivery-failure',
  'fold-summary',
];
const JARGON = /\bladders?\b|\brungs?\b|send window|byte for byte|\b[45]\.\d{1,3}\.\d{1,3}\b|\bstatus [45]/i;

describe('the RM’s mails use plain words', () => {
  for (const id of ['childrens-home-reg5', 'practice-disagreement']) {
    const def = ladder(id);
    const rung = id === 'childrens-home-reg5' ? 'dcs' : 'deputy-director';
    it.each(RM_KINDS)(`${id}: %s says no "ladder", "rung", "send window", "byte for byte" or SMTP status`, (kind) => {
      const mail = renderSample(store, kind, { ladder: def, rung });
      // The policy's own title may say what it likes; the service's words may not.
      const text = mail.text.replaceAll(def.title, '').replaceAll(def.policy.title, '');
      expect(text).not.toMatch(JARGON);
      expect(mail.subject).not.toMatch(JARGON);
    });
  }

  it('a bounce says what happened: the address does not exist', () => {
    const mail = renderSample(store, 'bounce-notice', { ladder: ladder('childrens-home-reg5'), rung: 'team-manager-reminder' });
    expect(mail.text).toContain('the address does not exist');
  });
});

describe('what every chaser and approval request says (issue 20.4)', () => {
  const reg5 = ladder('childrens-home-reg5');

  it('a chaser is signed with the manager’s name, role and the home’s telephone number (config)', () => {
    const mail = renderSample(store, 'chaser', { ladder: reg5, rung: 'team-manager-reminder' });
    expect(mail.text).toContain('Alex Morgan\nRegistered Manager, Sunrise Children’s Homes\nTelephone 0113 496 0000');
    expect(mail.html).toContain('Alex Morgan<br>Registered Manager, Sunrise Children’s Homes<br>Telephone 0113 496 0000');
  });

  it('without a role or a number configured, neither line is printed', () => {
    const org = { id: 'x', name: 'Other Home', manager: { name: 'Alex Morgan', email: 'alex@other.example' }, mailbox: 'esc@other.example', mailboxName: 'x' };
    const mail = renderSample(store, 'chaser', { ladder: reg5, rung: 'team-manager-reminder', org });
    expect(mail.text).toContain('Alex Morgan\nOther Home\n');
    expect(mail.text).not.toContain('Telephone');
  });

  it.each(['childrens-home-reg5', 'foster-carer-concern', 'fostering-panel', 'practice-disagreement', 'firo-dispute-resolution'])(
    '%s: every chaser tells its reader what to do if they are no longer the right person',
    (id) => {
      const def = ladder(id);
      for (const r of def.rungs) {
        const mail = renderSample(store, 'chaser', { ladder: def, rung: r.id });
        expect(mail.text.replace(/\s+/g, ' ')).toContain(
          'If you are no longer the right person for this, please reply with the name and email address of whoever holds it now',
        );
      }
    },
  );

  it('the approval request says by when to decide: the end of the day the policy sets for the step', () => {
    const mail = renderSample(store, 'approval-request', { ladder: reg5, rung: 'dcs' });
    const due = mail.sample.state.steps.find((s) => s.rungId === 'dcs')!.dueAt!;
    expect(mail.sample.ctx.calendar.formatDate(new Date(due))).toBe('Monday 14 December 2026');
    expect(mail.text).toContain('Please decide by the end of Monday 14 December 2026, the day the policy sets for this step.');
  });

  it('on a case already on the safeguarding timescales, nobody is offered SAFEGUARDING again', () => {
    const standard = renderSample(store, 'approval-request', { ladder: reg5, rung: 'dcs' });
    expect(standard.text).toContain('reply SAFEGUARDING');
    for (const kind of ['approval-request', 'step-notice'] as const) {
      const urgent = renderSample(store, kind, { ladder: reg5, rung: 'dcs', variant: 'urgent' });
      expect(urgent.text).not.toContain('SAFEGUARDING');
    }
  });
});
