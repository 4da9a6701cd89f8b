import { describe, expect, it } from 'vitest';
import { Access, grantsFor } from '../../../src/web/access.js';
import { buildBoard, groupOf } from '../../../src/web/board.js';
import { actionsFor, commandFor } from '../../../src/web/case-actions.js';
import { safeReturn } from '../../../src/web/guard.js';
import { holdNotes } from '../../../src/web/hold-notes.js';
import type { CaseState } from '../../../src/domain/case/case-state.js';
import { escapeHtml, html } from '../../../src/web/html.js';
import type { CaseFacts } from '../../../src/reports/case-facts.js';

const access = [
  { group: 'rms', role: 'rm' as const, organisations: ['a'] },
  { group: 'managers', role: 'manager' as const, organisations: ['a', 'b'] },
  { group: 'audit', role: 'auditor' as const, organisations: ['b'] },
];
const user = (groups: string[]) => ({ sub: 's', email: 'x@a.example', name: 'X', groups });

describe('web access: groups to roles', () => {
  it('gives each group its grant and nothing for unknown groups', () => {
    expect(grantsFor(user(['rms', 'other']), access)).toEqual([{ role: 'rm', organisations: ['a'] }]);
    expect(Access.of(user(['other']), access).any).toBe(false);
  });
  it('names a Google account by its verified address or its Workspace domain (the hd claim), never by the address’s suffix', () => {
    const grants = [
      { email: 'jo@a.example', role: 'rm' as const, organisations: ['a'] },
      { domain: 'b.example', role: 'auditor' as const, organisations: ['b'] },
    ];
    const google = (email: string, o: { emailVerified?: boolean; hostedDomain?: string }) => ({ groups: [], email, ...o });
    expect(grantsFor(google('Jo@A.example', { emailVerified: true }), grants)).toEqual([{ role: 'rm', organisations: ['a'] }]);
    expect(grantsFor(google('jo@a.example', { emailVerified: false }), grants)).toEqual([]);
    expect(grantsFor(google('jo@a.example', {}), grants)).toEqual([]);
    expect(grantsFor(google('kim@b.example', { emailVerified: true, hostedDomain: 'B.example' }), grants)).toEqual([{ role: 'auditor', organisations: ['b'] }]);
    expect(grantsFor(google('kim@b.example', { emailVerified: true }), grants)).toEqual([]);
  });
  it('lets an RM act on its own organisation only, an auditor read only', () => {
    const rm = Access.of(user(['rms']), access);
    expect([rm.canRead('a'), rm.canAct('a'), rm.canRead('b'), rm.canAct('b')]).toEqual([true, true, false, false]);
    const auditor = Access.of(user(['audit']), access);
    expect([auditor.canRead('b'), auditor.canAct('b'), auditor.canRead('a')]).toEqual([true, false, false]);
    const both = Access.of(user(['audit', 'managers']), access);
    expect(both.canAct('b')).toBe(true);
    expect(both.organisations).toEqual(['a', 'b']);
  });
});

describe('web: returning after sign-in', () => {
  it('returns only to a path on this site', () => {
    expect(safeReturn('/cases/ESC-2026-0001')).toBe('/cases/ESC-2026-0001');
    for (const bad of ['//evil.example/', '/\\evil.example', 'https://evil.example/', '', undefined, 42]) expect(safeReturn(bad)).toBe('/');
  });
});

describe('web: html escapes what it is given', () => {
  it('escapes values and keeps nested html', () => {
    const subject = '<script>alert(1)</script> & "x"';
    expect(html`<p>${subject}</p>`.value).toBe('<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;</p>');
    expect(
      html`<ul>
        ${['<a>', 'b'].map((s) => html`<li>${s}</li>`)}
      </ul>`.value.replace(/\s+/g, ''),
    ).toBe('<ul><li>&lt;a&gt;</li><li>b</li></ul>');
    expect(escapeHtml("'")).toBe('&#39;');
  });
});

describe('web: actions are the mailed commands', () => {
  it('maps each action to its command and checks the fields', () => {
    expect(commandFor('resolve', {})).toEqual({ kind: 'resolved' });
    expect(commandFor('pause', { until: '2026-12-14' })).toEqual({ kind: 'pause', until: '2026-12-14' });
    expect(commandFor('pause', { until: 'next week' })).toMatch(/date/);
    expect(commandFor('extend', { days: '3' })).toEqual({ kind: 'extend', by: { unit: 'd', n: 3 }, ladderClock: true });
    expect(commandFor('extend', { days: '0' })).toMatch(/whole number/);
    expect(commandFor('extend', { days: '2.5' })).toMatch(/whole number/);
  });
  it('offers approve and skip only for a draft, reopen only when finished', () => {
    expect(actionsFor('open', true)).toEqual(['approve', 'skip', 'resolve', 'pause', 'extend', 'escalate']);
    expect(actionsFor('paused', false)).toEqual(['resolve', 'resume', 'extend', 'escalate']);
    expect(actionsFor('resolved', false)).toEqual(['reopen']);
    expect(actionsFor('awaiting-confirmation', false)).toEqual(['resolve', 'not-done', 'pause', 'extend', 'escalate']);
    expect(commandFor('not-done', {})).toEqual({ kind: 'not-done' });
  });
});

