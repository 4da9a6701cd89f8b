/**
 * Issue 20.4, one mail per step: the step notice is the staff's copy of the chaser, not a second
 * mail beside it. The person who raised the request and the RM get the notice (what was sent, to
 * whom, the chaser's own text, the policy's duties) and are not copied on the chaser itself.
 */
import { describe, expect, it } from 'vitest';
import { addressKey } from '../../../src/domain/address.js';
import { renderSample, sampleMail } from '../../../src/outbound/render/sample-case.js';
import { LADDERS, ladder, store } from './template-helpers.js';

const keys = (cs: { email: string }[]) => cs.map((c) => addressKey(c.email));

describe('one mail per step', () => {
  for (const def of LADDERS) {
    it.each(def.rungs.map((r) => r.id))(`${def.id}: %s — the chaser does not copy the staff the step notice goes to`, (rung) => {
      const chaser = sampleMail('chaser', { ladder: def, rung });
      const notice = sampleMail('step-notice', { ladder: def, rung });
      const staff = keys([...notice.intent.to, ...notice.intent.cc]);
      expect(staff).toContain(addressKey(chaser.ctx.org.manager.email));
      for (const a of keys([...chaser.intent.to, ...chaser.intent.cc])) expect(staff).not.toContain(a);
    });
  }

  it('the step notice quotes the chaser as sent: its recipients, subject and own text, after the duties', () => {
    const reg5 = ladder('childrens-home-reg5');
    const chaser = renderSample(store, 'chaser', { ladder: reg5, rung: 'assistant-director' });
    const notice = renderSample(store, 'step-notice', { ladder: reg5, rung: 'assistant-director' });
    const text = notice.text;
    expect(text).toContain('This is your copy of it (you are not copied on the chaser itself):');
    expect(text).toContain(`Subject: ${chaser.subject}`);
    expect(text).toContain('To: Pat Reid <pat.reid@northshire.example>');
    const body = chaser.text.split('\n--\n')[0]!;
    expect(text).toContain(body);
    expect(text.indexOf('At this step the policy asks you to:')).toBeLessThan(text.indexOf('---------- What was sent ----------'));
    expect(notice.html).toContain('Subject: ' + chaser.subject);
    // The chaser names who is copied; the RM is not among them (the notice is the RM's copy).
    expect(chaser.text).not.toContain('copied as the Registered Manager');
    expect(chaser.text).not.toContain('copied as the person who raised this');
  });
});
