import type { Deps } from '../runtime/deps.js';
import { Repositories } from '../db/repositories/index.js';
import { applyCommands } from '../domain/case/apply-commands.js';
import { findEvent } from '../domain/case/case-events.js';
import type { CaseState } from '../domain/case/case-state.js';
import type { Command } from '../domain/commands/command.js';
import { dispatch, persistDecision } from './persist-decision.js';

export interface CaseActionResult {
  ok: boolean;
  messages: string[];
  state: CaseState;
}

/**
 * An operator's command on one case (`escalator cases advance|resolve|pause`): the same rules
 * as an emailed command, recorded with the operator as actor, answered on the terminal.
 */
export async function runCaseCommand(
  deps: Pick<Deps, 'orm' | 'orgs' | 'scheduler' | 'clock' | 'secret'>,
  ref: string,
  command: Command,
  actor: string,
): Promise<CaseActionResult> {
  const db = Repositories.open(deps.orm);
  const found = await db.cases.findByRef(ref);
  if (!found) throw new Error(`no case ${ref}`);
  const result = await db.transaction(async (tx) => {
    const row = (await tx.cases.lock(found.id))!;
    const org = deps.orgs.get(row.organisation);
    const ctx = org.caseContext(row.ladderId, deps.clock.now());
    const decision = applyCommands(
      row.state,
      { from: { email: actor }, lines: [{ line: command.kind, command }], errors: [], messageKey: `cli${ctx.now.getTime()}`, acknowledge: false },
      ctx,
    );
    const rejected = findEvent(decision.events, 'command-rejected');
    const work = await persistDecision(tx, org, row, decision, ctx, deps, `cli:${actor}`);
    const done = findEvent(decision.events, 'commands-applied')?.detail.done;
    return { ok: !rejected, messages: rejected ? rejected.detail.problems : (done ?? []), state: decision.state, work };
  });
  await dispatch(deps.scheduler, result.work);
  return { ok: result.ok, messages: result.messages, state: result.state };
}
