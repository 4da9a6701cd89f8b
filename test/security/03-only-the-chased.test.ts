// Issue 13, point 3: only the chased may answer for themselves. Someone merely copied, or an
// outside address a directive added, is read and passed to the RM and changes nothing; a directive
// never gives an outside address a staff role; a confirmer from outside may only say RESOLVED or
// ESCALATE.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CaseMail, type OpenedCase } from '../support/case-mail.js';
import { EscalatorHarness, INBOX, REPO_ROOT, RM } from '../support/escalator-harness.js';
import { send } from './support.js';

const SAM = 'sam.patel@northshire.gov.uk';
const JO = 'jo.bennett@northshire.gov.uk';
const KIM = 'kim.iro@northshire.gov.uk';
const EVE = 'eve@attacker.example';
const ADA = 'ada.adm@panel-services.org.uk';

describe('3. only the chased may answer for themselves', () => {
  let h: EscalatorHarness;
  let mail: CaseMail;
  let n = 0;
  beforeAll(async () => {
    // The panel's Agency Decision Maker is independent: the directory names her, outside the organisation.
    const dir = mkdtempSync(join(tmpdir(), 'sec-03-'));
    const directory = join(dir, 'directory.yaml');
    writeFileSync(directory, `${readFileSync(join(REPO_ROOT, 'test/fixtures/directory.yaml'), 'utf8')}    adm: { name: Ada Decision, email: ${ADA} }\n`);
    h = await EscalatorHarness.start({ name: 'sec-03', start: '2026-11-23T10:00:00Z', directory });
    mail = new CaseMail(h);
  });
  afterAll(async () => {
    await (h as EscalatorHarness | undefined)?.close(); // unset if beforeAll failed
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') console.log(h.logs.raw.slice(-25).join('\n'));
  });
  const open = (extra: string[] = [], cc?: string) =>
    mail.open({ professional: `Sam Patel <${SAM}>`, directives: [`Child: AB-30${++n}1`, ...extra], ...(cc ? { cc } : {}) });
  const reply = (c: OpenedCase, from: string, body: string) => send(h, mail, { from, subject: `RE: ${c.subject} [${c.ref}]`, inReplyTo: c.requestId, body });

  it('someone only copied on the request who says it is done changes nothing; the RM is shown the reply', async () => {
    const c = await open([], `${INBOX}, Kim Shaw <${KIM}>`);
    const before = (await h.caseByRef(c.ref))!.state;
    h.sink.clear();
    const r = await reply(c, `Kim Shaw <${KIM}>`, 'Hi Alex,\r\n\r\nPlease find the minutes attached, this is now done.\r\n\r\nKim');
    expect(r.verdict).toMatchObject({ route: 'reply-notice', case_id: c.id });
    expect((await h.caseByRef(c.ref))!.state).toEqual(before);
    const notice = await h.sink.waitFor((m) => m.parsed.subject?.startsWith('Reply received') ?? false);
    expect(notice.envelope.to).toEqual([RM]);
    expect(notice.parsed.text).toContain('It has not changed the case: they are copied on the case, not asked to act');
    expect(notice.parsed.text).toContain('Please find the minutes attached');
  });

  it('an outside address a directive added cannot answer before a rung has written to it', async () => {
    const c = await open([`Team manager: Jo Bennett <${JO}>`]);
    const before = (await h.caseByRef(c.ref))!.state;
    const r = await reply(c, `Jo Bennett <${JO}>`, 'Please find the minutes attached. Apologies for the delay.');
    expect(r.verdict.route).toBe('reply-notice');
    expect(r.verdict.reason).toMatch(/no step of the ladder has written to them/);
    expect((await h.caseByRef(c.ref))!.state).toEqual(before);
    // The professional the request was addressed to does answer for themselves.
    await reply(c, `Sam Patel <${SAM}>`, 'I have sent the minutes to Alex by post today, so this is now done.');
    // Acted on: a done reply waits for the RM's confirmation (issue 14).
    expect((await h.caseByRef(c.ref))!.status).toBe('awaiting-confirmation');
  });

  it('a directive cannot make an outside address the Registered Manager; the acknowledgement says why', async () => {
    const c = await open();
    h.sink.clear();
    await mail.command(c, [`Registered manager: Eve <${EVE}>`]);
    const answer = await h.sink.waitFor((m) => m.envelope.to.includes(RM) && (m.parsed.subject?.startsWith('Not understood') ?? false));
    expect(answer.parsed.text).toContain(`${EVE} is outside the organisation`);
    expect((await h.caseByRef(c.ref))!.state.participants.some((p) => p.email === EVE)).toBe(false);
    // So Eve's CLOSE is a stranger's.
    const r = await reply(c, `Eve <${EVE}>`, 'CLOSE');
    expect(r.verdict.route).toBe('flagged');
    expect((await h.caseByRef(c.ref))!.status).toBe('open');
  });

  it('an opening request cannot name an outside confirmer either: refused with the reason in the confirmation', async () => {
    h.sink.clear();
    const c = await mail.open({
      professional: `Rob Five <rob.five@northshire.gov.uk>`,
      subject: 'Panel escalation form [escalate]',
      directives: ['Ladder: fostering-panel', 'Child: AB-3999', `Panel chair: Eve <${EVE}>`],
    });
    const confirmation = await h.sink.waitFor((m) => m.parsed.subject?.startsWith('Case opened') ?? false);
    expect(confirmation.parsed.text).toContain(`${EVE} is outside the organisation`);
    expect((await h.caseByRef(c.ref))!.state.participants.some((p) => p.email === EVE)).toBe(false);
  });

  it('a confirmer from outside may say RESOLVED or ESCALATE, nothing else', async () => {
    const c = await mail.open({
      professional: `Rob Five <rob.five@northshire.gov.uk>`,
      subject: 'Panel escalation form [escalate]',
      directives: ['Ladder: fostering-panel', 'Child: AB-3998'],
    });
    const before = (await h.caseByRef(c.ref))!.state;
    h.sink.clear();
    const pause = await reply(c, `Ada Decision <${ADA}>`, 'PAUSE until 31 December 2026');
    expect(pause.verdict.route).toBe('command');
    expect((await h.caseByRef(c.ref))!.state).toEqual(before);
    const answer = await h.sink.waitFor((m) => m.envelope.to.includes(ADA));
    expect(answer.parsed.text).toMatch(/asked to confirm responses on this .* case you may reply RESOLVED, NOT DONE or ESCALATE/);
    await reply(c, `Ada Decision <${ADA}>`, 'RESOLVED');
    expect((await h.caseByRef(c.ref))!.status).toBe('resolved');
  });
});