function facts(over: Partial<CaseFacts>): CaseFacts {
  return {
    ref: 'ESC-2026-0001',
    status: 'open',
    ladderId: 'l1',
    ladderTitle: 'Ladder one',
    localAuthority: 'Northshire',
    awaitingApproval: null,
    awaitingConfirmationSince: null,
    missingContacts: [],
    bounced: [],
    nextActionAt: null,
    ...over,
  } as CaseFacts;
}

describe('web board', () => {
  it('puts each case in the first group that needs it, each group by next action then reference', () => {
    const list = [
      facts({ ref: 'ESC-2026-0005', nextActionAt: '2026-12-02T09:00:00.000Z' }),
      facts({ ref: 'ESC-2026-0004', nextActionAt: null }),
      facts({ ref: 'ESC-2026-0003', nextActionAt: '2026-12-01T09:00:00.000Z' }),
      facts({ ref: 'ESC-2026-0002', awaitingApproval: { n: 4, title: 'DCS', requestedAt: null, reminders: 0 }, missingContacts: ['IRO'] }),
      facts({ ref: 'ESC-2026-0006', missingContacts: ['IRO'], bounced: [{ email: 'a@b', roles: [], at: '', reason: '' }] }),
      facts({ ref: 'ESC-2026-0007', bounced: [{ email: 'a@b', roles: [], at: '', reason: '' }] }),
      facts({ ref: 'ESC-2026-0008', status: 'awaiting-confirmation', awaitingConfirmationSince: '2026-11-30T10:00:00.000Z' }),
      facts({ ref: 'ESC-2026-0009', status: 'resolved' }),
    ];
    const board = buildBoard(list, {});
    expect(board.map((g) => [g.id, g.cases.map((c) => c.ref)])).toEqual([
      ['approval', ['ESC-2026-0002']],
      ['confirmation', ['ESC-2026-0008']],
      ['address', ['ESC-2026-0006']],
      ['bounce', ['ESC-2026-0007']],
      ['other', ['ESC-2026-0003', 'ESC-2026-0005', 'ESC-2026-0004']],
    ]);
    expect(groupOf(list[7]!)).toBe('done');
    expect(buildBoard(list, { status: 'resolved' }).flatMap((g) => g.cases.map((c) => c.ref))).toEqual(['ESC-2026-0009']);
  });
  it('filters by ladder, authority and status', () => {
    const list = [
      facts({ ref: 'A', ladderId: 'l1' }),
      facts({ ref: 'B', ladderId: 'l2', localAuthority: 'Southshire' }),
      facts({ ref: 'C', status: 'paused' }),
    ];
    const refs = (f: Parameters<typeof buildBoard>[1]) => buildBoard(list, f).flatMap((g) => g.cases.map((c) => c.ref));
    expect(refs({ ladder: 'l2' })).toEqual(['B']);
    expect(refs({ authority: 'Northshire' })).toEqual(['A', 'C']);
    expect(refs({ status: 'paused' })).toEqual(['C']);
  });
});

describe('web: why the timetable is held', () => {
  const format = (iso: string) => `<${iso.slice(0, 10)}>`;
  const formatDate = (day: string) => `[${day}]`;
  const state = (over: Partial<CaseState>) => ({ status: 'open', steps: [], views: [], flags: {}, ...over }) as unknown as CaseState;

  it('names a pause, a reply awaiting confirmation with what silence does, a promise and a meeting', () => {
    expect(holdNotes(state({ status: 'paused', pause: { from: '2026-12-01T10:00:00Z', until: '2026-12-14T09:00:00Z' } }), format, formatDate)).toEqual([
      'Paused until <2026-12-14>: nothing is sent before then.',
    ]);
    const confirmation = {
      reason: 'done' as const,
      since: '2026-12-03T11:00:00Z',
      remindAt: '2026-12-07T09:00:00Z',
      until: '2026-12-09T17:00:00Z',
      onSilence: 'resolve' as const,
      message: 'k',
      documents: ['minutes.pdf'],
    };
    expect(holdNotes(state({ status: 'awaiting-confirmation', confirmation }), format, formatDate)).toEqual([
      'Held for your confirmation since <2026-12-03>: a reply says it is done. You are reminded <2026-12-07>; if nobody answers by <2026-12-09>, the case is resolved.',
    ]);
    expect(
      holdNotes(
        state({
          status: 'awaiting-confirmation',
          confirmation: { ...confirmation, reason: 'secure-message', onSilence: 'resume', remindedAt: '2026-12-07T09:00:00Z' },
        }),
        format,
        formatDate,
      )[0],
    ).toMatch(/behind a secure-mail link only you can open\. You were reminded; if nobody answers by <2026-12-09>, the reminders go on\.$/);
    expect(holdNotes(state({ hold: { until: '2026-12-11T17:00:00Z', promisedFor: '2026-12-10', by: 'x' } }), format, formatDate)).toEqual([
      'Held until <2026-12-11> for a promise of [2026-12-10].',
    ]);
    expect(
      holdNotes(state({ hold: { until: '2026-12-11T17:00:00Z', promisedFor: '2026-12-10', by: 'x', meetingOn: '2026-12-10' } }), format, formatDate),
    ).toEqual(['Held until <2026-12-11> for the meeting on [2026-12-10].']);
    expect(holdNotes(state({}), format, formatDate)).toEqual([]);
  });
});
