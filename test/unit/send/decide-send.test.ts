/**
 * The send job's rules on tables of cases, without a database, a queue or a server: whether a
 * claimed mail may go (decideSend) and what is recorded once the transport has answered
 * (afterSend). The integration tests drive the same rules through the real SMTP sink.
 */
import { describe, expect, it } from 'vitest';
import { WorkCalendar } from '../../../src/domain/calendar/work-calendar.js';
import { SendError } from '../../../src/runtime/mail-transport.js';
import {
  afterSend,
  candidateFor,
  decideSend,
  EVIDENCE_PATIENCE_MS,
  MAX_ATTEMPTS,
  type SendCandidate,
  type SendDecision,
  type SendFacts,
} from '../../../src/workflows/send/decide-send.js';

const calendar = new WorkCalendar({ nation: 'england-and-wales', timezone: 'Europe/London', window: { start: '09:00', end: '17:00' } });
const at = (iso: string) => new Date(iso);
// Monday 7 December 2026, 10:00 GMT: inside the window.
const OPEN = at('2026-12-07T10:00:00Z');
// The same day at 18:00: the window has closed; it opens again at 09:00 on Tuesday.
const EVENING = at('2026-12-07T18:00:00Z');
const TUESDAY_OPENING = at('2026-12-08T09:00:00Z');
const minutes = (d: Date, n: number) => new Date(d.getTime() + n * 60_000);

const chaser: SendCandidate = { waitsForWindow: true, attempts: 1, abandonedAt: null };
const notice: SendCandidate = { waitsForWindow: false, attempts: 1, abandonedAt: null };
const abandoned = (ago: number, now = OPEN): SendCandidate => ({ ...chaser, abandonedAt: minutes(now, -ago) });

describe('decideSend', () => {
  const cases: [string, Omit<SendFacts, 'calendar'>, SendDecision][] = [
    ['inside the window, nothing asked yet: take a send slot first', { now: OPEN, mail: chaser }, { kind: 'reserve-slot' }],
    ['inside the window with a slot now: send', { now: OPEN, mail: chaser, slotAt: null }, { kind: 'send' }],
    ['window closed: a chaser waits for the next opening', { now: EVENING, mail: chaser }, { kind: 'wait', until: TUESDAY_OPENING, reason: 'send-window' }],
    ['window closed: a notice to the RM goes at once', { now: EVENING, mail: notice, slotAt: null }, { kind: 'send' }],
    [
      'rate-limited: waits for the slot the limiter reserved',
      { now: OPEN, mail: chaser, slotAt: minutes(OPEN, 1) },
      { kind: 'wait', until: minutes(OPEN, 1), reason: 'rate-limit' },
    ],
    [
      'rate-limited into the evening: a chaser waits for the opening after the slot',
      { now: at('2026-12-07T16:59:30Z'), mail: chaser, slotAt: at('2026-12-07T17:00:30Z') },
      { kind: 'wait', until: TUESDAY_OPENING, reason: 'rate-limit' },
    ],
    ['abandoned, found in the Sent folder: record it, do not send again', { now: OPEN, mail: abandoned(10), evidence: 'found' }, { kind: 'already-sent' }],
    ['abandoned, not in the Sent folder: send (after a slot)', { now: OPEN, mail: abandoned(10), evidence: 'not-found' }, { kind: 'reserve-slot' }],
    [
      'abandoned, folder unreadable within the patience: ask again in two minutes',
      { now: OPEN, mail: abandoned(10), evidence: 'unknown' },
      { kind: 'wait', until: minutes(OPEN, 2), reason: 'evidence-unknown' },
    ],
    [
      'abandoned, folder unreadable past the patience: send rather than never',
      { now: OPEN, mail: abandoned(EVIDENCE_PATIENCE_MS / 60_000 + 1), evidence: 'unknown', slotAt: null },
      { kind: 'send' },
    ],
    ['abandoned, no Sent folder to ask: send', { now: OPEN, mail: abandoned(10), slotAt: null }, { kind: 'send' }],
    [
      'abandoned and found, even outside the window: recorded at once',
      { now: EVENING, mail: abandoned(10, EVENING), evidence: 'found' },
      { kind: 'already-sent' },
    ],
  ];
  it.each(cases)('%s', (_name, facts, expected) => {
    expect(decideSend({ ...facts, calendar })).toEqual(expected);
  });
});

