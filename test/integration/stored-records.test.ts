/**
 * Stored records against PostgreSQL alone: the status check constraints (Migration20261205110000)
 * accept every value the code's unions list and nothing else, a database holding rows of every
 * earlier status takes the migration, and the audit trail reads back through the event schemas,
 * an odd row included.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCaseEvents } from '../../src/db/repositories/case-event-reader.js';
import { openOrm, type Orm } from '../../src/db/orm.js';
import { CASE_STATUSES, NEXT_ACTIONS, STEP_STATUSES } from '../../src/domain/case/case-state.js';
import { OUTBOX_STATUSES } from '../../src/domain/case/mail-intents.js';
import { MESSAGE_STATUSES, ROUTE_NAMES } from '../../src/domain/inbound/route-name.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

const CASE_ID = '00000000-0000-4000-8000-000000000001';
const CHECK_VIOLATION = '23514';

let db: TestDatabase;
let orm: Orm;
const sql = (query: string, params: unknown[] = []) => orm.em.getConnection().execute(query, params);

function stateWith(stepStatuses: readonly string[]): string {
  return JSON.stringify({ status: 'open', steps: stepStatuses.map((status, i) => ({ n: i + 1, rungId: `r${i + 1}`, dueAt: null, status })) });
}

async function insertCase(id: string, status: string, nextAction: string | null, steps: readonly string[]): Promise<void> {
  await sql(
    `insert into escalation_case (id, ref, organisation_id, ladder_id, variant, status, token, subject, opened_at, next_action, state)
     values (?, ?, 'org-1', 'childrens-home-reg5', 'standard', ?, ?, 'Subject', now(), ?, ?::jsonb)`,
    [id, `ESC-${id.slice(-6)}`, status, `tok-${id}`, nextAction, stateWith(steps)],
  );
}

async function insertMessage(n: number, status: string, route: string | null): Promise<void> {
  await sql(
    `insert into message (id, mailbox, message_id, source, received_at, size, sha256, status, route)
     values (gen_random_uuid(), 'inbox@home.example.org', ?, 'imap', now(), 1, 'x', ?, ?)`,
    [`<m${n}@test>`, status, route],
  );
}

async function insertOutbox(n: number, status: string): Promise<void> {
  await sql(
    `insert into outbox_mail (id, organisation_id, kind, dedupe_key, message_id, envelope_from, envelope_to, "to", cc, subject, raw, status, not_before)
     values (gen_random_uuid(), 'org-1', 'chaser', ?, ?, 'a@x', '[]', '[]', '[]', 's', 'raw', ?, now())`,
    [`k${n}`, `<o${n}@test>`, status],
  );
}

async function refused(write: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await write();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

/**
 * Values that did not exist when Migration20261205110000 added the constraints (Migration20261205120000
 * widened them for sender trust, Migration20261205130000 for issue 13's limits: `not-read`).
 */
const LATER_NEXT_ACTIONS: readonly string[] = ['confirmation-expires', 'confirmation-hold'];
const LATER_ROUTES: readonly string[] = ['confirm-commands', 'confirm-token', 'reply-notice', 'not-read'];

beforeAll(async () => {
  db = await createTestDatabase('escalator_records');
  orm = await openOrm(db.url);
  // The schema as the previous release left it, holding every status any version wrote …
  await orm.migrator.up({ to: 'Migration20261204000000' });
  await sql(`insert into organisation (id, name, mailbox) values ('org-1', 'Home', 'inbox@home.example.org')`);
  let n = 0;
  for (const status of CASE_STATUSES) await insertCase(`00000000-0000-4000-8000-0000000001${String(++n).padStart(2, '0')}`, status, null, STEP_STATUSES);
  for (const next of NEXT_ACTIONS.filter((x) => !LATER_NEXT_ACTIONS.includes(x)))
    await insertCase(`00000000-0000-4000-8000-0000000001${String(++n).padStart(2, '0')}`, 'open', next, []);
  for (const status of MESSAGE_STATUSES) await insertMessage(++n, status, null);
  for (const route of ROUTE_NAMES.filter((x) => !LATER_ROUTES.includes(x))) await insertMessage(++n, 'processed', route);
  for (const status of OUTBOX_STATUSES) await insertOutbox(++n, status);
  // … then this release's migrations, which check those rows as they add the constraints …
  await orm.migrator.up();
  // … and the values a later migration added, written after it (Migration20261205120000: sender trust; 130000: limits).
  for (const next of LATER_NEXT_ACTIONS) await insertCase(`00000000-0000-4000-8000-0000000001${String(++n).padStart(2, '0')}`, 'open', next, []);
  for (const route of LATER_ROUTES) await insertMessage(++n, 'processed', route);
  await insertCase(CASE_ID, 'open', 'step', ['planned']);
});

afterAll(async () => {
  await orm.close(true);
  await db.drop();
});

