/**
 * The repository tier: each repository against a real, freshly migrated PostgreSQL database and
 * nothing else (no Redis, IMAP or SMTP), so the SQL that changes a row's state is checked on its
 * own, fast. One database per test file.
 */
import { randomUUID } from 'node:crypto';
import { migrate } from '../../src/db/migrate.js';
import { openOrm, type Orm } from '../../src/db/orm.js';
import { Repositories, type NewOutboxRow } from '../../src/db/repositories/index.js';
import type { CaseState } from '../../src/domain/case/case-state.js';
import { openCase } from '../../src/domain/case/open-case.js';
import { EMPTY_DIRECTORY } from '../../src/domain/directory.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { calendar, ladder, ORIGINATOR, people, RM } from '../unit/case/case-driver.js';

export const ORG = 'org-1';

export interface RepositoryDb {
  orm: Orm;
  /** A fresh unit of work (its own EntityManager), as a job gets. */
  repos(): Repositories;
  /** Plain SQL, for setting a scene and reading what a method wrote. */
  sql<T = Record<string, unknown>>(query: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export async function repositoryDb(name: string): Promise<RepositoryDb> {
  const db: TestDatabase = await createTestDatabase(`escalator_repo_${name}`);
  const orm = await openOrm(db.url);
  await migrate(orm);
  await orm.em.fork().execute(`insert into organisation (id, name, mailbox) values (?, 'Example Home', 'escalations@home.example.org')`, [ORG]);
  return {
    orm,
    repos: () => Repositories.open(orm),
    sql: (query, params = []) => orm.em.fork().execute(query, params),
    close: async () => {
      await orm.close();
      await db.drop();
    },
  };
}

/** A case as the domain opens it (reg 5 ladder, the professional and team manager known). */
export function caseState(ref: string, openedAt: Date, extra: Partial<CaseState> = {}): CaseState {
  const def = ladder('childrens-home-reg5');
  const decision = openCase(
    {
      id: randomUUID(),
      ref,
      token: randomUUID().replace(/-/g, '').slice(0, 12),
      orgId: ORG,
      ladderId: def.id,
      variant: 'standard',
      openedAt,
      subject: `Request ${ref}`,
      requestMessageId: `<${ref.toLowerCase()}@home.example.org>`,
      threadIds: [`<${ref.toLowerCase()}@home.example.org>`],
      originator: ORIGINATOR,
      participants: people('professional', 'team-manager'),
      flags: {},
      warnings: [],
      messageRef: randomUUID(),
    },
    { now: openedAt, ladder: def, calendar: calendar(), org: { id: ORG, name: 'Example Home', manager: RM }, directory: EMPTY_DIRECTORY },
  );
  return { ...decision.state, ...extra };
}

/** Stores a case (and flushes); returns its state. */
export async function storedCase(db: RepositoryDb, ref: string, openedAt: Date, extra: Partial<CaseState> = {}): Promise<CaseState> {
  const state = caseState(ref, openedAt, extra);
  const repos = db.repos();
  repos.cases.create(state, openedAt);
  await repos.flush();
  return state;
}

let serial = 0;

/** An outbox row with sensible defaults (pending, due at `notBefore`). */
export function outboxRow(over: Partial<NewOutboxRow> & { notBefore: Date }): NewOutboxRow {
  serial++;
  const id = over.id ?? randomUUID();
  return {
    id,
    organisationId: ORG,
    case: null,
    kind: 'chaser',
    dedupeKey: `test:${id}`,
    messageId: `<m${serial}.${id.slice(0, 8)}@home.example.org>`,
    step: null,
    envelopeFrom: 'escalations@home.example.org',
    envelopeTo: ['sam@la.example.gov.uk'],
    to: ['sam@la.example.gov.uk'],
    cc: [],
    subject: 'A chaser',
    raw: Buffer.from(`Subject: a chaser ${serial}\r\n\r\nbody\r\n`),
    status: 'pending',
    attempts: 0,
    createdAt: over.notBefore,
    updatedAt: over.notBefore,
    ...over,
  };
}

export async function storedOutbox(db: RepositoryDb, over: Partial<NewOutboxRow> & { notBefore: Date }): Promise<string> {
  const repos = db.repos();
  const row = repos.outbox.add(outboxRow(over));
  await repos.flush();
  return row.id;
}

/** Timestamps come back from plain SQL as text: these columns as Dates. */
export function withDates<T extends Record<string, unknown>>(row: T, ...keys: (keyof T)[]): T {
  const out: Record<string, unknown> = { ...row };
  for (const k of keys) out[k as string] = row[k] === null || row[k] === undefined ? row[k] : new Date(row[k] as string);
  return out as T;
}

export async function outboxState(db: RepositoryDb, id: string) {
  const [row] = await db.sql<{
    status: string;
    attempts: number;
    not_before: Date;
    claimed_at: Date | null;
    abandoned_at: Date | null;
    last_error: string | null;
    smtp_response: string | null;
    sent_at: Date | null;
  }>(`select status, attempts, not_before, claimed_at, abandoned_at, last_error, smtp_response, sent_at from outbox_mail where id = ?`, [id]);
  return withDates(row!, 'not_before', 'claimed_at', 'abandoned_at', 'sent_at');
}
