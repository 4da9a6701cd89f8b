import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Message } from '../../src/db/entities/index.js';
import { EscalatorHarness, INBOX, RM, rfc822 } from '../support/escalator-harness.js';
import { waitFor } from '../support/wait.js';
import { ifStarted } from '../support/if-started.js';

/** A practitioner in the organisation raises a disagreement with their own team manager. */
const PRACTITIONER = 'chris.lee@sunrise-homes.org.uk';
const TEAM_MANAGER = 'taylor.reed@sunrise-homes.org.uk';

describe('an internal ladder chases colleagues: their replies are replies, not commands', () => {
  let h: EscalatorHarness;
  let n = 0;

  beforeAll(async () => {
    h = await EscalatorHarness.start({ name: 'internal', start: '2026-11-23T10:00:00Z' });
  });
  afterAll(async () => {
    await ifStarted(h, (x) => x.close());
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') console.log(h.logs.raw.slice(-25).join('\n'));
  });

  async function open(): Promise<{ ref: string; id: string; request: string; subject: string }> {
    n++;
    const request = `<internal-${n}@sunrise-homes.org.uk>`;
    const subject = `Disagreement about the plan ${n}`;
    await h.append(
      rfc822({
        from: `Chris Lee <${PRACTITIONER}>`,
        to: `Taylor Reed <${TEAM_MANAGER}>`,
        cc: INBOX,
        subject: `${subject} [escalate]`,
        messageId: request,
        date: h.clock.now(),
        body: `Ladder: practice-disagreement\r\nChild: AB-40${n}\r\n\r\nI would like a meeting about the case direction, please.`,
      }),
    );
    const confirmation = await h.sink.waitFor((m) => m.parsed.subject?.startsWith(`Case opened: ${subject} [`) ?? false);
    const ref = /\[(ESC-\d{4}-\d{4})\]/.exec(confirmation.parsed.subject ?? '')![1]!;
    await h.settle();
    const row = (await h.caseByRef(ref))!;
    expect(row.ladderId).toBe('practice-disagreement');
    expect(row.state.participants).toContainEqual(expect.objectContaining({ role: 'team-manager', email: TEAM_MANAGER }));
    return { ref, id: row.id, request, subject };
  }

  function fromTeamManager(c: { ref: string; request: string; subject: string }, messageId: string, body: string): string {
    return rfc822({
      from: `Taylor Reed <${TEAM_MANAGER}>`,
      to: `Chris Lee <${PRACTITIONER}>`,
      cc: INBOX,
      subject: `RE: ${c.subject} [${c.ref}]`,
      messageId,
      date: h.clock.now(),
      inReplyTo: c.request,
      references: c.request,
      body,
    });
  }

  async function verdict(messageId: string) {
    return waitFor(
      async () => {
        const m = await h.em().findOne(Message, { messageId });
        return m && m.status !== 'pending' ? m : undefined;
      },
      { what: `a verdict on ${messageId}` },
    );
  }

  it('the chased team manager (staff) says it is done: the practitioner who raised it is asked to confirm, the RM copied', async () => {
    const c = await open();
    h.sink.clear();
    h.clock.set('2026-11-23T14:00:00Z');
    await h.append(fromTeamManager(c, '<tm-done@sunrise-homes.org.uk>', 'Hi Chris,\r\n\r\nWe met this afternoon and this is now done.\r\n\r\nTaylor'));
    const notice = await h.sink.waitFor((m) => m.parsed.subject?.startsWith('Response received') ?? false);
    expect([...notice.envelope.to].sort()).toEqual([PRACTITIONER, RM].sort());
    expect(notice.parsed.to).toMatchObject({ value: [{ address: PRACTITIONER }] });
    await h.settle();
    const m = await verdict('<tm-done@sunrise-homes.org.uk>');
    expect(m.route).toBe('reply');
    expect(m.analysis).toMatchObject({ classification: { class: 'resolved' } });
    const row = (await h.caseByRef(c.ref))!;
    expect(row.status).toBe('awaiting-confirmation');
    expect(row.state.status).toBe('awaiting-confirmation');
  });

  it('the chased team manager writes CLOSE: nothing closes, the RM gets the words', async () => {
    h.clock.set('2026-11-24T10:00:00Z');
    const c = await open();
    h.sink.clear();
    await h.append(fromTeamManager(c, '<tm-close@sunrise-homes.org.uk>', 'CLOSE\r\n\r\nTaylor'));
    const notice = await h.sink.waitFor((m) => m.parsed.subject?.startsWith('Reply received') ?? false);
    expect(notice.envelope.to).toContain(RM);
    expect(notice.parsed.text).toContain('CLOSE');
    await h.settle();
    const m = await verdict('<tm-close@sunrise-homes.org.uk>');
    expect(m.route).toBe('reply');
    const row = (await h.caseByRef(c.ref))!;
    expect(row.status).toBe('open');
    expect(h.sink.messages.some((x) => x.parsed.subject?.startsWith('Done:'))).toBe(false);
    const events = await h.em().execute<{ type: string }[]>(`select type from case_event where case_id = ? order by id`, [c.id]);
    expect(events.map((e) => e.type)).not.toContain('closed');
    expect(events.at(-1)?.type).toBe('reply-received');
  });

  it('the chased team manager promises "within 5 working days" at Christmas: read on the bank-holiday calendar, beyond the next two levels, so the RM is asked', async () => {
    h.clock.set('2026-12-22T10:00:00Z');
    const c = await open();
    h.sink.clear();
    await h.append(
      fromTeamManager(c, '<tm-promise@sunrise-homes.org.uk>', 'Hi Chris,\r\n\r\nI will send you the meeting notes within 5 working days.\r\n\r\nTaylor'),
    );
    const notice = await h.sink.waitFor((m) => (m.parsed.subject?.startsWith('Reply received') ?? false) && (m.parsed.subject?.includes(c.ref) ?? false));
    expect(notice.envelope.to).toContain(RM);
    await h.settle();
    const m = await verdict('<tm-promise@sunrise-homes.org.uk>');
    expect(m.route).toBe('reply');
    // 25 and 28 December are bank holidays in England: 23, 24, 29, 30, 31 (not 29 December).
    expect(m.analysis).toMatchObject({ classification: { class: 'promise', promiseDate: '2026-12-31' } });
    // One working day a level: 31 December is beyond the next two levels, so the promise holds
    // nothing by itself (issue 13, point 6); the RM is asked and the ladder goes on.
    const row = (await h.caseByRef(c.ref))!;
    expect(row.state.hold).toBeUndefined();
    expect(notice.parsed.text).toContain('They have promised it by Thursday 31 December 2026');
    expect(notice.parsed.text).toContain('PAUSE until 31 December 2026');
  });
});
