/**
 * Issue 15.4 (reg 5), partner agencies, in the combined chaser (`bundleChasers`): chasers go
 * together only to exactly the same people, so a bundle of a partner agency's cases goes to one of
 * its own people (a named nurse with several young people's requests outstanding). Its covering
 * words name the agency and their role, as each partner chaser does, and none speaks of a council;
 * where the chasers do not all write to the same agency's role, the covering words name none.
 */
import { describe, expect, it } from 'vitest';
import { partnerRecipient } from '../../../src/domain/case/partner-recipient.js';
import type { Directory } from '../../../src/domain/directory.js';
import { renderSample, sampleCase } from '../../../src/outbound/render/sample-case.js';
import { chaserBundleModel } from '../../../src/workflows/chaser-bundle.js';
import { ladder, store } from './template-helpers.js';
import { TRUST, COUNCIL_WORDS, trustDirectory as directory } from './partner-fixture.js';

const def = ladder('childrens-home-reg5');
const ORG = { name: 'Sunrise Children’s Homes', mailbox: 'escalations@sunrise-homes.org.uk' };

/** One case's chaser at `rung`, as composeBundle reads it back: its reference, subject, text and whom it writes to. */
function item(rung: string, childRef: string, dir?: Directory) {
  const opts = { ladder: def, rung, text: { childRef }, ...(dir ? { directory: dir } : {}) };
  const s = sampleCase(opts);
  const mail = renderSample(store, 'chaser', opts);
  return {
    ref: `ESC-${childRef}`,
    subject: mail.subject,
    text: mail.text,
    recipient: partnerRecipient(s.fired.state, s.context(s.firedAt), s.step.n),
  };
}

function bundle(items: ReturnType<typeof item>[]) {
  const model = chaserBundleModel(ORG, items);
  return {
    subject: store.render('mails/chaser-bundle', 'subject', model),
    text: store.render('mails/chaser-bundle', 'text', model),
    html: store.render('mails/chaser-bundle', 'html', model),
  };
}

describe('whom a partner agency’s chaser writes to', () => {
  it.each([
    ['professional-reminder', 'named nurse'],
    ['team-manager-reminder', 'designated nurse'],
    ['assistant-director', 'head of service'],
    ['dcs', 'head of service'],
  ])('%s: the %s at the trust', (rung, title) => {
    expect(item(rung, 'AB-1', directory).recipient).toEqual({ title, agency: TRUST });
  });

  it('no agency role for the Ofsted inspector, nor on a council’s case', () => {
    expect(item('ofsted-inspector', 'AB-1', directory).recipient).toBeUndefined();
    expect(item('team-manager-reminder', 'AB-1').recipient).toBeUndefined();
  });
});

describe('a combined chaser of a partner agency’s cases', () => {
  it('names the agency and the recipient’s role, and no council’s words', () => {
    const mail = bundle([item('team-manager-reminder', 'AB-1', directory), item('team-manager-reminder', 'AB-2', directory)]);
    expect(mail.text).toContain(
      `We are writing to you as the designated nurse at ${TRUST}. Rather than send you 2 separate reminders today, ${ORG.name} has put them together`,
    );
    expect(mail.html).toContain(`<p>We are writing to you as the designated nurse at ${TRUST}. Rather than send you 2 separate reminders today,`);
    // Each case's own chaser inside it is the trust's.
    expect(mail.text.match(new RegExp(`as the designated nurse at ${TRUST} about a request`, 'g'))).toHaveLength(2);
    for (const part of [mail.subject, mail.text, mail.html]) for (const words of COUNCIL_WORDS) expect(part, words).not.toContain(words);
  });

  it('names no role when the chasers are not all to the same agency’s role', () => {
    for (const items of [
      [item('team-manager-reminder', 'AB-1', directory), item('team-manager-reminder', 'AB-2')],
      [item('professional-reminder', 'AB-1', directory), item('team-manager-reminder', 'AB-2', directory)],
      [item('ofsted-inspector', 'AB-1', directory), item('ofsted-inspector', 'AB-2', directory)],
    ]) {
      const mail = bundle(items);
      expect(mail.text).toContain(`Dear colleague,\n\nRather than send you 2 separate reminders today`);
      expect(mail.html).toContain('<p>Rather than send you 2 separate reminders today');
    }
  });

  it('a council’s combined chaser reads as before', () => {
    const mail = bundle([item('team-manager-reminder', 'AB-1'), item('team-manager-reminder', 'AB-2')]);
    expect(mail.text).toContain(`Dear colleague,\n\nRather than send you 2 separate reminders today, ${ORG.name} has put them together in this one email.`);
    expect(mail.html).toContain('<p>Rather than send you 2 separate reminders today');
  });
});
