/**
 * Issue 15.4, FIRO, through the real services: "Where appropriate the foster carer should be
 * informed that they are seeking resolution to a problem on their behalf and for the child in their
 * care and they should be kept informed of how the resolution is progressing." A FIRO case that
 * says `Foster carer informed: yes` writes to the carer at stage 1 (the opening), at stage 2 and
 * when it is resolved; a case that does not say so writes to them never, though their address is
 * on it. Opened Monday 23 November 2026 10:00 (GMT); stage 2 falls due Monday 30 November 09:00.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CaseMail, type OpenedCase } from '../support/case-mail.js';
import { EscalatorHarness } from '../support/escalator-harness.js';
import type { CapturedMessage } from '../support/smtp-sink.js';
import { ifStarted } from '../support/if-started.js';

const CARER = 'pat.carer@carers.example.net';
const OTHER_CARER = 'lee.carer@carers.example.net';
const SSW_TM = 'sam.tm@sunrise-homes.org.uk';
const FIRO_PEOPLE = [
  'Supervising social worker: Jo Ssw <jo.ssw@sunrise-homes.org.uk>',
  'Fostering service manager: Fran Manager <fran.fsm@sunrise-homes.org.uk>',
  'Head of service: Hal Head <hal.hos@sunrise-homes.org.uk>',
];

const recipients = (m: CapturedMessage) => m.envelope.to.map((a) => a.toLowerCase());
const flat = (m: CapturedMessage) => (m.parsed.text ?? '').replace(/\s+/g, ' ');
/** What the FIRO writes, before the signature and the service's footer. */
const body = (m: CapturedMessage) => flat(m).slice(0, flat(m).indexOf('Kind regards'));
const JARGON = /\b(ladder|escalat\w*|RM|LCS|case|rung|command|approval|Ofsted|legal|chaser|stage|timetable)\b/i;

describe('FIRO: the foster carer told at stage 1, at each stage and at the end, where the case says so', () => {
  let h: EscalatorHarness;
  let told: OpenedCase;
  let untold: OpenedCase;
  let mail: CaseMail;

  beforeAll(async () => {
    h = await EscalatorHarness.start({ name: 'firo_carer', start: '2026-11-23T10:00:00Z' });
    mail = new CaseMail(h);
  });
  afterAll(async () => {
    await ifStarted(h, (x) => x.close());
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') console.log(h.logs.raw.slice(-25).join('\n'));
  });

  const toCarer = (address: string, c: OpenedCase) => (m: CapturedMessage) =>
    recipients(m).includes(address) && (m.parsed.subject ?? '').includes(`[${c.ref}]`);

  it('stage 1: the carer is told the FIRO is seeking resolution on their behalf, in plain words; the other carer hears nothing', async () => {
    told = await mail.open({
      professional: `Sam Tm <${SSW_TM}>`,
      subject: 'Supervision visits not happening [escalate]',
      body: 'FIRO Dispute Resolution Stage 1: the supervision visits agreed at the review have not taken place.',
      directives: ['Ladder: firo-dispute-resolution', 'Child: AB-7001', ...FIRO_PEOPLE, 'Foster carer informed: yes', `Foster carer: Pat Carer <${CARER}>`],
    });
    untold = await mail.open({
      professional: `Sam Tm <${SSW_TM}>`,
      subject: 'Training plan not agreed [escalate]',
      directives: ['Ladder: firo-dispute-resolution', 'Child: AB-7002', ...FIRO_PEOPLE, `Foster carer: Lee Carer <${OTHER_CARER}>`],
    });
    const note = await h.sink.waitFor(toCarer(CARER, told));
    expect(recipients(note)).toEqual([CARER]);
    expect(note.parsed.cc).toBeUndefined();
    expect(note.parsed.subject).toBe(`Seeking to resolve a concern on your behalf: Supervision visits not happening [${told.ref}]`);
    expect(flat(note)).toContain(
      'Dear Pat Carer, I am writing to let you know that I am seeking to resolve a concern on your behalf and for the child in your care (AB-7001): Supervision visits not happening.',
    );
    expect(flat(note)).toContain('I will keep you informed of how it is progressing');
    expect(body(note).replace('Supervision visits not happening', '')).not.toMatch(JARGON);
    // The request's own words stay with the people it went to.
    expect(flat(note)).not.toContain('supervision visits agreed at the review');

    const confirmations = h.sink.messages.filter((m) => m.parsed.subject?.startsWith('Case opened'));
    expect(confirmations.map((m) => /Foster carer informed: (yes|no)/.exec(flat(m))?.[1])).toEqual(['yes', 'no']);
    expect(h.sink.messages.filter((m) => recipients(m).includes(OTHER_CARER))).toEqual([]);
  });

  it('stage 2: the carer of the case that says so gets the stage’s note; the other carer still nothing', async () => {
    h.sink.clear();
    await h.advanceTo('2026-11-30T09:00:00Z');
    const note = await h.sink.waitFor(toCarer(CARER, told));
    await h.settle();
    expect(note.parsed.subject).toBe(`Update on the concern raised for you: Supervision visits not happening [${told.ref}]`);
    // What was done in the carer's words, not the stage's title; questions to the FIRO, not the
    // supervising social worker the dispute is with; a footer that says nothing meant for staff.
    expect(flat(note)).toContain('I asked a more senior manager, the Fostering Service Manager, for a meeting to try to resolve it.');
    expect(flat(note)).not.toMatch(/Stage 2|supervising social worker|escalation inbox/i);
    expect(flat(note)).toMatch(/please contact me \(\S+@\S+\) or reply to this email\./);
    expect(flat(note)).toContain('If you reply, please keep the reference in the subject so that your reply reaches me.');
    // Both cases went to stage 2.
    expect((await h.caseByRef(untold.ref))!.state.steps[0]!.status).toBe('sent');
    expect(h.sink.messages.filter((m) => recipients(m).includes(OTHER_CARER))).toEqual([]);
  });

  it('the end: resolved, the carer is told so plainly; the other case closed, its carer never written to', async () => {
    h.sink.clear();
    h.clock.set('2026-12-02T11:00:00Z');
    await mail.command(told, ['RESOLVED']);
    const note = await h.sink.waitFor(toCarer(CARER, told));
    expect(note.parsed.subject).toBe(`The concern has been resolved: Supervision visits not happening [${told.ref}]`);
    expect(flat(note)).toContain(
      'the concern I was seeking to resolve on your behalf and for the child in your care (AB-7001) has now been resolved: Supervision visits not happening.',
    );
    expect(body(note).replace('Supervision visits not happening', '')).not.toMatch(JARGON);

    await mail.command(untold, ['CLOSE']);
    await h.settle();
    expect(h.sink.messages.filter((m) => recipients(m).includes(OTHER_CARER))).toEqual([]);
    // One note at each of the three moments, and no more.
    const row = (await h.caseByRef(told.ref))!;
    expect(typeof row.state.keptInformed?.opening).toBe('string');
    expect(row.state.keptInformed?.ends).toEqual([row.state.resolvedAt]);
  });
});
