// Issue 13, point 1: a message that only claims to come from the RM changes nothing until it is
// proven — by the organisation's trust source (its own MX's DMARC verdict, Exchange Online's
// organisation headers, Google's MX), or by a one-time round trip to the claimed sender's mailbox.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CaseMail, type OpenedCase } from '../support/case-mail.js';
import { EscalatorHarness, INBOX, RM } from '../support/escalator-harness.js';
import { events, send, tokenIn } from './support.js';

const SAM = 'sam.patel@northshire.gov.uk';
const COLLEAGUE = 'jo.colleague@sunrise-homes.org.uk';
const TENANT = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';

function replyTo(c: OpenedCase) {
  return { subject: `Re: ${c.subject} [${c.ref}]`, inReplyTo: c.requestId };
}

describe('1. sender verification, fail closed (our own MX’s DMARC verdict)', () => {
  let h: EscalatorHarness;
  let mail: CaseMail;
  let n = 0;
  beforeAll(async () => {
    h = await EscalatorHarness.start({ name: 'sec-01', start: '2026-11-23T10:00:00Z' });
    mail = new CaseMail(h);
  });
  afterAll(async () => {
    await (h as EscalatorHarness | undefined)?.close(); // unset if beforeAll failed
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') console.log(h.logs.raw.slice(-25).join('\n'));
  });
  const open = () => mail.open({ professional: `Sam Patel <${SAM}>`, directives: [`Child: AB-11${++n}0`] });
  const asks = () => h.sink.messages.filter((m) => m.parsed.subject?.startsWith('Please confirm'));

  it('escalator start says once, at warn, which trust source the organisation uses', () => {
    const said = h.logs.lines.filter((l) => l.msg === 'sender trust');
    expect(said).toHaveLength(1);
    expect(said[0]).toMatchObject({ level: 40, organisation: 'sunrise-homes', trust: 'authserv-id' });
  });

  it('an unverified CLOSE in the RM’s name changes nothing; only CONFIRM from the RM’s mailbox carries it out, once', async () => {
    const c = await open();
    h.sink.clear();
    const forged = await send(h, mail, { from: `Alex Morgan <${RM}>`, ...replyTo(c), body: 'CLOSE\r\n\r\nAlex', verified: false });
    expect(forged.verdict).toMatchObject({ status: 'processed', route: 'confirm-commands', case_id: c.id });
    expect((await h.caseByRef(c.ref))!.status).toBe('open');
    expect(asks()).toHaveLength(1);
    const ask = asks()[0]!;
    expect(ask.envelope.to).toEqual([RM]);
    expect(ask.parsed.text).toContain(`Did you send this for case ${c.ref}?`);
    expect(ask.parsed.text).toContain('CLOSE');
    expect(ask.parsed.text).toMatch(/2 working days/);
    const token = tokenIn(ask.parsed.text);

    // A colleague who saw the code cannot use it: it is bound to the RM's address.
    const other = await send(h, mail, { from: COLLEAGUE, subject: `Re: ${c.ref}`, inReplyTo: ask.messageId, body: `CONFIRM ${token}` });
    expect(other.verdict.route).toBe('confirm-token');
    expect((await h.caseByRef(c.ref))!.status).toBe('open');
    // A made-up code changes nothing either.
    await send(h, mail, {
      from: `Alex Morgan <${RM}>`,
      subject: `Re: ${c.ref}`,
      inReplyTo: ask.messageId,
      body: 'CONFIRM AAAAAAAAAAAAAAAAAAAA',
      verified: false,
    });
    expect((await h.caseByRef(c.ref))!.status).toBe('open');

    await send(h, mail, {
      from: `Alex Morgan <${RM}>`,
      subject: `Re: ${c.ref}`,
      inReplyTo: ask.messageId,
      body: `CONFIRM ${token}\r\n\r\nAlex`,
      verified: false,
    });
    expect((await h.caseByRef(c.ref))!.status).toBe('closed');
    expect((await events(h, c.id)).map((e) => e.type)).toEqual(expect.arrayContaining(['confirmation-requested', 'sender-confirmed', 'closed']));

    // Used once: a second CONFIRM with the same code (after a REOPEN) does not close it again.
    await mail.command(c, ['REOPEN']);
    expect((await h.caseByRef(c.ref))!.status).toBe('open');
    h.sink.clear();
    await send(h, mail, { from: `Alex Morgan <${RM}>`, subject: `Re: ${c.ref}`, inReplyTo: ask.messageId, body: `CONFIRM ${token}`, verified: false });
    expect((await h.caseByRef(c.ref))!.status).toBe('open');
    expect(h.sink.messages.find((m) => m.envelope.to.includes(RM))?.parsed.text).toContain('already been used');
  });

  it('temperror, permerror, none and a neutral verdict are not a pass: each command waits for the round trip', async () => {
    const c = await open();
    const before = (await h.caseByRef(c.ref))!.state;
    h.sink.clear();
    const verdicts = [
      'dmarc=temperror header.from=sunrise-homes.org.uk',
      'dmarc=permerror header.from=sunrise-homes.org.uk',
      'spf=none; dkim=none; dmarc=none header.from=sunrise-homes.org.uk',
      'spf=neutral smtp.mailfrom=sunrise-homes.org.uk; dkim=neutral header.d=sunrise-homes.org.uk',
    ];
    for (const [i, v] of verdicts.entries()) {
      const body = ['PAUSE until 31 December 2026', 'SKIP', 'EXTEND 5 days', 'RESOLVED'][i]!;
      const r = await send(h, mail, {
        from: `Alex Morgan <${RM}>`,
        ...replyTo(c),
        body,
        headers: { 'Authentication-Results': `mx.sunrise-homes.org.uk; ${v}` },
      });
      expect(r.verdict.route, v).toBe('confirm-commands');
    }
    expect(asks()).toHaveLength(4);
    expect((await h.caseByRef(c.ref))!.state).toEqual(before);
  });

  it('a sender whose own domain failed DMARC is flagged, gets no round trip, and changes nothing', async () => {
    const c = await open();
    const before = (await h.caseByRef(c.ref))!.state;
    h.sink.clear();
    const r = await send(h, mail, {
      from: `Alex Morgan <${RM}>`,
      ...replyTo(c),
      body: 'RESOLVED',
      headers: {
        'Authentication-Results':
          'mx.sunrise-homes.org.uk; spf=fail smtp.mailfrom=attacker.example; dkim=none; dmarc=fail (p=reject) header.from=sunrise-homes.org.uk',
      },
    });
    expect(r.verdict.route).toBe('flagged');
    expect(asks()).toHaveLength(0);
    expect(h.sink.messages.some((m) => m.parsed.subject?.startsWith('Not acted on'))).toBe(true);
    expect((await h.caseByRef(c.ref))!.state).toEqual(before);
  });

  it('an unverified opening opens the case, but nothing goes outside the organisation until its sender confirms', async () => {
    // Monday: an urgent request (first chaser due the next day) that nothing proves the RM sent.
    await h.advanceTo('2026-11-30T10:00:00Z');
    h.sink.clear();
    const r = await send(h, mail, {
      from: `Alex Morgan <${RM}>`,
      to: `Sam Patel <${SAM}>`,
      cc: INBOX,
      subject: 'Care plan actions [escalate]',
      body: 'Could you send the care plan actions, please?\r\n\r\nChild: AB-1190\r\nSafeguarding: yes\r\n\r\nAlex',
      verified: false,
    });
    expect(r.verdict.route).toBe('new-case');
    const confirmation = h.sink.messages.find((m) => m.parsed.subject?.startsWith('Case opened'))!;
    expect(confirmation.envelope.to).toContain(RM);
    expect(confirmation.parsed.text).toContain('no mail about this case goes to anyone outside the organisation');
    const token = tokenIn(confirmation.parsed.text);

    // The first chaser falls due on Tuesday: it waits.
    await h.advanceTo('2026-12-01T11:00:00Z');
    await h.settle();
    expect(h.sink.messages.some((m) => m.envelope.to.includes(SAM))).toBe(false);
    // Nor does anything a participant says change it meanwhile.
    const early = await send(h, mail, {
      from: `Sam Patel <${SAM}>`,
      subject: 'RE: Care plan actions',
      inReplyTo: r.id,
      body: 'Please find the actions attached, this is done.',
    });
    expect(early.verdict).toMatchObject({ route: 'reply-notice', reason: 'the request has not yet been confirmed by the person who sent it' });

    await send(h, mail, {
      from: `Alex Morgan <${RM}>`,
      subject: 'Re: Case opened',
      inReplyTo: confirmation.messageId,
      body: `CONFIRM ${token}`,
      verified: false,
    });
    await h.sink.waitFor((m) => m.envelope.to.includes(SAM));
    const row = await h.em().execute<{ id: string }[]>(`select id from escalation_case where id = ?`, [r.verdict.case_id]);
    expect(row).toHaveLength(1);
  });

  it('an opening nobody confirms closes after 2 working days, and nothing about it ever went outside', async () => {
    await h.advanceTo('2026-12-07T10:00:00Z');
    h.sink.clear();
    const r = await send(h, mail, {
      from: `Alex Morgan <${RM}>`,
      to: `Sam Patel <${SAM}>`,
      cc: INBOX,
      subject: 'Health assessment [escalate]',
      body: 'Could you send the health assessment?\r\n\r\nChild: AB-1191\r\nSafeguarding: yes\r\n\r\nAlex',
      verified: false,
    });
    await h.advanceTo('2026-12-09T10:00:00Z');
    await h.settle();
    const row = (await h.em().execute<{ status: string }[]>(`select status from escalation_case where id = ?`, [r.verdict.case_id]))[0]!;
    expect(row.status).toBe('closed');
    const sent = await h.em().execute<{ envelope_to: string[] }[]>(`select envelope_to from outbox_mail where case_id = ?`, [r.verdict.case_id]);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.flatMap((x) => x.envelope_to).every((a) => a.endsWith('@sunrise-homes.org.uk'))).toBe(true);
    expect(h.sink.messages.some((m) => m.parsed.subject?.startsWith('Closed, not confirmed'))).toBe(true);
  });

  it('a verified RM acts at once', async () => {
    const c = await open();
    await mail.command(c, ['CLOSE']);
    expect((await h.caseByRef(c.ref))!.status).toBe('closed');
  });
});

