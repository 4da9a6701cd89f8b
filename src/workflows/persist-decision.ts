import type { OrgRuntime } from '../runtime/organisations.js';
import type { CaseContext } from '../domain/case/case-context.js';
import type { Decision } from '../domain/case/decision.js';
import type { Repositories } from '../db/repositories/index.js';
import type { CaseRow } from '../db/entities/types.js';
import type { JobScheduler } from '../runtime/job-scheduler.js';
import { writeOutbox, type OutboxWork } from './outbox-writer.js';

/** Work to hand to the queue once the transaction has committed (never before: a job must find its rows). */
export interface AfterCommit extends OutboxWork {
  advance?: { caseId: string; at: Date };
  /** The job for the case's previous next action, when the decision moved or removed it. */
  cancel?: { caseId: string; at: Date };
}

export interface PersistDeps {
  secret: string;
}

/**
 * Stores one decision: the case's new state, its events and its outbox rows, all in the
 * caller's transaction. Returns what to enqueue after commit.
 */
export async function persistDecision(
  tx: Repositories,
  org: OrgRuntime,
  row: CaseRow | null,
  decision: Decision,
  ctx: CaseContext,
  deps: PersistDeps,
  cause: string | null,
): Promise<AfterCommit> {
  const state = decision.state;
  const before = row?.nextActionAt ?? null;
  if (row) tx.cases.update(row, state, ctx.now);
  else tx.cases.create(state, ctx.now);
  await tx.flush();
  tx.cases.addEvents(state.id, decision.events, cause);
  const work = await writeOutbox(tx, org, state, decision, ctx, deps, { newCase: row === null });
  await tx.flush();
  const next = state.nextActionAt ? new Date(state.nextActionAt) : null;
  return {
    ...work,
    ...(next ? { advance: { caseId: state.id, at: next } } : {}),
    ...(before && before.getTime() !== next?.getTime() ? { cancel: { caseId: state.id, at: before } } : {}),
  };
}

export async function dispatch(scheduler: JobScheduler, after: AfterCommit | null | undefined): Promise<void> {
  if (!after) return;
  for (const s of after.sends) await scheduler.send(s.id, s.attempt, s.at);
  if (after.cancel) await scheduler.cancelAdvance(after.cancel.caseId, after.cancel.at);
  if (after.advance) await scheduler.advance(after.advance.caseId, after.advance.at);
}
