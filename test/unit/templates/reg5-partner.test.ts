/**
 * Issue 15.4 (reg 5), partner agencies: every reg 5 chaser to a professional at an NHS trust whose
 * directory entry gives its own roles names the trust and those roles, and none speaks of a
 * council, an Assistant Director, a Director of Children's Services or a care plan.
 */
import { describe, expect, it } from 'vitest';
import { effectiveLadder } from '../../../src/domain/ladder/effective-ladder.js';
import type { VariantName } from '../../../src/domain/ladder/ladder-schema.js';
import { renderSample } from '../../../src/outbound/render/sample-case.js';
import { ladder, store } from './template-helpers.js';
import { TRUST, COUNCIL_WORDS, trustDirectory as directory } from './partner-fixture.js';

const def = ladder('childrens-home-reg5');

describe('reg 5 chasers to an NHS trust', () => {
  const rungs = (variant: VariantName) => [...effectiveLadder(def, variant).rungs.map((r) => r.id), 'repeat'];
  const cases = (['standard', 'urgent'] as const).flatMap((variant) => rungs(variant).map((rung) => [variant, rung] as const));

  it.each(cases)('%s %s: no council words', (variant, rung) => {
    const m = renderSample(store, 'chaser', { ladder: def, rung, variant, directory });
    for (const part of [m.text, m.html, m.subject]) for (const words of COUNCIL_WORDS) expect(part, `${rung}: ${words}`).not.toContain(words);
  });

  it('each step above the nurse is written to by the trust’s own title, naming the trust', () => {
    const level = renderSample(store, 'chaser', { ladder: def, rung: 'team-manager-reminder', directory });
    expect(level.text).toContain(`We are writing to you as the designated nurse at ${TRUST} about a request we first made to Sam Patel (named nurse)`);
    const head = renderSample(store, 'chaser', { ladder: def, rung: 'assistant-director', directory });
    expect(head.subject).toMatch(/^Escalation to the head of service: /);
    expect(head.text).toContain(`as the head of service at ${TRUST}`);
    const further = renderSample(store, 'chaser', { ladder: def, rung: 'dcs', directory });
    expect(further.subject).toMatch(/^Reminder 1: /);
    expect(further.text).toContain('notify the regulator (Ofsted)');
    const reminder = renderSample(store, 'chaser', { ladder: def, rung: 'professional-reminder', directory });
    expect(reminder.text).toContain(`We have copied in the designated nurse at ${TRUST} so that they are aware.`);
    const inspector = renderSample(store, 'chaser', { ladder: def, rung: 'ofsted-inspector', directory });
    expect(inspector.text).toContain(`We have escalated it within ${TRUST}, to the designated nurse and the head of service, without it being completed.`);
    const lscp = renderSample(store, 'chaser', { ladder: def, rung: 'lscp', directory });
    expect(lscp.text).toContain(`this is a child protection matter and ${TRUST} has not acted on it`);
  });

  it('the confirmation names the trust and its rungs', () => {
    const m = renderSample(store, 'confirmation', { ladder: def, rung: 'professional-reminder', directory });
    expect(m.text).toContain(`Partner agency: ${TRUST} (health service); above the named nurse, the steps go to the designated nurse and the head of service`);
    expect(m.text).toContain('Reminder to the designated nurse');
    expect(m.text).toContain('Further email to the head of service');
    expect(m.text).not.toContain('Assistant Director');
    // A correction names the trust's role by its own title, which a directive reads.
    expect(m.text).toContain('reply with a correction such as "Designated nurse: Name <address>"');
  });

  it('a council’s case is written as before', () => {
    const m = renderSample(store, 'chaser', { ladder: def, rung: 'assistant-director' });
    expect(m.text).toContain('We are writing to you as Assistant Director');
    expect(m.text).not.toContain(TRUST);
  });
});
