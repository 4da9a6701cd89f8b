// Cases on PostgreSQL alone: references, the row written from the state, finding a case by its
// thread, and the reads the reconciler, the gauges, the reports and the export use.
import { beforeAll, describe, expect, it } from 'vitest';
import { caseState, repositoryDb, storedCase, storedOutbox, withDates, type RepositoryDb } from './support.js';

const T0 = new Date('2026-11-23T10:00:00Z');

describe('CaseRepository', () => {
  let db: RepositoryDb;
  beforeAll(async () => {
    db = await repositoryDb('cases');
    // Returned, the teardown runs only once the database is open.
    return () => db.close();
  });

  it('allocateRef numbers each year from 1, never twice, also when taken at once', async () => {
    const refs = await Promise.all(Array.from({ length: 5 }, () => db.repos().cases.allocateRef(2026)));
    expect(new Set(refs)).toEqual(new Set(['ESC-2026-0001', 'ESC-2026-0002', 'ESC-2026-0003', 'ESC-2026-0004', 'ESC-2026-0005']));
    expect(await db.repos().cases.allocateRef(2027)).toBe('ESC-2027-0001');
  });

  it('create writes the query columns from the state; update under lock writes the new state and bumps the version', async () => {
    const state = await storedCase(db, 'ESC-2026-1001', T0);
    const [before] = await db.sql<{ status: string; next_action_at: Date; version: number; highest_step: number }>(
      `select status, next_action_at, version, highest_step from escalation_case where id = ?`,
      [state.id],
    );
    expect(withDates(before!, 'next_action_at')).toMatchObject({ status: 'open', next_action_at: new Date(state.nextActionAt!), version: 1, highest_step: 0 });
    await db.repos().transaction(async (tx) => {
      const row = await tx.cases.lock(state.id);
      tx.cases.update(row!, { ...row!.state, status: 'resolved', nextActionAt: null, resolvedAt: T0.toISOString() }, T0);
      await tx.flush();
    });
    const [after] = await db.sql<{ status: string; next_action_at: Date | null; resolved_at: Date; version: number }>(
      `select status, next_action_at, resolved_at, version from escalation_case where id = ?`,
      [state.id],
    );
    expect(withDates(after!, 'next_action_at', 'resolved_at')).toEqual({ status: 'resolved', next_action_at: null, resolved_at: T0, version: 2 });
    expect((await db.repos().cases.findByRef('esc-2026-1001'))?.id).toBe(state.id);
    expect((await db.repos().cases.findByToken(state.token.toUpperCase()))?.id).toBe(state.id);
  });

  it('findIdByMessageIds finds a case by any Message-ID it received or sent, the first id given winning', async () => {
    const a = await storedCase(db, 'ESC-2026-1101', T0);
    const b = await storedCase(db, 'ESC-2026-1102', T0);
    await db.sql(
      `insert into message (id, mailbox, message_id, case_id, source, received_at, size, sha256, status) values (gen_random_uuid(), 'box@x', '<in-a@x>', ?, 'imap', now(), 1, '', 'processed')`,
      [a.id],
    );
    await storedOutbox(db, { notBefore: T0, case: b.id, messageId: '<out-b@x>' });
    const cases = db.repos().cases;
    expect(await cases.findIdByMessageIds('box@x', ['<in-a@x>'])).toBe(a.id);
    expect(await cases.findIdByMessageIds('box@x', ['<out-b@x>', '<in-a@x>'])).toBe(b.id);
    expect(await cases.findIdByMessageIds('other@x', ['<in-a@x>'])).toBeNull();
    expect(await cases.findIdByMessageIds('box@x', [])).toBeNull();
  });

  it('pageScheduled and oldestOverdue read open and paused cases with a next action only', async () => {
    const open = await storedCase(db, 'ESC-2026-1201', T0);
    const closed = await storedCase(db, 'ESC-2026-1202', T0, { status: 'closed' });
    const cases = db.repos().cases;
    const ids: string[] = [];
    for (let after: string | null = null; ;) {
      const page = await cases.pageScheduled(after, 2);
      ids.push(...page.map((p) => p.id));
      if (page.length < 2) break;
      after = page.at(-1)!.id;
    }
    expect(ids).toContain(open.id);
    expect(ids).not.toContain(closed.id);
    expect(ids).toEqual([...ids].sort());
    const due = new Date(open.nextActionAt!);
    expect(await cases.oldestOverdue(new Date(due.getTime() - 1))).not.toEqual(due);
    expect((await cases.oldestOverdue(new Date(due.getTime() + 1)))!.getTime()).toBeLessThanOrEqual(due.getTime());
  });

  it('states filters by organisation and opening, oldest first; exportSnapshot reads the case and its rows together', async () => {
    const first = await storedCase(db, 'ESC-2025-0001', new Date('2025-03-03T10:00:00Z'));
    await storedCase(db, 'ESC-2025-0002', new Date('2025-05-05T10:00:00Z'));
    const cases = db.repos().cases;
    const rows = await cases.states({ org: 'org-1', openedFrom: new Date('2025-01-01T00:00:00Z'), openedTo: new Date('2025-04-01T00:00:00Z') });
    expect(rows.map((r) => r.state.ref)).toEqual(['ESC-2025-0001']);
    expect(await cases.states({ org: 'no-such-org' })).toEqual([]);
    const repos = db.repos();
    repos.cases.addEvents(first.id, [{ type: 'staff-message', actor: 'test', at: T0.toISOString(), detail: { message: 'm1' } }], 'test');
    await repos.flush();
    const snapshot = await db.repos().cases.exportSnapshot('esc-2025-0001');
    expect(snapshot?.case).toMatchObject({ id: first.id, ref: 'ESC-2025-0001' });
    expect(snapshot?.events.map((e) => e.type)).toEqual(['staff-message']);
    expect(snapshot?.messages).toEqual([]);
    expect(await db.repos().cases.exportSnapshot('ESC-1999-0001')).toBeUndefined();
    expect(caseState('ESC-2025-0003', T0).orgId).toBe('org-1');
  });
});