describe('afterSend', () => {
  const accepted = (rejected: { address: string; code?: number }[] = []) => ({
    result: { accepted: ['sam@la.example.gov.uk'], rejected, response: '250 ok' },
  });
  const failed = (error: SendError) => ({ error });
  const mail = (attempts = 1, over: Partial<SendCandidate> = {}) => ({
    ...chaser,
    attempts,
    ...over,
    envelopeTo: ['sam@la.example.gov.uk', 'jo@la.example.gov.uk', 'rm@home.example.org'],
    rows: ['row-1'],
  });

  it('accepted for everyone: sent, nothing to record on the case', () => {
    expect(afterSend({ now: OPEN, calendar, mail: mail(), answer: accepted() })).toEqual({
      kind: 'sent',
      response: '250 ok',
      bounced: [],
      givenUp: [],
      resendTo: [],
      resendAt: null,
      refusalsOn: [],
    });
  });

  it('a 4xx for the whole message: tried again after the back-off, the attempt counted', () => {
    const out = afterSend({ now: OPEN, calendar, mail: mail(3), answer: failed(new SendError('451 busy', true, 451)) });
    expect(out).toEqual({ kind: 'retry', at: minutes(OPEN, 4), error: '451 busy' });
  });

  it('a 4xx in the evening: the retry of a chaser waits for the opening', () => {
    expect(afterSend({ now: EVENING, calendar, mail: mail(1), answer: failed(new SendError('451 busy', true, 451)) })).toMatchObject({
      kind: 'retry',
      at: TUESDAY_OPENING,
    });
  });

  it('a 5xx for the whole message: failed at once, the RM told the reason', () => {
    const out = afterSend({ now: OPEN, calendar, mail: mail(1), answer: failed(new SendError('554 rejected', false, 554, '554 rejected')) });
    expect(out).toEqual({ kind: 'failed', error: '554 rejected', response: '554 rejected', rejected: [], reason: '554 rejected', temporary: false });
  });

  it('every recipient refused with a 5xx: failed, the addresses marked undeliverable', () => {
    const refused = [{ address: 'sam@la.example.gov.uk', code: 550 }];
    const out = afterSend({ now: OPEN, calendar, mail: mail(1), answer: failed(new SendError('550 no such user', false, 550, undefined, refused)) });
    expect(out).toMatchObject({ kind: 'failed', rejected: refused, reason: '550 no such user' });
  });

  it('attempts exhausted on a temporary failure: given up, saying after how many', () => {
    const out = afterSend({ now: OPEN, calendar, mail: mail(MAX_ATTEMPTS), answer: failed(new SendError('421 try later', true, 421)) });
    expect(out).toMatchObject({ kind: 'failed', temporary: true, reason: `gave up after ${MAX_ATTEMPTS} attempts: 421 try later` });
    expect(afterSend({ now: OPEN, calendar, mail: mail(MAX_ATTEMPTS - 1), answer: failed(new SendError('421', true, 421)) }).kind).toBe('retry');
  });

  it('the server asks to wait (retry-after): waits that long, no attempt used, even on the last attempt', () => {
    const error = new SendError('429 too many requests', true, 429, undefined, [], 90_000);
    expect(afterSend({ now: OPEN, calendar, mail: mail(MAX_ATTEMPTS), answer: failed(error) })).toEqual({
      kind: 'wait',
      until: new Date(OPEN.getTime() + 90_000),
      reason: 'server-asked',
    });
    expect(afterSend({ now: at('2026-12-07T16:59:30Z'), calendar, mail: mail(2), answer: failed(error) })).toMatchObject({ until: TUESDAY_OPENING });
  });

  it('partial refusal: a 5xx recipient is a bounce at once, a 4xx one gets the mail again later', () => {
    const out = afterSend({
      now: OPEN,
      calendar,
      mail: mail(2),
      answer: accepted([
        { address: 'jo@la.example.gov.uk', code: 550 },
        { address: 'rm@home.example.org', code: 452 },
      ]),
    });
    expect(out).toEqual({
      kind: 'sent',
      response: '250 ok',
      bounced: [{ address: 'jo@la.example.gov.uk', code: 550 }],
      givenUp: [],
      resendTo: [{ address: 'rm@home.example.org', code: 452 }],
      resendAt: minutes(OPEN, 2),
      refusalsOn: ['row-1'],
    });
  });

  it('partial refusal on the last attempt: the 4xx recipients are given up on with the reason', () => {
    const out = afterSend({ now: OPEN, calendar, mail: mail(MAX_ATTEMPTS), answer: accepted([{ address: 'rm@home.example.org', code: 452 }]) });
    expect(out).toMatchObject({
      kind: 'sent',
      givenUp: [{ address: 'rm@home.example.org', code: 452 }],
      resendTo: [],
      resendAt: null,
      rejectionReason: `recipients refused (temporary refusals given up on after ${MAX_ATTEMPTS} attempts)`,
    });
  });

  it('a 4xx refusal of someone not in the envelope cannot be sent again: given up on', () => {
    const out = afterSend({ now: OPEN, calendar, mail: mail(1), answer: accepted([{ address: 'stranger@x.example', code: 450 }]) });
    expect(out).toMatchObject({ resendTo: [], givenUp: [{ address: 'stranger@x.example', code: 450 }] });
  });

  it('a bundle of N: decided as one mail, waiting for the window, its refusals recorded on every case it carried', () => {
    const rows = [
      { waitsForWindow: false, attempts: 2, abandonedAt: null },
      { waitsForWindow: true, attempts: 1, abandonedAt: null },
      { waitsForWindow: true, attempts: 5, abandonedAt: null },
    ];
    const candidate = candidateFor(rows);
    expect(candidate).toEqual({ waitsForWindow: true, attempts: 2, abandonedAt: null });
    expect(candidateFor(rows.slice(0, 1))).toEqual({ waitsForWindow: false, attempts: 2, abandonedAt: null });
    expect(decideSend({ now: EVENING, calendar, mail: candidate })).toEqual({ kind: 'wait', until: TUESDAY_OPENING, reason: 'send-window' });
    const out = afterSend({
      now: OPEN,
      calendar,
      mail: { ...candidate, envelopeTo: ['sam@la.example.gov.uk'], rows: ['a', 'b', 'c'] },
      answer: accepted([{ address: 'sam@la.example.gov.uk', code: 550 }]),
    });
    expect(out).toMatchObject({ kind: 'sent', bounced: [{ address: 'sam@la.example.gov.uk', code: 550 }], refusalsOn: ['a', 'b', 'c'] });
    expect(() => candidateFor([])).toThrow(/nothing to send/);
  });
});
