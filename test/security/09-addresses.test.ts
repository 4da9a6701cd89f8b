// Issue 13, point 9 (addresses): a From with more than one address is never a command source, and
// addresses compare by one rule everywhere: the domain through IDNA (lower case ASCII), the local
// part as written but for ASCII case. The Kelvin sign K (U+212A) is not a k.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CaseMail } from '../support/case-mail.js';
import { EscalatorHarness, RM } from '../support/escalator-harness.js';
import { send } from './support.js';

const KATE = 'kate.hall@northshire.gov.uk';

describe('9. one rule for comparing addresses; one address in From', () => {
  let h: EscalatorHarness;
  let mail: CaseMail;
  let n = 0;
  beforeAll(async () => {
    h = await EscalatorHarness.start({ name: 'sec-09', start: '2026-11-23T10:00:00Z' });
    mail = new CaseMail(h);
  });
  afterAll(async () => {
    await (h as EscalatorHarness | undefined)?.close(); // unset if beforeAll failed
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') console.log(h.logs.raw.slice(-25).join('\n'));
  });
  const open = () => mail.open({ professional: `Kate Hall <${KATE}>`, directives: [`Child: AB-90${++n}1`] });

  it('a From naming the RM and someone else is not a command source, even with a Sender and a DMARC pass', async () => {
    const c = await open();
    const before = (await h.caseByRef(c.ref))!.state;
    const r = await send(h, mail, {
      from: `Alex Morgan <${RM}>, Mallory <mallory@sunrise-homes.org.uk>`,
      subject: `Re: ${c.subject} [${c.ref}]`,
      inReplyTo: c.requestId,
      headers: { Sender: RM },
      body: 'CLOSE',
    });
    expect(r.verdict.route).toBe('flagged');
    expect(r.verdict.reason).toContain('more than one address');
    expect((await h.caseByRef(c.ref))!.state).toEqual(before);
  });

  it('\u212Aate.hall@ (Kelvin sign) is not kate.hall@: her "done" does not resolve Kate’s case', async () => {
    const c = await open();
    const before = (await h.caseByRef(c.ref))!.state;
    const r = await send(h, mail, {
      from: `Kate Hall <\u212Aate.hall@northshire.gov.uk>`,
      subject: `RE: ${c.subject} [${c.ref}]`,
      inReplyTo: c.requestId,
      body: 'Please find the minutes attached, this is now done.',
    });
    expect(r.verdict.route).toBe('flagged');
    expect(r.verdict.reason).toBe('reply from an address that is not on the case');
    expect((await h.caseByRef(c.ref))!.state).toEqual(before);
  });

  it('the same address in another ASCII case or an upper-case domain is the same person', async () => {
    const c = await open();
    await send(h, mail, {
      from: `Kate Hall <Kate.Hall@NorthShire.GOV.UK>`,
      subject: `RE: ${c.subject} [${c.ref}]`,
      inReplyTo: c.requestId,
      body: 'Please find the minutes attached, this is now done.',
    });
    // Read as the professional's: a done reply waits for the RM's confirmation (issue 14).
    expect((await h.caseByRef(c.ref))!.status).toBe('awaiting-confirmation');
  });
});
