import type { Deps } from '../../runtime/deps.js';
import { Repositories } from '../../db/repositories/index.js';
import { advanceCase } from '../../domain/case/advance.js';
import { dispatch, persistDecision } from '../persist-decision.js';
import type { JobPayload } from '../job-catalogue.js';

type AdvanceDeps = Pick<Deps, 'orm' | 'orgs' | 'scheduler' | 'clock' | 'logger' | 'secret'>;

/**
 * Runs what has fallen due on a case. The job only says "look at this case": the row's
 * `next_action_at` decides. A job that fires early (promoted, or left over from an older
 * timetable) finds nothing due and does nothing, so running twice sends once.
 */
export function advanceCaseJob(deps: AdvanceDeps) {
  const pass = async (caseId: string) => {
    const result = await Repositories.open(deps.orm).transaction(async (tx) => {
      const row = await tx.cases.lock(caseId);
      const now = deps.clock.now();
      if (!row?.nextActionAt || row.nextActionAt > now) return null;
      const org = deps.orgs.get(row.organisation);
      const ctx = org.caseContext(row.ladderId, now);
      const decision = advanceCase(row.state, ctx);
      const work = await persistDecision(tx, org, row, decision, ctx, deps, 'job:advance-case');
      return { work, ref: row.ref, events: decision.events.map((e) => e.type), next: nextActionOf(row), now };
    });
    if (!result) return null;
    deps.logger.info({ case: result.ref, events: result.events }, 'case advanced');
    await dispatch(deps.scheduler, result.work);
    return result;
  };
  return async ({ caseId }: JobPayload<'advance-case'>): Promise<void> => {
    // One decision sends at most one rung. Two rungs due at the very same moment (the Ofsted
    // inspector and the LSCP at eight weeks) would give the second the id of this running job,
    // which BullMQ ignores; so while the case is still due, take another pass here. Each pass is
    // its own claimed transaction, and a pass that finds nothing due ends the loop.
    for (let passes = 0; passes < 10; passes++) {
      const result = await pass(caseId);
      if (!result || result.events.length === 0 || !result.next || result.next > result.now) return;
    }
  };
}

/**
 * The row's next action as it stands now: persistDecision has written the decision into the row, so
 * the narrowing from before it (a due action) no longer holds — the case may have nothing left to do.
 */
function nextActionOf(row: { nextActionAt?: Date | null }): Date | null {
  return row.nextActionAt ?? null;
}
