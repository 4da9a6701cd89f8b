import { describe, expect, it } from 'vitest';
import { TemplateStore } from '../../../src/lib/template-store.js';
import { foldsHourly } from '../../../src/workflows/hourly-notices.js';
import type { OrgRuntime } from '../../../src/runtime/organisations.js';
import type { CaseState } from '../../../src/domain/case/case-state.js';
import type { MailIntent } from '../../../src/domain/case/decision.js';

const item = (ref: string, subject: string) => ({
  ref,
  subject,
  childRef: 'AB-1234',
  step: 1,
  title: 'Reminder to the professional',
  to: 'Sam Patel (the professional)',
  copied: 'Jo Bennett (team manager)',
  deadlineDate: 'Friday 18 December 2026',
  next: { title: 'Escalation to the team manager', date: 'Monday 21 December 2026', approval: false },
  duties: ['Advise the young person and record their views'],
  sentOn: 'Monday 7 December 2026',
  recipientName: 'Alex Morgan',
});

describe('the hourly summary of step notices', () => {
  const store = new TemplateStore();
  const base = {
    org: { name: 'Sunrise Children’s Homes', mailbox: 'escalations@sunrise-homes.org.uk' },
    recipient: { name: 'Alex Morgan' },
    duties: ['Advise the young person and record their views'],
  };

  it('lists every step with its case, who it went to, its deadline and what comes next, and the duties once', () => {
    const context = {
      ...base,
      count: 2,
      refsText: 'ESC-2026-0001, ESC-2026-0002',
      items: [item('ESC-2026-0001', 'Care plan'), item('ESC-2026-0002', '<script>x</script>')],
    };
    expect(store.render('mails/notice-summary', 'subject', context)).toBe('Sent in the last hour: 2 steps on ESC-2026-0001, ESC-2026-0002\n');
    const text = store.render('mails/notice-summary', 'text', context);
    expect(text).toContain('2 more steps were sent on your behalf');
    expect(text.match(/Step 1, Reminder to the professional, sent Monday 7 December 2026/g)).toHaveLength(2);
    expect(text).toContain('Deadline given: the end of Friday 18 December 2026');
    expect(text.match(/Advise the young person/g)).toHaveLength(1);
    const html = store.render('mails/notice-summary', 'html', context);
    expect(html).toContain('&lt;script&gt;');
    expect(html).not.toContain('<script>');
  });

  it('names the one step in the subject when there is one', () => {
    const context = { ...base, count: 1, refsText: 'ESC-2026-0001', items: [item('ESC-2026-0001', 'Care plan')] };
    expect(store.render('mails/notice-summary', 'subject', context).trim()).toBe('Sent: Reminder to the professional — Care plan [ESC-2026-0001]');
    expect(store.render('mails/notice-summary', 'text', context)).toContain('One more step was sent on your behalf');
  });
});

describe('which step notices fold hourly', () => {
  const org = (notices: 'hourly' | 'immediate') => ({ config: { notices } }) as unknown as OrgRuntime;
  const state = (variant: CaseState['variant'], safeguarding = false) => ({ variant, flags: { safeguarding } }) as unknown as CaseState;
  const notice = { kind: 'step-notice', key: 's1-notice', to: [], cc: [], timing: 'now', step: 1, data: { rungId: 'r1', duties: [] } } as MailIntent;

  it('folds step notices of an ordinary case when the organisation wants hourly notices', () => {
    expect(foldsHourly(org('hourly'), state('standard'), notice)).toBe(true);
  });

  it('sends them at once with notices: immediate, on a safeguarding case, and never folds other kinds', () => {
    expect(foldsHourly(org('immediate'), state('standard'), notice)).toBe(false);
    expect(foldsHourly(org('hourly'), state('urgent'), notice)).toBe(false);
    expect(foldsHourly(org('hourly'), state('standard', true), notice)).toBe(false);
    expect(foldsHourly(org('hourly'), state('standard'), { ...notice, kind: 'reply-notice' } as unknown as MailIntent)).toBe(false);
    expect(foldsHourly(org('hourly'), state('standard'), { ...notice, held: true })).toBe(false);
  });
});