describe('1. sender verification on Microsoft 365: Exchange Online’s organisation headers', () => {
  let h: EscalatorHarness;
  let mail: CaseMail;
  beforeAll(async () => {
    h = await EscalatorHarness.start({
      name: 'sec-01-exo',
      start: '2026-11-23T10:00:00Z',
      config: { trust: { authservIds: [] } },
      org: { trust: { source: 'exchange-online', tenantId: TENANT } },
    });
    mail = new CaseMail(h);
  });
  afterAll(async () => {
    await (h as EscalatorHarness | undefined)?.close(); // unset if beforeAll failed
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') console.log(h.logs.raw.slice(-25).join('\n'));
  });

  const internal = {
    'X-MS-Exchange-Organization-AuthAs': 'Internal',
    'X-MS-Exchange-Organization-AuthMechanism': '04',
    'X-MS-Exchange-Organization-AuthSource': 'LO4P265MB5937.GBRP265.PROD.OUTLOOK.COM',
    'X-MS-Exchange-CrossTenant-Id': TENANT,
  };
  let n = 0;
  async function openInternal(): Promise<OpenedCase> {
    const r = await send(h, mail, {
      from: `Alex Morgan <${RM}>`,
      to: `Sam Patel <${SAM}>`,
      cc: INBOX,
      subject: `Statutory visit ${++n} [escalate]`,
      body: `Please send the visit record.\r\n\r\nChild: AB-12${n}0\r\n\r\nAlex`,
      headers: internal,
      verified: false,
    });
    const row = (await h.em().execute<{ ref: string; subject: string }[]>(`select ref, subject from escalation_case where id = ?`, [r.verdict.case_id]))[0]!;
    return { ref: row.ref, id: r.verdict.case_id!, requestId: r.id, subject: row.subject };
  }

  it('says at start that it reads Exchange Online’s headers for this tenant', () => {
    expect(h.logs.lines.find((l) => l.msg === 'sender trust')).toMatchObject({ level: 40, trust: 'exchange-online' });
  });

  it('AuthAs Internal (a signed-in mailbox of the tenant) acts at once; the opening needs no round trip', async () => {
    const c = await openInternal();
    expect(h.sink.messages.find((m) => m.parsed.subject?.startsWith('Case opened'))?.parsed.text).not.toContain('CONFIRM');
    const r = await send(h, mail, { from: `Alex Morgan <${RM}>`, ...replyTo(c), body: 'CLOSE', headers: internal, verified: false });
    expect(r.verdict.route).toBe('command');
    expect((await h.caseByRef(c.ref))!.status).toBe('closed');
  });

  it('Anonymous (mail from outside), a doubled AuthAs, another tenant or no headers at all: the round trip', async () => {
    const c = await openInternal();
    const before = (await h.caseByRef(c.ref))!.state;
    const cases: Record<string, string>[] = [
      { ...internal, 'X-MS-Exchange-Organization-AuthAs': 'Anonymous' },
      { ...internal, 'X-MS-Exchange-Organization-AuthAs': 'Anonymous\r\nX-MS-Exchange-Organization-AuthAs: Internal' },
      { ...internal, 'X-MS-Exchange-CrossTenant-Id': '9a8b7c6d-0000-4000-8000-000000000001' },
      {},
      // Our own MX's DMARC pass counts for nothing here: this organisation trusts Exchange only.
      { 'Authentication-Results': 'mx.sunrise-homes.org.uk; dmarc=pass header.from=sunrise-homes.org.uk' },
    ];
    for (const headers of cases) {
      const r = await send(h, mail, { from: `Alex Morgan <${RM}>`, ...replyTo(c), body: 'CLOSE', headers, verified: false });
      expect(r.verdict.route, JSON.stringify(headers)).toBe('confirm-commands');
    }
    expect((await h.caseByRef(c.ref))!.state).toEqual(before);
  });
});

