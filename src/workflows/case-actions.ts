import type { Deps } from '../runtime/deps.js';
import { Repositories } from '../db/repositories/index.js';
import { applyCommands } from '../domain/case/apply-commands.js';
import { findEvent } from '../domain/case/case-events.js';
import type { CaseState } from '../domain/case/case-state.js';
import type { Command } from '../domain/commands/command.js';
import { parseCommands } from '../domain/inbound/commands.js';
import { rolesOf } from '../domain/ladder/effective-ladder.js';
import { dispatch, persistDecision } from './persist-decision.js';
import { must } from '../lib/must.js';

export interface CaseActionResult {
  ok: boolean;
  messages: string[];
  state: CaseState;
  /** The same action (its key) was taken before: nothing was done this time; `ok` and `messages` are the first time's. */
  repeated?: boolean;
}

export interface CaseCommandOptions {
  /** Which door the command came through, recorded as the cause (`cli:<actor>`, `web:<actor>`). */
  via?: 'cli' | 'web';
  /** Act once per key: the web view's confirmation form carries one, so a form posted twice acts once. */
  once?: { key: string; action: string };
  /** An operator at the CLI: who and why, recorded on the case; the RM is told by mail. */
  operator?: { by: string; reason: string };
}

/**
 * An operator's command on one case (`escalator cases advance|resolve|pause`, or the web view's
 * buttons): the same rules as an emailed command, recorded with the operator as actor, answered
 * on the terminal or the page rather than by mail.
 */
export async function runCaseCommand(
  deps: Pick<Deps, 'orm' | 'orgs' | 'scheduler' | 'clock' | 'secret'>,
  ref: string,
  command: Command,
  actor: string,
  opts: CaseCommandOptions = {},
): Promise<CaseActionResult> {
  const db = Repositories.open(deps.orm);
  const found = await db.cases.findByRef(ref);
  if (!found) throw new Error(`no case ${ref}`);
  const via = opts.via ?? 'cli';
  const once = opts.once;
  if (once) {
    const done = await db.webActions.find(once.key);
    if (done) return { ok: done.ok, messages: done.messages, state: found.state, repeated: true };
  }
  const result = await db.transaction(async (tx) => {
    // found a moment ago, and cases are never deleted
    const row = must(await tx.cases.lock(found.id), `case ${found.id}`);
    const org = deps.orgs.get(row.organisation);
    const ctx = org.caseContext(row.ladderId, deps.clock.now());
    const decision = applyCommands(
      row.state,
      {
        from: { email: actor },
        lines: [{ line: command.kind, command }],
        errors: [],
        messageKey: `${via}${once ? `-${once.key}` : ctx.now.getTime()}`,
        acknowledge: false,
        ...(opts.operator ? { operator: opts.operator } : {}),
      },
      ctx,
    );
    const rejected = findEvent(decision.events, 'command-rejected');
    const done = findEvent(decision.events, 'commands-applied')?.detail.done;
    const messages = rejected ? rejected.detail.problems : (done ?? []);
    // The key is taken in the same transaction as the change: a second post of the same form waits
    // on the first (the case row is locked), then finds its key taken and changes nothing.
    if (once && !(await tx.webActions.record({ key: once.key, caseId: row.id, actor, action: once.action, ok: !rejected, messages }))) {
      return { repeated: true as const };
    }
    const work = await persistDecision(tx, org, row, decision, ctx, deps, `${via}:${actor}`);
    return { ok: !rejected, messages, state: decision.state, work };
  });
  if ('repeated' in result) {
    // only a recorded once-key makes the transaction answer `repeated`
    const done = must(once && (await Repositories.open(deps.orm).webActions.find(once.key)), 'the recorded web action');
    return { ok: done.ok, messages: done.messages, state: found.state, repeated: true };
  }
  await dispatch(deps.scheduler, result.work);
  return { ok: result.ok, messages: result.messages, state: result.state };
}

/**
 * Reads a command as the RM would write it by mail ("PAUSE until 4 Jan", "EXTEND 3 days"), with the
 * same grammar and the case organisation's calendar, so the CLI accepts the same UK date forms.
 * Returns the command, or the problems in the words a mailed command would get.
 */
export async function readOperatorCommand(
  deps: Pick<Deps, 'orm' | 'orgs' | 'clock'>,
  ref: string,
  text: string,
): Promise<{ command: Command } | { problems: string[] } | undefined> {
  const found = await Repositories.open(deps.orm).cases.findByRef(ref);
  if (!found) return undefined;
  const org = deps.orgs.get(found.organisation);
  const parsed = parseCommands(text, {
    roles: [...new Set(org.ladders.all(org.id).flatMap((l) => [...rolesOf(l)]))],
    ladderIds: org.ladders.ids(org.id),
    reference: deps.clock.now(),
    timezone: org.calendar.timezone,
    childReference: org.childReference,
  });
  if (parsed.errors.length > 0) return { problems: parsed.errors };
  const [first, ...more] = parsed.lines;
  if (!first || more.length > 0) return { problems: [`"${text}" is not one command.`] };
  return { command: first.command };
}
