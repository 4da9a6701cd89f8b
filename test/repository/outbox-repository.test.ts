// Each state change of an outbox row, on PostgreSQL alone: who may claim a row and when, what
// waiting gives back, what an acceptance writes with it, and what the reconciler takes back.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleMark } from '../../src/db/repositories/index.js';
import { followUpOf } from '../../src/workflows/outbox-resend.js';
import { outboxRow, outboxState, repositoryDb, storedCase, storedOutbox, type RepositoryDb } from './support.js';

const T0 = new Date('2026-12-07T10:00:00Z');
const later = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

describe('OutboxRepository', () => {
  let db: RepositoryDb;
  beforeAll(async () => {
    db = await repositoryDb('outbox');
    // Returned, the teardown runs only once the database is open.
    return () => db.close();
  });

  it('claim: a due pending row is claimed once, one attempt more; a row not yet due is not', async () => {
    const due = await storedOutbox(db, { notBefore: T0 });
    const notYet = await storedOutbox(db, { notBefore: later(30) });
    const [a, b] = [db.repos().outbox, db.repos().outbox];
    expect(await a.claim(due, T0)).toBe(true);
    expect(await b.claim(due, T0)).toBe(false);
    expect(await a.claim(notYet, T0)).toBe(false);
    expect(await outboxState(db, due)).toMatchObject({ status: 'sending', attempts: 1, claimed_at: T0 });
    expect(await outboxState(db, notYet)).toMatchObject({ status: 'pending', attempts: 0, claimed_at: null });
  });

  it('orgMailKinds: our sent mails about no one case with those Message-IDs (what a reply to the digest answers); not a case’s, not one still pending', async () => {
    const digestId = '<digest-w50@home.example.org>';
    const pendingId = '<summary-pending@home.example.org>';
    await storedOutbox(db, { notBefore: T0, kind: 'weekly-digest', messageId: digestId, status: 'sent' });
    await storedOutbox(db, { notBefore: T0, kind: 'notice-summary', messageId: pendingId, status: 'pending' });
    const owner = await storedCase(db, 'ESC-2026-0901', T0);
    const chaserId = '<case-chaser@home.example.org>';
    await storedOutbox(db, { notBefore: T0, case: owner.id, kind: 'chaser', messageId: chaserId, status: 'sent' });
    const outbox = db.repos().outbox;
    expect(await outbox.orgMailKinds('org-1', [chaserId, digestId, '<elsewhere@example.org>'])).toEqual(['weekly-digest']);
    expect(await outbox.orgMailKinds('org-1', [pendingId, chaserId])).toEqual([]);
    expect(await outbox.orgMailKinds('another-org', [digestId])).toEqual([]);
    expect(await outbox.orgMailKinds('org-1', [])).toEqual([]);
  });

  it('putBack: a claimed row waits until a new moment, the attempt given back; a row not in sending is left alone', async () => {
    const id = await storedOutbox(db, { notBefore: T0, attempts: 2 });
    const outbox = db.repos().outbox;
    await outbox.claim(id, T0);
    await outbox.putBack(id, later(60), T0);
    expect(await outboxState(db, id)).toMatchObject({ status: 'pending', attempts: 2, not_before: later(60), claimed_at: null });
    await outbox.putBack(id, later(120), T0);
    expect(await outboxState(db, id)).toMatchObject({ status: 'pending', attempts: 2, not_before: later(60) });
  });

  it('release: rows claimed for a combined mail go back to pending with their attempt given back', async () => {
    const ids = [await storedOutbox(db, { notBefore: T0 }), await storedOutbox(db, { notBefore: T0 })];
    const outbox = db.repos().outbox;
    for (const id of ids) await outbox.claim(id, T0);
    await outbox.release(ids, later(1));
    for (const id of ids) expect(await outboxState(db, id)).toMatchObject({ status: 'pending', attempts: 0, claimed_at: null, not_before: T0 });
  });

  it('retryLater and markFailed keep the server’s answer (cut to 1,000 characters)', async () => {
    const retried = await storedOutbox(db, { notBefore: T0 });
    const failed = await storedOutbox(db, { notBefore: T0 });
    const outbox = db.repos().outbox;
    await outbox.claim(retried, T0);
    await outbox.retryLater(retried, later(2), '451 try again later', T0);
    expect(await outboxState(db, retried)).toMatchObject({ status: 'pending', attempts: 1, not_before: later(2), last_error: '451 try again later' });
    await outbox.claim(failed, T0);
    await outbox.markFailed(failed, `550 ${'x'.repeat(2000)}`, '550 no such user', T0);
    const row = await outboxState(db, failed);
    expect(row).toMatchObject({ status: 'failed', smtp_response: '550 no such user' });
    expect(row.last_error).toHaveLength(1000);
  });

  it('markSent with a follow-up writes the acceptance, the follow-up row and its events together, once', async () => {
    const state = await storedCase(db, 'ESC-2026-0101', T0);
    const id = await storedOutbox(db, {
      notBefore: T0,
      case: state.id,
      step: 1,
      envelopeTo: ['sam@la.example.gov.uk', 'jo@la.example.gov.uk'],
      to: ['sam@la.example.gov.uk'],
      cc: ['jo@la.example.gov.uk'],
    });
    const outbox = db.repos().outbox;
    await outbox.claim(id, T0);
    const followUp = followUpOf(
      id,
      {
        id: randomUUID(),
        dedupeKey: `resend:${id}`,
        envelopeTo: ['jo@la.example.gov.uk'],
        to: [],
        cc: ['jo@la.example.gov.uk'],
        notBefore: later(2),
        attempts: 1,
        refused: [{ address: 'jo@la.example.gov.uk', code: 450 }],
      },
      T0,
      [{ caseId: state.id, kind: 'chaser' }],
    );
    await outbox.markSent(id, '250 accepted', T0, followUp);
    // A second record of the same acceptance (a retry through a database blip) writes no second follow-up.
    await db.repos().outbox.markSent(id, '250 accepted', T0, { ...followUp, resend: { ...followUp.resend, id: randomUUID() } });
    expect(await outboxState(db, id)).toMatchObject({ status: 'sent', sent_at: T0, smtp_response: '250 accepted' });
    const resends = await db.sql<{ status: string; envelope_to: string[]; cc: string[]; resend_of: string; message_id: string; raw: Buffer }>(
      `select status, envelope_to, cc, resend_of, message_id, raw from outbox_mail where resend_of = ?`,
      [id],
    );
    expect(resends).toHaveLength(1);
    expect(resends[0]).toMatchObject({ status: 'pending', envelope_to: ['jo@la.example.gov.uk'], cc: ['jo@la.example.gov.uk'], resend_of: id });
    const [parent] = await db.sql<{ message_id: string; raw: Buffer }>(`select message_id, raw from outbox_mail where id = ?`, [id]);
    expect(resends[0]!.message_id).toBe(parent!.message_id);
    expect(Buffer.compare(resends[0]!.raw, parent!.raw)).toBe(0);
    const events = await db.sql<{ type: string; cause: string }>(`select type, cause from case_event where case_id = ? and type = 'mail-recipients-deferred'`, [
      state.id,
    ]);
    expect(events.map((e) => e.cause)).toEqual([`outbox:${id}`, `outbox:${id}`]);
  });

  it('takeBackAbandoned: rows stuck in sending go back to pending, marked abandoned the first time only', async () => {
    const stuck = await storedOutbox(db, { notBefore: T0 });
    const fresh = await storedOutbox(db, { notBefore: T0 });
    const outbox = db.repos().outbox;
    await outbox.claim(stuck, T0);
    await outbox.claim(fresh, later(9));
    const taken = await outbox.takeBackAbandoned(later(5), later(10));
    expect(taken).toContain(stuck);
    expect(taken).not.toContain(fresh);
    expect(await outboxState(db, stuck)).toMatchObject({ status: 'pending', abandoned_at: later(10), attempts: 1 });
    expect(await outboxState(db, fresh)).toMatchObject({ status: 'sending', abandoned_at: null });
    await outbox.claim(stuck, later(20));
    expect(await outbox.takeBackAbandoned(later(30), later(40))).toEqual(expect.arrayContaining([stuck, fresh]));
    expect(await outboxState(db, stuck)).toMatchObject({ abandoned_at: later(10) });
  });

  it('claimGroup: the chasers to the same To and Cc due together are claimed with the first, at most `max`, each case once', async () => {
    const group = { to: ['group@la.example.gov.uk'], cc: ['tm@la.example.gov.uk'], envelopeTo: ['group@la.example.gov.uk', 'tm@la.example.gov.uk'] };
    const cases = [];
    for (let i = 0; i < 4; i++) cases.push(await storedCase(db, `ESC-2026-02${String(i).padStart(2, '0')}`, T0));
    const first = await storedOutbox(db, { notBefore: T0, case: cases[0]!.id, step: 1, ...group });
    const second = await storedOutbox(db, { notBefore: T0, case: cases[1]!.id, step: 1, ...group, createdAt: later(-3) });
    const third = await storedOutbox(db, { notBefore: T0, case: cases[2]!.id, step: 1, ...group, createdAt: later(-2) });
    const notDue = await storedOutbox(db, { notBefore: later(60), case: cases[3]!.id, step: 1, ...group });
    const otherCc = await storedOutbox(db, { notBefore: T0, case: cases[3]!.id, step: 2, ...group, cc: [] });
    const taken = await db.repos().outbox.claimGroup('org-1', first, T0, 2);
    expect(taken.claimed).toBe(true);
    // The oldest other one (by creation, then id) comes with it; max 2 in all.
    expect(taken.others.map((o) => o.id)).toEqual([second]);
    expect((await outboxState(db, third)).status).toBe('pending');
    expect((await outboxState(db, notDue)).status).toBe('pending');
    expect((await outboxState(db, otherCc)).status).toBe('pending');
    // The group's next job finds its own row taken already.
    expect((await db.repos().outbox.claimGroup('org-1', second, T0, 20)).claimed).toBe(false);
  });

  it('markBundleSent writes the combined mail as sent and marks each case’s chaser sent by it', async () => {
    const a = await storedCase(db, 'ESC-2026-0301', T0);
    const b = await storedCase(db, 'ESC-2026-0302', T0);
    const rows = [await storedOutbox(db, { notBefore: T0, case: a.id, step: 1 }), await storedOutbox(db, { notBefore: T0, case: b.id, step: 1 })];
    const outbox = db.repos().outbox;
    for (const id of rows) await outbox.claim(id, T0);
    const bundle = outboxRow({ notBefore: T0, kind: 'chaser-bundle', status: 'sent', attempts: 1 });
    await outbox.markBundleSent(bundle, rows, '250 queued', T0);
    expect(await outboxState(db, bundle.id)).toMatchObject({ status: 'sent', smtp_response: '250 queued', sent_at: T0 });
    for (const id of rows) expect(await outboxState(db, id)).toMatchObject({ status: 'sent', smtp_response: bundleMark(bundle.messageId) });
    const members = await db.repos().outbox.bundleMembers(bundle.messageId);
    expect(new Set(members.map((m) => m.caseId))).toEqual(new Set([a.id, b.id]));
  });

  it('acceptedCopies counts the other submissions of a Message-ID the server accepted', async () => {
    const messageId = '<copies@home.example.org>';
    const sent = await storedOutbox(db, { notBefore: T0, messageId, dedupeKey: 'copies:1' });
    const follow = await storedOutbox(db, { notBefore: T0, messageId, dedupeKey: 'copies:2', resendOf: sent });
    const outbox = db.repos().outbox;
    expect(await outbox.acceptedCopies(messageId, follow)).toBe(0);
    await outbox.claim(sent, T0);
    await outbox.markSent(sent, '250 ok', T0);
    expect(await outbox.acceptedCopies(messageId, follow)).toBe(1);
    expect(await outbox.acceptedCopies(messageId, sent)).toBe(0);
  });

  it('drafts: releaseHeld sends an approved chaser, cancelHeld drops a skipped one, withdraw clears a closed case', async () => {
    const state = await storedCase(db, 'ESC-2026-0401', T0);
    const held = await storedOutbox(db, { notBefore: T0, case: state.id, step: 2, status: 'held' });
    const skipped = await storedOutbox(db, { notBefore: T0, case: state.id, step: 3, status: 'held' });
    const notice = await storedOutbox(db, { notBefore: T0, case: state.id, kind: 'step-notice' });
    const chaser = await storedOutbox(db, { notBefore: T0, case: state.id, kind: 'chaser', step: 4 });
    const outbox = db.repos().outbox;
    expect(await outbox.releaseHeld(state.id, 2, later(5), T0)).toEqual([{ id: held, attempts: 0 }]);
    expect(await outboxState(db, held)).toMatchObject({ status: 'pending', not_before: later(5) });
    await outbox.cancelHeld(state.id, 3, T0);
    expect((await outboxState(db, skipped)).status).toBe('cancelled');
    await outbox.withdraw(state.id, ['chaser'], T0);
    expect((await outboxState(db, chaser)).status).toBe('cancelled');
    expect((await outboxState(db, notice)).status).toBe('pending');
  });

  it('recentMailTo counts what the case wrote to each address, not drafts, cancelled rows or follow-ups', async () => {
    const state = await storedCase(db, 'ESC-2026-0501', T0);
    const to = { to: ['Sam@LA.example.gov.uk'], cc: ['jo@la.example.gov.uk'] };
    await storedOutbox(db, { notBefore: T0, case: state.id, ...to, createdAt: later(-5) });
    await storedOutbox(db, { notBefore: T0, case: state.id, ...to, status: 'held', createdAt: later(-4) });
    await storedOutbox(db, { notBefore: T0, case: state.id, ...to, status: 'cancelled', createdAt: later(-3) });
    await storedOutbox(db, { notBefore: T0, case: state.id, ...to, createdAt: later(-90) });
    const history = await db.repos().outbox.recentMailTo(state.id, ['sam@la.example.gov.uk', 'nobody@x.example'], later(-60));
    expect([...history.keys()]).toEqual(['sam@la.example.gov.uk']);
    expect(history.get('sam@la.example.gov.uk')).toEqual([later(-5)]);
  });

  it('existingKeys and pagePending', async () => {
    const id = await storedOutbox(db, { notBefore: T0, dedupeKey: 'keys:present' });
    const outbox = db.repos().outbox;
    expect(await outbox.existingKeys(['keys:present', 'keys:absent'])).toEqual(new Set(['keys:present']));
    const all: string[] = [];
    for (let after: string | null = null; ;) {
      const page = await outbox.pagePending(after, 3);
      all.push(...page.map((r) => r.id));
      if (page.length < 3) break;
      after = page.at(-1)!.id;
    }
    expect(all).toEqual([...all].sort());
    expect(all).toContain(id);
    expect(new Set(all).size).toBe(all.length);
  });
});
