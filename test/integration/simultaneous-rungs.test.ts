// Two rungs that fall due at the very same moment (the policy's eight-week step writes to the
// Ofsted inspector and, in a child protection case, to the LSCP) both go when that moment comes.
// One decision sends one rung, and the second's delayed job would carry the id of the job that is
// running; the advance job takes another pass instead, so nothing waits for the reconciler.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaseMail, type OpenedCase } from '../support/case-mail.js';
import { EscalatorHarness } from '../support/escalator-harness.js';
import { ifStarted } from '../support/if-started.js';

const SAM = 'sam.patel@northshire.gov.uk';
const INSPECTOR = 'casey.inspector@ofsted.gov.uk';
const LSCP = 'lscp@northshire.gov.uk';

// The organisation's own version of the children's-home ladder: only the eight-week step, after a
// week, without approval (an organisation may turn approval off in its ladders folder).
const LADDER = `
id: childrens-home-reg5
title: Children's home — test ladder with two rungs due together
summary: Two rungs due at the same moment.
request: { deadline: 1w, policyRef: Procedure }
policy: { file: childrens-home-regulation5-template.txt, title: Template, citation: Regulation 5(c) }
clock: calendar
from: opening
onRecipientDone: resolve
alwaysCc: [rm]
rungs:
  - id: ofsted-inspector
    title: Seek the support of the home's Ofsted inspector
    after: 1w
    to: [ofsted-inspector]
    policyRef: Procedure, "8 weeks"
    asks: the support of the home's Ofsted inspector
  - id: lscp
    title: Escalation to the Local Safeguarding Children Partnership
    after: 1w
    to: [lscp]
    when: child-protection
    policyRef: Procedure, "8 weeks", child protection
    asks: the partnership to intervene
`;

describe('rungs due at the same moment', () => {
  let h: EscalatorHarness;
  let mail: CaseMail;
  let c: OpenedCase;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ladders-'));
    writeFileSync(join(dir, 'childrens-home-reg5.yaml'), LADDER);
    h = await EscalatorHarness.start({ name: 'simultaneous', start: '2026-11-23T10:00:00Z', org: { laddersDir: dir } });
    mail = new CaseMail(h);
    c = await mail.open({ professional: `Sam Patel <${SAM}>`, directives: ['Child: AB-5001', 'Child protection: yes'] });
    await h.settle();
  });
  afterAll(async () => {
    await ifStarted(h, (x) => x.close());
  });

  it('sends both when the moment comes, each once', async () => {
    await h.advanceTo('2026-11-30T10:00:00Z');
    await h.settle();
    const toInspector = await h.sink.waitFor((m) => m.messageId === mail.chaserId(c, 1));
    const toLscp = await h.sink.waitFor((m) => m.messageId === mail.chaserId(c, 2));
    expect(toInspector.envelope.to).toContain(INSPECTOR);
    expect(toLscp.envelope.to).toContain(LSCP);
    const row = await h.caseByRef(c.ref);
    expect(row!.state.steps.map((s) => [s.rungId, s.status])).toEqual([
      ['ofsted-inspector', 'sent'],
      ['lscp', 'sent'],
    ]);
    expect(h.sink.messages.filter((m) => m.messageId === mail.chaserId(c, 1) || m.messageId === mail.chaserId(c, 2))).toHaveLength(2);
  });
});