describe('1. sender verification on Google Workspace: the topmost Authentication-Results from mx.google.com', () => {
  let h: EscalatorHarness;
  let mail: CaseMail;
  beforeAll(async () => {
    h = await EscalatorHarness.start({
      name: 'sec-01-google',
      start: '2026-11-23T10:00:00Z',
      config: { trust: { authservIds: [] } },
      org: { trust: { source: 'google-workspace' } },
    });
    mail = new CaseMail(h);
  });
  afterAll(async () => {
    await (h as EscalatorHarness | undefined)?.close(); // unset if beforeAll failed
  });
  const google = (dmarc: string, dkim = 'pass') =>
    `mx.google.com; dkim=${dkim} header.i=@sunrise-homes.org.uk; spf=${dkim} smtp.mailfrom=sunrise-homes.org.uk; dmarc=${dmarc} header.from=sunrise-homes.org.uk`;

  it('Google’s pass acts at once; a forged pass below Google’s own verdict does not count', async () => {
    const opened = await send(h, mail, {
      from: `Alex Morgan <${RM}>`,
      to: `Sam Patel <${SAM}>`,
      cc: INBOX,
      subject: 'Minutes [escalate]',
      body: 'Please send the minutes.\r\n\r\nChild: AB-1301\r\n\r\nAlex',
      headers: { 'Authentication-Results': google('pass (p=REJECT sp=REJECT dis=NONE)') },
    });
    const row = (
      await h.em().execute<{ ref: string; subject: string }[]>(`select ref, subject from escalation_case where id = ?`, [opened.verdict.case_id])
    )[0]!;
    const c = { ref: row.ref, id: opened.verdict.case_id!, requestId: opened.id, subject: row.subject };
    expect(h.logs.lines.find((l) => l.msg === 'sender trust')).toMatchObject({ trust: 'google-workspace' });

    // Google said none; a pass the sender wrote further down is not Google's.
    const forged = await send(h, mail, {
      from: `Alex Morgan <${RM}>`,
      ...replyTo(c),
      body: 'CLOSE',
      headers: { 'Authentication-Results': `${google('none', 'none')}\r\nAuthentication-Results: ${google('pass')}` },
    });
    expect(forged.verdict.route).toBe('confirm-commands');
    expect((await h.caseByRef(c.ref))!.status).toBe('open');

    const real = await send(h, mail, { from: `Alex Morgan <${RM}>`, ...replyTo(c), body: 'CLOSE', headers: { 'Authentication-Results': google('pass') } });
    expect(real.verdict.route).toBe('command');
    expect((await h.caseByRef(c.ref))!.status).toBe('closed');
  });
});