describe('status check constraints', () => {
  it('took a database holding every status the code has written', async () => {
    const applied = await orm.migrator.getExecutedMigrations();
    expect(applied.map((m) => m.name)).toContain('Migration20261205110000');
    const [counts] = await sql(
      `select (select count(*) from escalation_case)::int as cases, (select count(*) from message)::int as messages, (select count(*) from outbox_mail)::int as outbox`,
    );
    expect(counts).toEqual({
      cases: CASE_STATUSES.length + NEXT_ACTIONS.length + 1,
      messages: MESSAGE_STATUSES.length + ROUTE_NAMES.length,
      outbox: OUTBOX_STATUSES.length,
    });
  });

  it('case status: every listed value, nothing else', async () => {
    for (const status of CASE_STATUSES)
      expect(await refused(() => sql(`update escalation_case set status = ? where id = ?`, [status, CASE_ID]))).toBeUndefined();
    expect(await refused(() => sql(`update escalation_case set status = 'opened' where id = ?`, [CASE_ID]))).toBe(CHECK_VIOLATION);
  });

  it('next action: every listed value or none, nothing else', async () => {
    for (const next of [...NEXT_ACTIONS, null])
      expect(await refused(() => sql(`update escalation_case set next_action = ? where id = ?`, [next, CASE_ID]))).toBeUndefined();
    expect(await refused(() => sql(`update escalation_case set next_action = 'advance' where id = ?`, [CASE_ID]))).toBe(CHECK_VIOLATION);
  });

  it('step status inside the state: every listed value, nothing else, and no step without one', async () => {
    const setSteps = (state: string) => sql(`update escalation_case set state = ?::jsonb where id = ?`, [state, CASE_ID]);
    expect(await refused(() => setSteps(stateWith(STEP_STATUSES)))).toBeUndefined();
    expect(await refused(() => setSteps(stateWith([])))).toBeUndefined();
    expect(await refused(() => setSteps(stateWith(['planned', 'posted'])))).toBe(CHECK_VIOLATION);
    expect(await refused(() => setSteps(JSON.stringify({ status: 'open', steps: [{ n: 1, rungId: 'r1' }] })))).toBe(CHECK_VIOLATION);
    expect(await refused(() => setSteps(JSON.stringify({ status: 'open' })))).toBe(CHECK_VIOLATION);
  });

  it('message status and route: every listed value, nothing else', async () => {
    let n = 1000;
    for (const status of MESSAGE_STATUSES) expect(await refused(() => insertMessage(++n, status, null))).toBeUndefined();
    for (const route of ROUTE_NAMES) expect(await refused(() => insertMessage(++n, 'processed', route))).toBeUndefined();
    expect(await refused(() => insertMessage(++n, 'done', null))).toBe(CHECK_VIOLATION);
    expect(await refused(() => insertMessage(++n, 'processed', 'open-case'))).toBe(CHECK_VIOLATION);
  });

  it('outbox status: every listed value, nothing else', async () => {
    let n = 2000;
    for (const status of OUTBOX_STATUSES) expect(await refused(() => insertOutbox(++n, status))).toBeUndefined();
    expect(await refused(() => insertOutbox(++n, 'queued'))).toBe(CHECK_VIOLATION);
  });

  it('the migration goes down and up again', async () => {
    const migrator = orm.migrator;
    await migrator.down({ to: 'Migration20261204000000' });
    expect(await refused(() => sql(`update escalation_case set status = 'opened' where id = ?`, [CASE_ID]))).toBeUndefined();
    await sql(`update escalation_case set status = 'open' where id = ?`, [CASE_ID]);
    await migrator.up();
    expect(await refused(() => sql(`update escalation_case set status = 'opened' where id = ?`, [CASE_ID]))).toBe(CHECK_VIOLATION);
  });
});

describe('the audit trail read back', () => {
  it('reads every row through its kind, an unknown or damaged row as unreadable, and warns by row id without its content', async () => {
    const insert = async (type: string, detail: unknown) => {
      const [row] = await sql(`insert into case_event (case_id, at, type, actor, cause, detail) values (?, ?, ?, 'system', null, ?::jsonb) returning id`, [
        CASE_ID,
        new Date('2026-12-01T10:00:00Z'),
        type,
        JSON.stringify(detail),
      ]);
      return Number((row as { id: string | number }).id);
    };
    await insert('note-added', { text: 'A note' });
    const future = await insert('case-teleported', { to: 'Mars Child AB-1234' });
    const damaged = await insert('paused', { until: 42 });
    const warnings: { fields: Record<string, unknown>; message: string }[] = [];
    const logger = { warn: (fields: Record<string, unknown>, message: string) => void warnings.push({ fields, message }) };

    const events = await loadCaseEvents(orm.em.fork(), CASE_ID, logger);

    expect(events.map((e) => e.type)).toEqual(['note-added', 'unreadable', 'unreadable']);
    expect(events[0]).toMatchObject({ type: 'note-added', detail: { text: 'A note' }, actor: 'system', cause: null });
    expect(events[1]).toMatchObject({ id: future, storedType: 'case-teleported', stored: { to: 'Mars Child AB-1234' }, problem: 'unknown type' });
    expect(events[2]).toMatchObject({ id: damaged, storedType: 'paused', stored: { until: 42 }, problem: 'fields do not match: detail.until' });
    expect(warnings.map((w) => w.fields)).toEqual([
      { event: future, case: CASE_ID, type: 'case-teleported', problem: 'unknown type' },
      { event: damaged, case: CASE_ID, type: 'paused', problem: 'fields do not match: detail.until' },
    ]);
    expect(JSON.stringify(warnings)).not.toContain('AB-1234');
  });
});
